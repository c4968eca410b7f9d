/* ocirt check [BUNDLE]: validate a bundle's config.json and print every problem with its JSON
 * path and line. Exit 0 only when the bundle is valid. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "opts.h"

static void
print_problem (void *ctx, const char *problem)
{
  (void) ctx;
  printf ("%s\n", problem);
}

int
cmd_check (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const char *bundle = NULL;
  const struct opt opts[] = {
    { "bundle", 'b', OPT_STRING, &bundle },
  };
  const struct opt_cmd cmd = {
    .name = "check",
    .usage = "check [options] [BUNDLE]",
    .help = "Parse and validate BUNDLE/config.json (default: the current directory) as create and start\n"
            "would, and print every problem, one per line, with its JSON path and line:\n"
            "  config.json: linux.namespaces[2].type: unknown namespace \"pidd\" at line 40\n"
            "The root filesystem (root.path, relative to the bundle) must exist.\n"
            "Exit status 0 when the bundle is valid, 1 otherwise.\n\n"
            "Options:\n"
            "  -b, --bundle DIR   the bundle directory (instead of the BUNDLE argument)\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  char **pos = NULL;
  size_t n_pos = 0;
  int r, n;

  (void) ctx;
  r = opts_parse_n (&cmd, argc, argv, 0, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (bundle != NULL && n_pos > 0)
    {
      free (pos);
      return opts_require_args (&cmd, n_pos, 0, 0, err);
    }
  if (bundle == NULL)
    bundle = n_pos > 0 ? pos[0] : ".";
  free (pos);
  n = ocirt_bundle_check (bundle, print_problem, NULL, err);
  if (n < 0)
    return -1;
  if (n == 0)
    printf ("config.json: valid\n");
  else
    printf ("config.json: %d problem%s\n", n, n == 1 ? "" : "s");
  return n == 0 ? 0 : 1;
}
