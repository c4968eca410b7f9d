/* ocirt create [options] ID: set the container up; its process waits for `start`. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "ocirt/cleanup.h"
#include "ocirt/container.h"
#include "ocirt/err.h"
#include "opts.h"

int
cmd_create (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  struct ocirt_create_opts o = { 0 };
  const char *pidfd_socket = NULL;
  const struct opt opts[] = {
    { "bundle", 'b', OPT_STRING, &o.bundle },
    { "pid-file", 0, OPT_STRING, &o.pid_file },
    { "console-socket", 0, OPT_STRING, &o.console_socket },
    { "pidfd-socket", 0, OPT_STRING, &pidfd_socket },
    { "no-pivot", 0, OPT_BOOL, &o.no_pivot },
    { "no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring },
    { "preserve-fds", 0, OPT_INT, &o.preserve_fds },
  };
  const struct opt_cmd cmd = {
    .name = "create",
    .usage = "create [options] ID",
    .help = "Create container ID from a bundle: everything in config.json is set up, and the process\n"
            "waits until `ocirt start ID` (state \"created\").\n\n"
            "Options:\n"
            "  -b, --bundle DIR         the bundle (default: the current directory)\n"
            "  --pid-file FILE          write the container process' pid to FILE\n"
            "  --console-socket PATH    AF_UNIX socket to receive the pty master (process.terminal)\n"
            "  --no-pivot               MS_MOVE + chroot instead of pivot_root (rootfs on a ramfs)\n"
            "  --no-new-keyring         keep the session keyring instead of a new one per container\n"
            "  --preserve-fds N         pass N more fds (from fd 3 on) to the process\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  if (pidfd_socket != NULL)
    return ocirt_err_make (err, 0, "create: --pidfd-socket is not supported yet");
  o.id = pos[0];
  return ocirt_container_create (ctx, &o, err) < 0 ? -1 : 0;
}
