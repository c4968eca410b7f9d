/* The container lifecycle: the entry points the CLI's create/start/run/kill/delete call
 * (src/lib/run/container.c). docs/design/process-model.md describes the processes involved. */
#ifndef OCIRT_CONTAINER_H
#define OCIRT_CONTAINER_H

#include <stdbool.h>

struct ocirt_ctx;
struct ocirt_err;

struct ocirt_create_opts
{
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;       /* written atomically once the container is created */
  const char *console_socket; /* AF_UNIX path for the pty master (process.terminal) */
  bool no_pivot;              /* MS_MOVE + chroot instead of pivot_root */
  bool no_new_keyring;        /* keep the session keyring instead of joining a new one */
  int preserve_fds;           /* fds 3..3+N-1 are passed to the container (after LISTEN_FDS ones) */
};

struct ocirt_run_opts
{
  struct ocirt_create_opts create;
  bool detach; /* return once started */
  bool keep;   /* foreground: do not delete the container when it exits */
};

/* create: the container's init is set up and waits in exec.fifo; state "created". */
int ocirt_container_create (const struct ocirt_ctx *ctx, const struct ocirt_create_opts *o, struct ocirt_err **err);
/* start: the init execs process.args; state "running". */
int ocirt_container_start (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err);
/* run: create + start; in the foreground it forwards signals, waits and deletes (unless keep).
 * Returns the exit status to exit with (the container's, 128+signal when killed), or -1. */
int ocirt_container_run (const struct ocirt_ctx *ctx, const struct ocirt_run_opts *o, struct ocirt_err **err);
/* kill: sig to the init (checked against pid reuse), or with all to every process of its cgroup. */
int ocirt_container_kill (const struct ocirt_ctx *ctx, const char *id, int sig, bool all, struct ocirt_err **err);
/* delete: a stopped container, or with force any (SIGKILL and wait first); with force, an id that
 * does not exist is no error (as runc). */
int ocirt_container_delete (const struct ocirt_ctx *ctx, const char *id, bool force, struct ocirt_err **err);

/* "TERM", "SIGTERM", "15" -> 15. Errors name the bad value. */
int ocirt_signal_parse (const char *s, int *sig, struct ocirt_err **err);

/* The id `ocirt run DIR` uses when it is given only a bundle directory: its base name. NULL when arg
 * does not look like a bundle path (no '/' and not a directory holding config.json). */
char *ocirt_run_id_from_bundle_arg (const char *arg);

#endif
