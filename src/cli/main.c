/* ocirt's entry: global flags (as runc takes them), the command table, and the one place where an
 * error is printed and mapped to an exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/exec.h"
#include "ocirt/log.h"
#include "ocirt/ocirt.h"
#include "ocirt/security.h"
#include "version.h"
#include "ocirt/xalloc.h"

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

typedef int (*cmd_fn) (struct ocirt_ctx *, int, char **, struct ocirt_err **);

struct command
{
  const char *name;
  cmd_fn fn;
  const char *summary;
};

#define OCIRT_TABLE_ENTRY(n, s) { #n, cmd_##n, s },
static const struct command commands[] = { OCIRT_COMMANDS (OCIRT_TABLE_ENTRY) };
#undef OCIRT_TABLE_ENTRY

struct globals
{
  const char *log_path;
  const char *log_format;
  const char *rootless;
};

static void
print_usage (FILE *out)
{
  fputs ("Usage: ocirt [global options] COMMAND [options] [arguments]\n\n"
         "ocirt runs OCI bundles as containers; its command line is runc's.\n\nCommands:\n",
         out);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs ("\nGlobal options:\n"
         "  --root DIR            state directory (default " OCIRT_DEFAULT_ROOT ", or $XDG_RUNTIME_DIR/ocirt\n"
         "                        when not run as root)\n"
         "  --log FILE            write log lines to FILE instead of stderr\n"
         "  --log-format FORMAT   text (default) or json\n"
         "  --debug               log debug lines\n"
         "  --systemd-cgroup      use the systemd cgroup driver (cgroupsPath is slice:prefix:name)\n"
         "  --rootless VALUE      true, false or auto (default)\n"
         "  -h, --help            show this help\n"
         "  -v, --version         print the version\n"
         "\nRun `ocirt COMMAND --help` for a command's options.\n",
         out);
}

static void
print_version (void)
{
  printf ("ocirt version %s\ncommit: %s\nspec: %s\n", OCIRT_VERSION_STRING, OCIRT_COMMIT, OCIRT_SPEC_VERSION);
#ifdef HAVE_SECCOMP
  const struct scmp_version *v = seccomp_version ();
  printf ("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
#endif
}

/* A global flag's value: "--root=X" or "--root X". Returns NULL when name does not match. */
static const char *
flag_value (const char *name, int argc, char **argv, int *i, bool *missing)
{
  const char *a = argv[*i];
  size_t n = strlen (name);

  a += a[1] == '-' ? 2 : 1;
  if (strncmp (a, name, n) != 0)
    return NULL;
  if (a[n] == '=')
    return a + n + 1;
  if (a[n] != '\0')
    return NULL;
  if (*i + 1 >= argc)
    {
      *missing = true;
      return NULL;
    }
  return argv[++*i];
}

static bool
flag_is (const char *a, const char *name)
{
  a += a[1] == '-' ? 2 : 1;
  return strcmp (a, name) == 0 || (strncmp (a, name, strlen (name)) == 0 && strcmp (a + strlen (name), "=true") == 0);
}

/* Parses the global flags before the command. Returns the index of the command, argc when there
 * is none, or -1 (error) / -2 (help or version printed). */
static int
parse_globals (int argc, char **argv, struct ocirt_ctx *ctx, struct globals *g, struct ocirt_err **err)
{
  int i;

  for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++)
    {
      const char *a = argv[i], *v;
      bool missing = false;

      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        return print_usage (stdout), -2;
      if (strcmp (a, "--version") == 0 || strcmp (a, "-v") == 0)
        return print_version (), -2;
      if (flag_is (a, "debug"))
        ctx->debug = true;
      else if (flag_is (a, "systemd-cgroup"))
        ctx->systemd_cgroup = true;
      else if ((v = flag_value ("root", argc, argv, &i, &missing)) != NULL)
        ctx->root = v;
      else if ((v = flag_value ("log-format", argc, argv, &i, &missing)) != NULL)
        g->log_format = v;
      else if ((v = flag_value ("log", argc, argv, &i, &missing)) != NULL)
        g->log_path = v;
      else if ((v = flag_value ("rootless", argc, argv, &i, &missing)) != NULL)
        g->rootless = v;
      else if (missing)
        return ocirt_err_make (err, 0, "global flag `%s` needs a value", a);
      else
        return ocirt_err_make (err, 0, "unknown global flag `%s` (see `ocirt --help`)", a);
    }
  return i;
}

