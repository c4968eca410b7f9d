/* ocirt spec: not implemented yet; fails with a clear error naming the command. */
#include "commands.h"
#include "ocirt/err.h"

int
cmd_spec (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  (void) ctx;
  (void) argc;
  (void) argv;
  return ocirt_err_make (err, 0, "`spec` is not implemented yet");
}
