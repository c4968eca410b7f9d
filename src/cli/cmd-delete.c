/* ocirt delete [--force] ID: remove a stopped container (with --force: any). */
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/container.h"
#include "ocirt/err.h"
#include "opts.h"

int
cmd_delete (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  bool force = false;
  const struct opt opts[] = {
    { "force", 'f', OPT_BOOL, &force },
  };
  const struct opt_cmd cmd = {
    .name = "delete",
    .usage = "delete [options] ID",
    .help = "Delete container ID: its cgroup and state. It must be stopped.\n\n"
            "Options:\n"
            "  -f, --force    kill it first (SIGKILL) if it is created, running or paused\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return ocirt_container_delete (ctx, pos[0], force, err) < 0 ? -1 : 0;
}
