/* ocirt ps [--format table|json] ID [PS_ARGS...]: the container's processes, as runc prints them
 * (json: an array of host pids; table: the host's `ps` output filtered by the PID column). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "commands.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "opts.h"

int
cmd_ps (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const char *format = "table";
  const struct opt opts[] = {
    { "format", 'f', OPT_STRING, &format },
  };
  const struct opt_cmd cmd = {
    .name = "ps",
    .usage = "ps [options] ID [-- PS_ARGS...]",
    .help = "List the processes of container ID.\n\n"
            "Options:\n"
            "  -f, --format FORMAT   table (default: the host's `ps PS_ARGS` output, -ef by default,\n"
            "                        keeping the container's lines) or json (an array of host pids)\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
    .stop_after = 1,
  };
  cleanup_free char **pos = NULL;
  cleanup_free pid_t *pids = NULL;
  cleanup_free char *out = NULL;
  size_t n_pos = 0, n = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, (size_t) argc, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (strcmp (format, "json") == 0)
    {
      if (ocirt_container_pids (ctx, pos[0], &pids, &n, err) < 0)
        return -1;
      /* Go's encoder prints a nil slice as null, which runc gives for an empty cgroup */
      if (n == 0)
        fputs ("null", stdout);
      for (size_t i = 0; i < n; i++)
        printf ("%c%d", i == 0 ? '[' : ',', (int) pids[i]);
      printf ("%s\n", n > 0 ? "]" : "");
      return 0;
    }
  if (strcmp (format, "table") != 0)
    return ocirt_err_make (err, 0, "invalid format option");
  if (n_pos > 1 && strcmp (pos[1], "--") == 0)
    n_pos--, memmove (&pos[1], &pos[2], (n_pos - 1) * sizeof *pos);
  if (ocirt_container_ps_table (ctx, pos[0], pos + 1, n_pos - 1, &out, err) < 0)
    return -1;
  fputs (out, stdout);
  return 0;
}
