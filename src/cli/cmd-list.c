/* ocirt list [--format table|json] [-q]: the containers under --root, as runc lists them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "ocirt/state.h"
#include "opts.h"

int
cmd_list (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  const char *format = "table";
  bool quiet = false;
  const struct opt opts[] = {
    { "format", 'f', OPT_STRING, &format },
    { "quiet", 'q', OPT_BOOL, &quiet },
  };
  const struct opt_cmd cmd = {
    .name = "list",
    .usage = "list [options]",
    .help = "List the containers in the state root (--root).\n\n"
            "Options:\n"
            "  -f, --format FORMAT   table (default: ID PID STATUS BUNDLE CREATED OWNER) or json\n"
            "  -q, --quiet           print only the container ids\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  cleanup_free char *text = NULL;
  struct ocirt_state **list = NULL;
  size_t n_pos = 0, n = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 0, 0, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return ocirt_err_make (err, 0, "list: invalid format \"%s\": expected table or json", format);
  if (ocirt_state_list (ctx->root, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    ocirt_state_refresh (ctx->root, list[i]);
  if (quiet)
    for (size_t i = 0; i < n; i++)
      printf ("%s\n", list[i]->id);
  else if (strcmp (format, "json") == 0)
    {
      text = ocirt_state_list_json (list, n);
      printf ("%s\n", text);
    }
  else
    {
      text = ocirt_state_list_table (list, n);
      fputs (text, stdout);
    }
  ocirt_state_list_free (list, n);
  return 0;
}