static int
apply_globals (struct ocirt_ctx *ctx, const struct globals *g, struct ocirt_err **err)
{
  enum ocirt_log_format fmt = OCIRT_LOG_TEXT;

  if (g->log_format != NULL && strcmp (g->log_format, "json") == 0)
    fmt = OCIRT_LOG_JSON;
  else if (g->log_format != NULL && strcmp (g->log_format, "text") != 0)
    return ocirt_err_make (err, 0, "unknown log format `%s`: expected text or json", g->log_format);
  if (g->rootless == NULL || strcmp (g->rootless, "auto") == 0)
    ctx->rootless = OCIRT_ROOTLESS_AUTO;
  else if (strcmp (g->rootless, "true") == 0)
    ctx->rootless = OCIRT_ROOTLESS_TRUE;
  else if (strcmp (g->rootless, "false") == 0)
    ctx->rootless = OCIRT_ROOTLESS_FALSE;
  else
    return ocirt_err_make (err, 0, "invalid --rootless value `%s`: expected true, false or auto", g->rootless);
  return ocirt_log_init (g->log_path, fmt, ctx->debug, err);
}

/* runc's default root when not run as root: $XDG_RUNTIME_DIR/<name> (podman sets XDG_RUNTIME_DIR
 * for every call), since /run/ocirt is not writable. */
static char *
default_root (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");

  if (geteuid () != 0 && xdg != NULL && xdg[0] == '/')
    return xfmt ("%s/ocirt", xdg);
  return NULL;
}

static const struct command *
find_command (const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* CVE-2019-5736: the commands that put a runtime process into a container's namespaces run from a
 * sealed copy of the binary, so the container can never reach the host's file through
 * /proc/PID/exe (exe-seal.c; skipped when the binary is on a read-only mount). */
static bool
enters_container (const struct command *cmd)
{
  return cmd->fn == cmd_create || cmd->fn == cmd_run || cmd->fn == cmd_exec;
}

/* The one place an error is reported. With --log FILE the line goes to the file in the chosen
 * format and a plain copy to stderr, as runc does (containerd reads the file, people stderr). */
static int
report (struct ocirt_err *e)
{
  cleanup_free char *text = ocirt_err_text (e);

  log_error ("%s", text);
  if (ocirt_log_to_file ())
    fprintf (stderr, "ocirt: %s\n", text);
  return OCIRT_EXIT_FAILURE;
}

int
main (int argc, char **argv)
{
  struct ocirt_ctx ctx = { .root = OCIRT_DEFAULT_ROOT };
  struct globals g = { 0 };
  cleanup_free char *xdg_root = default_root ();
  cleanup_free char *seccomp_cache = NULL;
  cleanup_err struct ocirt_err *err = NULL;
  const struct command *cmd;
  int i, ret;

  if (xdg_root != NULL)
    ctx.root = xdg_root;
  i = parse_globals (argc, argv, &ctx, &g, &err);
  if (i == -2)
    return 0;
  if (i < 0 || apply_globals (&ctx, &g, &err) < 0)
    return report (err);
  if (i >= argc)
    {
      print_usage (stderr);
      return OCIRT_EXIT_FAILURE;
    }
  cmd = find_command (argv[i]);
  if (cmd == NULL)
    {
      ocirt_err_make (&err, 0, "unknown command `%s` (see `ocirt --help`)", argv[i]);
      return report (err);
    }
  log_debug ("command %s", cmd->name);
  if (enters_container (cmd) && ocirt_exe_reexec_sealed (argv, &err) < 0)
    return report (err);
  /* Compiled seccomp programs are kept in the state root: libseccomp needs ~30 ms for podman's
   * profile here, a cached program loads in microseconds (security.h). */
  seccomp_cache = xfmt ("%s/.seccomp-cache", ctx.root);
  ocirt_seccomp_set_cache_dir (seccomp_cache);
  ret = cmd->fn (&ctx, argc - i, argv + i, &err);
  if (ret < 0)
    {
      ret = report (err);
      /* exec exits with its process' status, so its own failure is 255, as runc's */
      if (cmd->fn == cmd_exec)
        ret = OCIRT_EXEC_FAILURE;
    }
  ocirt_log_close ();
  return ret;
}
