/* Flag parsing for the command files (see opts.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "opts.h"

static const struct opt *
find_opt (const struct opt_cmd *cmd, const char *name, size_t len)
{
  for (size_t i = 0; i < cmd->n_opts; i++)
    {
      const struct opt *o = &cmd->opts[i];
      if (len == 1 && o->short_name == name[0])
        return o;
      if (strlen (o->name) == len && strncmp (o->name, name, len) == 0)
        return o;
    }
  return NULL;
}

static int
parse_bool (const char *cmdname, const char *flag, const char *v, bool *out, struct ocirt_err **err)
{
  if (strcmp (v, "true") == 0 || strcmp (v, "1") == 0)
    *out = true;
  else if (strcmp (v, "false") == 0 || strcmp (v, "0") == 0)
    *out = false;
  else
    return ocirt_err_make (err, 0, "%s: invalid boolean value \"%s\" for flag --%s", cmdname, v, flag);
  return 0;
}

static int
set_value (const struct opt_cmd *cmd, const struct opt *o, const char *v, struct ocirt_err **err)
{
  char *end;
  long n;

  switch (o->kind)
    {
    case OPT_BOOL:
      return parse_bool (cmd->name, o->name, v, o->target, err);
    case OPT_STRING:
      *(const char **) o->target = v;
      return 0;
    case OPT_INT:
      errno = 0;
      n = strtol (v, &end, 10);
      if (errno != 0 || *end != '\0' || end == v || n < 0 || n > 1 << 30)
        return ocirt_err_make (err, 0, "%s: invalid value \"%s\" for flag --%s: expected a number", cmd->name, v,
                               o->name);
      *(int *) o->target = (int) n;
      return 0;
    case OPT_STRV:
      {
        struct opt_strv *sv = o->target;
        sv->items = xrealloc (sv->items, (sv->n + 2) * sizeof *sv->items);
        sv->items[sv->n++] = v;
        sv->items[sv->n] = NULL;
        return 0;
      }
    }
  return 0;
}

static bool
is_help (const char *a)
{
  return strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0 || strcmp (a, "-help") == 0;
}

/* One flag at argv[*i]; may consume the next argument as its value. */
static int
parse_flag (const struct opt_cmd *cmd, int argc, char **argv, int *i, struct ocirt_err **err)
{
  const char *a = argv[*i];
  const char *name = a + (a[1] == '-' ? 2 : 1);
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t) (eq - name) : strlen (name);
  const struct opt *o = find_opt (cmd, name, len);

  if (o == NULL)
    return ocirt_err_make (err, 0, "%s: unknown flag `%.*s` (see `ocirt %s --help`)", cmd->name,
                           (int) (len + (size_t) (name - a)), a, cmd->name);
  if (eq != NULL)
    return set_value (cmd, o, eq + 1, err);
  if (o->kind == OPT_BOOL)
    {
      *(bool *) o->target = true;
      return 0;
    }
  if (*i + 1 >= argc)
    return ocirt_err_make (err, 0, "%s: flag --%s needs a value", cmd->name, o->name);
  (*i)++;
  return set_value (cmd, o, argv[*i], err);
}

int
opts_parse (const struct opt_cmd *cmd, int argc, char **argv, char ***pos_out, size_t *n_pos,
            struct ocirt_err **err)
{
  char **pos = xzalloc ((size_t) (argc + 1) * sizeof *pos);
  size_t n = 0;
  bool flags_done = false;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (cmd->stop_after > 0 && n >= (size_t) cmd->stop_after)
        flags_done = true;
      if (!flags_done && strcmp (a, "--") == 0)
        {
          flags_done = true;
          continue;
        }
      if (flags_done || a[0] != '-' || a[1] == '\0')
        {
          pos[n++] = argv[i];
          continue;
        }
      if (is_help (a))
        {
          opts_print_help (cmd);
          free (pos);
          return 1;
        }
      if (parse_flag (cmd, argc, argv, &i, err) < 0)
        {
          free (pos);
          return -1;
        }
    }
  *pos_out = pos;
  *n_pos = n;
  return 0;
}

int
opts_require_args (const struct opt_cmd *cmd, size_t n_pos, size_t min, size_t max, struct ocirt_err **err)
{
  if (n_pos < min)
    return ocirt_err_make (err, 0, "%s: missing argument: usage: ocirt %s", cmd->name, cmd->usage);
  if (n_pos > max)
    return ocirt_err_make (err, 0, "%s: too many arguments: usage: ocirt %s", cmd->name, cmd->usage);
  return 0;
}

int
opts_parse_n (const struct opt_cmd *cmd, int argc, char **argv, size_t min, size_t max, char ***pos_out,
              size_t *n_pos, struct ocirt_err **err)
{
  int r = opts_parse (cmd, argc, argv, pos_out, n_pos, err);

  if (r != 0)
    return r;
  if (opts_require_args (cmd, *n_pos, min, max, err) < 0)
    {
      free (*pos_out);
      *pos_out = NULL;
      return -1;
    }
  return 0;
}

void
opts_print_help (const struct opt_cmd *cmd)
{
  printf ("Usage: ocirt %s\n\n%s", cmd->usage, cmd->help);
  fflush (stdout);
}

void
opt_strv_free (struct opt_strv *v)
{
  free (v->items);
  v->items = NULL;
  v->n = 0;
}
