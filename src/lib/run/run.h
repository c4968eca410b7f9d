/* Internal interface between the lifecycle orchestration (container.c), the clone (spawn.c) and
 * the container side (init.c). See docs/design/process-model.md. */
#ifndef OCIRT_RUN_RUN_H
#define OCIRT_RUN_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ocirt_err;
struct ocirt_spec;
struct ocirt_security;
struct ocirt_mount_plan;
struct ocirt_ns_plan;
struct ocirt_cgroup;

/* Everything the init needs; it runs in a copy of the runtime's memory, so pointers stay valid. */
struct ocirt_init_args
{
  const struct ocirt_spec *spec;
  const char *id;
  const char *rootfs;                    /* absolute host path */
  const struct ocirt_mount_plan *mounts;
  const struct ocirt_ns_plan *ns;
  const struct ocirt_security *sec;      /* NULL when the config has no process */
  char *const *env;                      /* process.env plus LISTEN_FDS/LISTEN_PID when passed */
  int sync_fd;                           /* the init's end of the socketpair */
  int fifo_fd;                           /* O_PATH fd of <root>/<id>/exec.fifo */
  int n_preserved;                       /* fds 3..3+n-1 go to the process (LISTEN_FDS + --preserve-fds) */
  bool no_pivot;
  bool shared_root;                      /* no new mount ns, but mounts: ocirt_rootfs_prepare_shared */
  bool no_new_keyring;
  bool cgroup_mount;                     /* a mount of type cgroup: read the host's cgroup layout */
  const char *bundle;                    /* absolute, for the hooks' state */
  int console_fd;                        /* connected --console-socket, or -1 */
  int notify_fd;                         /* connected linux.seccomp.listenerPath, or -1 */
  struct ocirt_cgroup *cgroup;           /* joined by the init itself on GO (NULL: the runtime did) */
  bool cgroup_in_v2;                     /* cloned into its cgroup2 cgroup: only v1 ones left */
};

/* The container side: never returns (execs the process, or _exits after reporting an error). */
_Noreturn void ocirt_init_main (const struct ocirt_init_args *a);

/* clone3 into new namespaces (and into the cgroup of cgroup_fd when >= 0; *into_cgroup says whether
 * that happened: clone() as a fallback cannot). Returns the pid in the parent (with *pidfd), 0 in
 * the child, -1 with *err. */
pid_t ocirt_spawn (uint64_t flags, int cgroup_fd, int *pidfd, bool *into_cgroup, struct ocirt_err **err);

/* exec.fifo messages from the init to `start`: nothing before EOF means the process was exec'd;
 * otherwise one error (errno + text). */
struct ocirt_fifo_error
{
  int32_t errnum;
  uint32_t len;
};

/* Shared with exec.c (src/lib/run/exec.c) */

struct ocirt_state;

/* container.c: a pidfd of the init if it is still the process recorded in st (start time), else
 * -1 with errno ESRCH; the pid file, atomically; the foreground wait that forwards every signal
 * in sigs to the process and returns its status as a shell reports it. */
int ocirt_open_init (const struct ocirt_state *st);
int ocirt_write_pid_file (const char *path, pid_t pid, struct ocirt_err **err);
int ocirt_forward_and_wait (int pidfd, pid_t pid, const sigset_t *sigs, struct ocirt_err **err);
/* init.c: execvp's PATH search in the process's env (runc's wording); only stdio and fds
 * 3..3+n-1 survive execve. */
int ocirt_find_executable (const char *name, char *const *env, char **out, struct ocirt_err **err);
void ocirt_prepare_fds (int n_preserved);
/* fd moved to min or above (CLOEXEC) when it is in the way of the fds handed to the process */
int ocirt_fd_above (int fd, int min, struct ocirt_err **err);

/* exec.c: create keeps config.json as it was in <root>/<id>/OCIRT_STATE_CONFIG, which exec reads
 * (edits of the bundle after create must not reach the container). */
#define OCIRT_STATE_CONFIG "config.json"
int ocirt_keep_config (const char *root, const char *id, const char *bundle, struct ocirt_err **err);
struct ocirt_spec *ocirt_load_kept_config (const char *root, const char *id, struct ocirt_err **err);

#endif
