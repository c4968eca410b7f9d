/* ocirt features: what this build and kernel support, as the runtime spec's features JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/features.h"
#include "opts.h"

int
cmd_features (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const struct opt_cmd cmd = {
    .name = "features",
    .usage = "features",
    .help = "Print the features this build of ocirt supports on this kernel, as the JSON of the runtime\n"
            "spec's features.md (hooks, mount options, namespaces, capabilities, cgroup drivers, seccomp,\n"
            "LSMs, ...). containerd and podman read it to decide what they may ask for.\n",
  };
  struct ocirt_features_host host;
  cleanup_free char *json = NULL;
  char **pos = NULL;
  size_t n_pos = 0;
  int r;

  (void) ctx;
  r = opts_parse_n (&cmd, argc, argv, 0, 0, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  free (pos);
  ocirt_features_probe (&host);
  json = ocirt_features_json (&host);
  if (fputs (json, stdout) == EOF || fflush (stdout) != 0)
    return ocirt_err_make (err, errno, "write the features to stdout");
  return 0;
}
