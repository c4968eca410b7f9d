/* ocirt state ID: the container's state as runc prints it (pretty JSON). Reads one file. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "ocirt/state.h"
#include "opts.h"

int
cmd_state (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const struct opt_cmd cmd = {
    .name = "state",
    .usage = "state ID",
    .help = "Print the state of container ID as JSON: ociVersion, id, pid (0 once stopped), status\n"
            "(creating, created, running, paused or stopped), bundle, rootfs, created, annotations, owner.\n",
  };
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_free char **pos = NULL;
  cleanup_free char *json = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (ocirt_state_read (ctx->root, pos[0], &st, err) < 0)
    return -1;
  ocirt_state_refresh (ctx->root, st);
  json = ocirt_state_to_json (st, true);
  printf ("%s\n", json);
  return 0;
}
