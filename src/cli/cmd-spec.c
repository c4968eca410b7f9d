/* ocirt spec [--bundle DIR] [--rootless]: write runc's default config.json. */
#include <stdlib.h>

#include "commands.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "opts.h"

int
cmd_spec (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const char *bundle = NULL;
  bool rootless = false;
  const struct opt opts[] = {
    { "bundle", 'b', OPT_STRING, &bundle },
    { "rootless", 0, OPT_BOOL, &rootless },
  };
  const struct opt_cmd cmd = {
    .name = "spec",
    .usage = "spec [options]",
    .help = "Write a default config.json (the one `runc spec` writes) into the bundle directory.\n"
            "Edit it before use: process.args is [\"sh\"] and process.terminal is true.\n"
            "Refuses to overwrite an existing config.json.\n\n"
            "Options:\n"
            "  -b, --bundle DIR   the bundle directory (default: the current directory)\n"
            "  --rootless         a configuration for a rootless container: a user namespace mapping\n"
            "                     root to the calling user, no network namespace, /sys bind-mounted\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  char **pos = NULL;
  size_t n_pos = 0;
  int r;

  (void) ctx;
  r = opts_parse_n (&cmd, argc, argv, 0, 0, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  free (pos);
  if (ocirt_spec_write_default (bundle, rootless, err) < 0)
    return -1;
  return 0;
}
