/* ocirt resume: not implemented yet; fails with a clear error naming the command. */
#include "commands.h"
#include "ocirt/err.h"

int
cmd_resume (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  (void) ctx;
  (void) argc;
  (void) argv;
  return ocirt_err_make (err, 0, "`resume` is not implemented yet");
}
