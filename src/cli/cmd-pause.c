/* ocirt pause ID: freeze every process of the container (cgroup freezer); state becomes paused. */
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "opts.h"

int
cmd_pause (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const struct opt_cmd cmd = {
    .name = "pause",
    .usage = "pause ID",
    .help = "Suspend every process of container ID with the cgroup freezer (v1 freezer.state, or\n"
            "cgroup v2's cgroup.freeze). `ocirt resume ID` thaws them.\n",
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return ocirt_container_pause (ctx, pos[0], err) < 0 ? -1 : 0;
}
