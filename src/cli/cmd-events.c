/* ocirt events [--stats] [--interval D] ID: runc's JSON event lines (stats, oom). */
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "opts.h"

int
cmd_events (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const char *interval = "5s";
  bool stats = false;
  const struct opt opts[] = {
    { "interval", 0, OPT_STRING, &interval },
    { "stats", 0, OPT_BOOL, &stats },
  };
  const struct opt_cmd cmd = {
    .name = "events",
    .usage = "events [options] ID",
    .help = "Print events of container ID as JSON lines: {\"type\":\"stats\",\"id\":ID,\"data\":{...}} every\n"
            "interval and {\"type\":\"oom\",\"id\":ID} when the OOM killer acts, until the container stops.\n\n"
            "Options:\n"
            "  --interval D   time between stats lines (Go duration: 5s, 500ms; default 5s)\n"
            "  --stats        print one stats line and exit\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  unsigned ms;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (ocirt_parse_duration_ms (interval, &ms, err) < 0)
    return ocirt_err_wrap (err, "--interval");
  return ocirt_container_events (ctx, pos[0], stats, ms, err) < 0 ? -1 : 0;
}
