/* A small table-driven flag parser shared by every command file.
 *
 * Accepts what runc's clients send: `--flag value`, `--flag=value`, `-flag value` (Go style, one
 * dash), short forms (`-b DIR`, `-d`), boolean `--flag` / `--flag=true|false`, and `--` to end
 * flags. Flags may come before or after positionals (GNU order) until `stop_after` positionals
 * have been seen: exec stops at its ID, so `exec ID sh -c ...` keeps `-c` for the command. */
#ifndef OCIRT_CLI_OPTS_H
#define OCIRT_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

struct ocirt_err;

enum opt_kind
{
  OPT_BOOL,   /* bool * */
  OPT_STRING, /* const char ** (points into argv) */
  OPT_INT,    /* int *, decimal, >= 0 */
  OPT_STRV,   /* struct opt_strv *, repeatable */
};

struct opt_strv
{
  const char **items;
  size_t n;
};

struct opt
{
  const char *name; /* long name without dashes */
  char short_name;  /* 0 when none */
  enum opt_kind kind;
  void *target;
};

struct opt_cmd
{
  const char *name;  /* "create" */
  const char *usage; /* "create [options] ID" */
  const char *help;  /* description and the option list, printed by --help */
  const struct opt *opts;
  size_t n_opts;
  int stop_after; /* 0: parse flags everywhere; N: after N positionals the rest is positional */
};

/* Parses argv (argv[0] is the command name). Positionals are collected, in order, into pos.
 * Returns 0, 1 when --help was printed (the command then returns 0), or -1 with *err naming an
 * unknown flag or a missing value. pos_out must be freed by the caller (free, not the strings). */
int opts_parse (const struct opt_cmd *cmd, int argc, char **argv, char ***pos_out, size_t *n_pos,
                struct ocirt_err **err);

/* opts_parse, then opts_require_args: how every command starts. Same returns as opts_parse;
 * on failure nothing is left to free. */
int opts_parse_n (const struct opt_cmd *cmd, int argc, char **argv, size_t min, size_t max, char ***pos_out,
                  size_t *n_pos, struct ocirt_err **err);

/* The common "exactly N positionals" check with runc's message style. */
int opts_require_args (const struct opt_cmd *cmd, size_t n_pos, size_t min, size_t max, struct ocirt_err **err);

void opts_print_help (const struct opt_cmd *cmd);

void opt_strv_free (struct opt_strv *v);

#endif
