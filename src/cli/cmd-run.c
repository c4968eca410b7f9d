/* ocirt run [options] [ID]: create + start; in the foreground, wait and exit with its status. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/container.h"
#include "ocirt/err.h"
#include "opts.h"

int
cmd_run (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  struct ocirt_run_opts o = { 0 };
  const char *pidfd_socket = NULL;
  bool no_subreaper = false;
  const struct opt opts[] = {
    { "bundle", 'b', OPT_STRING, &o.create.bundle },
    { "detach", 'd', OPT_BOOL, &o.detach },
    { "keep", 0, OPT_BOOL, &o.keep },
    { "pid-file", 0, OPT_STRING, &o.create.pid_file },
    { "console-socket", 0, OPT_STRING, &o.create.console_socket },
    { "pidfd-socket", 0, OPT_STRING, &pidfd_socket },
    { "no-subreaper", 0, OPT_BOOL, &no_subreaper },
    { "no-pivot", 0, OPT_BOOL, &o.create.no_pivot },
    { "no-new-keyring", 0, OPT_BOOL, &o.create.no_new_keyring },
    { "preserve-fds", 0, OPT_INT, &o.create.preserve_fds },
  };
  const struct opt_cmd cmd = {
    .name = "run",
    .usage = "run [options] [ID | BUNDLE_DIR]",
    .help = "Create and start a container. In the foreground, signals go to the container, and ocirt\n"
            "waits, deletes it and exits with its status (128+N when killed by signal N).\n"
            "With only a bundle directory (a path with '/', or a directory holding config.json) the\n"
            "id is the directory's name.\n\n"
            "Options:\n"
            "  -b, --bundle DIR         the bundle (default: the current directory)\n"
            "  -d, --detach             return once the container runs\n"
            "  --keep                   do not delete the container when it exits (foreground)\n"
            "  --pid-file FILE          write the container process' pid to FILE\n"
            "  --console-socket PATH    AF_UNIX socket to receive the pty master (process.terminal)\n"
            "  --no-subreaper           accepted for runc compatibility (ocirt is the init's parent)\n"
            "  --no-pivot               MS_MOVE + chroot instead of pivot_root (rootfs on a ramfs)\n"
            "  --no-new-keyring         keep the session keyring instead of a new one per container\n"
            "  --preserve-fds N         pass N more fds (from fd 3 on) to the process\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  cleanup_free char *id = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (pidfd_socket != NULL)
    return ocirt_err_make (err, 0, "run: --pidfd-socket is not supported yet");
  if (o.create.bundle == NULL && (id = ocirt_run_id_from_bundle_arg (pos[0])) != NULL)
    o.create.bundle = pos[0];
  o.create.id = id != NULL ? id : pos[0];
  return ocirt_container_run (ctx, &o, err);
}
