/* ocirt exec [options] ID [--] COMMAND [ARG...]: a new process in a running container. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/exec.h"
#include "opts.h"

int
cmd_exec (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  struct ocirt_exec_opts o = { 0 };
  struct opt_strv env = { 0 }, gids = { 0 }, caps = { 0 };
  const char *pidfd_socket = NULL, *cgroup = NULL;
  const struct opt opts[] = {
    { "process", 'p', OPT_STRING, &o.process_file },
    { "tty", 't', OPT_BOOL, &o.tty },
    { "detach", 'd', OPT_BOOL, &o.detach },
    { "pid-file", 0, OPT_STRING, &o.pid_file },
    { "console-socket", 0, OPT_STRING, &o.console_socket },
    { "pidfd-socket", 0, OPT_STRING, &pidfd_socket },
    { "env", 'e', OPT_STRV, &env },
    { "cwd", 0, OPT_STRING, &o.cwd },
    { "user", 'u', OPT_STRING, &o.user },
    { "additional-gids", 'g', OPT_STRV, &gids },
    { "cap", 'c', OPT_STRV, &caps },
    { "no-new-privs", 0, OPT_BOOL, &o.no_new_privs },
    { "apparmor", 0, OPT_STRING, &o.apparmor },
    { "process-label", 0, OPT_STRING, &o.process_label },
    { "preserve-fds", 0, OPT_INT, &o.preserve_fds },
    { "ignore-paused", 0, OPT_BOOL, &o.ignore_paused },
    { "cgroup", 0, OPT_STRING, &cgroup },
  };
  const struct opt_cmd cmd = {
    .name = "exec",
    .usage = "exec [options] ID [--] COMMAND [ARG...]",
    .help = "Run a new process in a container: the container's process (config.json as at create) with\n"
            "COMMAND and the changes below, or the process JSON of --process. In the foreground ocirt\n"
            "waits and exits with the process' status (255 when the exec itself failed).\n\n"
            "Options:\n"
            "  -p, --process FILE       the process, a config.json `process` object (flags below unused)\n"
            "  -t, --tty                give the process a terminal\n"
            "  -d, --detach             return once the process runs\n"
            "  --pid-file FILE          write the process' pid to FILE\n"
            "  --console-socket PATH    AF_UNIX socket to receive the pty master (with -t and -d)\n"
            "  -e, --env VAR=VALUE      set an environment variable (repeatable)\n"
            "  --cwd DIR                the working directory\n"
            "  -u, --user UID[:GID]     the user (numbers, as in the container)\n"
            "  -g, --additional-gids G  an additional group (repeatable)\n"
            "  -c, --cap CAP            add a capability (repeatable)\n"
            "  --no-new-privs           set no_new_privs\n"
            "  --apparmor PROFILE       the AppArmor profile\n"
            "  --process-label LABEL    the SELinux label\n"
            "  --preserve-fds N         pass N more fds (from fd 3 on) to the process\n"
            "  --ignore-paused          exec in a paused container (the process waits until resume)\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
    .stop_after = 1,
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse (&cmd, argc, argv, &pos, &n_pos, err);
  if (r == 0 && opts_require_args (&cmd, n_pos, 1, (size_t) -1, err) < 0)
    r = -1;
  if (r == 0 && pidfd_socket != NULL)
    r = ocirt_err_make (err, 0, "--pidfd-socket is not supported yet");
  if (r == 0 && cgroup != NULL)
    r = ocirt_err_make (err, 0, "--cgroup (a sub-cgroup for the process) is not supported yet");
  if (r == 0)
    {
      size_t first = n_pos > 1 && strcmp (pos[1], "--") == 0 ? 2 : 1;

      o.id = pos[0];
      o.args = pos + first;
      o.n_args = n_pos - first;
      o.env = (char *const *) env.items;
      o.n_env = env.n;
      o.additional_gids = (char *const *) gids.items;
      o.n_additional_gids = gids.n;
      o.caps = (char *const *) caps.items;
      o.n_caps = caps.n;
      r = ocirt_container_exec (ctx, &o, err);
      if (r < 0)
        ocirt_err_wrap (err, "exec failed");
    }
  else if (r > 0)
    r = 0; /* --help */
  opt_strv_free (&env);
  opt_strv_free (&gids);
  opt_strv_free (&caps);
  return r;
}
