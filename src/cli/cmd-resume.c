/* ocirt resume ID: thaw a paused container; state becomes running. */
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "opts.h"

int
cmd_resume (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const struct opt_cmd cmd = {
    .name = "resume",
    .usage = "resume ID",
    .help = "Resume every process of container ID, which `ocirt pause` suspended.\n",
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return ocirt_container_resume (ctx, pos[0], err) < 0 ? -1 : 0;
}
