/* ocirt events: not implemented yet; fails with a clear error naming the command. */
#include "commands.h"
#include "ocirt/err.h"

int
cmd_events (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  (void) ctx;
  (void) argc;
  (void) argv;
  return ocirt_err_make (err, 0, "`events` is not implemented yet");
}
