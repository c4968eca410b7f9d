/* `ocirt exec`: a new process in a live container (src/lib/run/exec.c).
 *
 * The process is the container's own (config.json as it was at create, kept in the state dir)
 * with the command line's changes, or the whole `process` object of --process FILE. It joins
 * every namespace in which the container's init differs from the runtime (user first), its cgroup
 * and its root, and gets the container's seccomp filter and the process's user, capabilities,
 * rlimits, NNP and LSM labels through security.h.
 *
 * Processes: the runtime joins the init's pid namespace for its children only, clones the process
 * (into the cgroup2 cgroup with clone3 CLONE_INTO_CGROUP, unless execCPUAffinity.initial must come
 * first), and leaves the pid namespace again; the child applies execCPUAffinity.initial, moves
 * itself into the cgroup's other hierarchies (ocirt_cgroup_join_self), joins the other namespaces, the
 * root and cwd, makes its terminal, applies the security and execs. It reports a failure, the pty
 * master (no console socket) and the seccomp listener fd over a socketpair whose end closes on
 * exec. */
#ifndef OCIRT_EXEC_H
#define OCIRT_EXEC_H

#include <stdbool.h>
#include <stddef.h>

struct ocirt_ctx;
struct ocirt_err;

/* The exit status of `ocirt exec` when the exec itself failed (runc's). */
#define OCIRT_EXEC_FAILURE 255

struct ocirt_exec_opts
{
  const char *id;
  const char *process_file; /* --process: the process JSON; args and the process flags are then unused */
  char *const *args;        /* the command (without --process), NULL-terminated */
  size_t n_args;
  bool tty;                 /* -t */
  bool detach;              /* -d: return once it runs */
  const char *pid_file;
  const char *console_socket;
  char *const *env; /* -e VAR=value, added to (or replacing in) the container's env */
  size_t n_env;
  const char *cwd;
  const char *user; /* "UID[:GID]" */
  char *const *additional_gids;
  size_t n_additional_gids;
  char *const *caps; /* added to the bounding, effective and permitted sets */
  size_t n_caps;
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  int preserve_fds;
  bool ignore_paused;
};

/* Foreground: the process's exit status (128+N when killed by signal N). Detached: 0 once it
 * runs. -1 with *err when the exec itself failed (the CLI then exits 255, as runc). */
int ocirt_container_exec (const struct ocirt_ctx *ctx, const struct ocirt_exec_opts *o, struct ocirt_err **err);

#endif
