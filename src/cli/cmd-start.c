/* ocirt start ID: the created container's process execs. */
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/container.h"
#include "ocirt/err.h"
#include "opts.h"

int
cmd_start (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const struct opt_cmd cmd = {
    .name = "start",
    .usage = "start ID",
    .help = "Start the process of created container ID; returns once it has been exec'd.\n",
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return ocirt_container_start (ctx, pos[0], err) < 0 ? -1 : 0;
}
