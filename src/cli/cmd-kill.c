/* ocirt kill [--all] ID [SIGNAL]: a signal to the container's init (or every process). */
#include <signal.h>
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/container.h"
#include "ocirt/err.h"
#include "opts.h"

int
cmd_kill (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  bool all = false;
  const struct opt opts[] = {
    { "all", 'a', OPT_BOOL, &all },
  };
  const struct opt_cmd cmd = {
    .name = "kill",
    .usage = "kill [options] ID [SIGNAL]",
    .help = "Send SIGNAL (default SIGTERM; KILL, SIGKILL and 9 all work) to the process of container ID.\n\n"
            "Options:\n"
            "  -a, --all    send it to every process of the container's cgroup\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int sig = SIGTERM;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 2, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (n_pos == 2 && ocirt_signal_parse (pos[1], &sig, err) < 0)
    return -1;
  return ocirt_container_kill (ctx, pos[0], sig, all, err) < 0 ? -1 : 0;
}
