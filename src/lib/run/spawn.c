/* The one clone of the lifecycle: the init is born straight in its new namespaces (and cgroup). */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/err.h"
#include "ocirt/log.h"
#include "run.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

pid_t
ocirt_spawn (uint64_t flags, int cgroup_fd, int *pidfd, bool *into_cgroup, struct ocirt_err **err)
{
  struct clone_args args;
  long pid;

  memset (&args, 0, sizeof args);
  args.flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  args.pidfd = (uint64_t) (uintptr_t) pidfd;
  args.exit_signal = SIGCHLD;
  args.cgroup = cgroup_fd >= 0 ? (uint64_t) cgroup_fd : 0;
  *pidfd = -1;
  *into_cgroup = cgroup_fd >= 0;

  /* No stack given: the child goes on from here on a copy of ours, as after fork(). */
  pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid >= 0)
    return (pid_t) pid;
  if (errno != ENOSYS)
    return ocirt_err_make (err, errno, "clone3 the container init (flags %#llx)", (unsigned long long) args.flags);

  /* clone3 filtered out (some seccomp profiles answer ENOSYS): plain clone, no cgroup fd. */
  log_debug ("clone3 is not available; falling back to clone");
  *into_cgroup = false;
  pid = syscall (SYS_clone, (unsigned long) flags | CLONE_PIDFD | SIGCHLD, NULL, pidfd, NULL, 0);
  if (pid < 0)
    return ocirt_err_make (err, errno, "clone the container init (flags %#llx)", (unsigned long long) flags);
  return (pid_t) pid;
}
