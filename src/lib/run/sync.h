/* The parent <-> init protocol: ONE socketpair (AF_UNIX, SOCK_SEQPACKET, so every message arrives
 * whole) between the runtime that clones the init and the init itself. docs/design/sync-protocol.md
 * has the full story; the exchange is:
 *
 *   parent (ocirt create / run)                     init ("ocirt:[INIT]")
 *   ---------------------------                     ----------------------
 *   clone3 ------------------------------------------> starts, waits for GO
 *   [cgroup add_pid: only new userns + old cgroup]
 *   [write uid_map/gid_map when the userns is new]
 *   GO -----------------------------------------------> joins its cgroup (join_self),
 *                                                       setresuid(0)..., joins (user, mnt),
 *                                                       unshare (cgroup; all new ones when the
 *                                                       userns is joined), fork when a pid ns
 *                                                       must be made after joining a userns:
 *   <------------------------------------------------- PID n   (only then: n is the real init)
 *   <------------------------------------------------- LOG level text   (any number, any time)
 *                                                       rootfs, mounts, /dev,
 *   <------------------------------------------------- HOOKS   (only with hooks in config.json)
 *   prestart, createRuntime hooks
 *   GO pid --------------------------------------------> createContainer hooks, pivot_root,
 *   <------------------------------------------------- TTY + fd (terminal, no console socket)
 *                                                       hostname, cwd, PATH lookup
 *   <------------------------------------------------- READY   or   ERROR errno text (then exits)
 *   state.json "created", pid file, exit 0              opens exec.fifo for writing: blocks
 *
 * EOF instead of READY means the init died: the parent reports its exit status. After READY the
 * socket is closed on both sides; `start` talks to the init through exec.fifo (see container.c). */
#ifndef OCIRT_RUN_SYNC_H
#define OCIRT_RUN_SYNC_H

#include <stdint.h>

struct ocirt_err;

enum ocirt_sync_type
{
  OCIRT_SYNC_EOF = 0, /* not sent: what recv reports when the peer is gone */
  OCIRT_SYNC_GO,      /* parent -> init */
  OCIRT_SYNC_PID,     /* init -> parent: value = pid of the real init, in the parent's pid ns */
  OCIRT_SYNC_LOG,     /* init -> parent: value = enum ocirt_log_level, text = the line */
  OCIRT_SYNC_ERROR,   /* init -> parent: value = errno (0 when none), text = the message */
  OCIRT_SYNC_READY,   /* init -> parent */
  OCIRT_SYNC_HOOKS,   /* init -> parent: mounts done, not pivoted; the parent runs prestart and
                       * createRuntime, then GO with value = the init's pid (for the hooks' state) */
  OCIRT_SYNC_TTY,     /* init -> parent: the next message carries the pty master (ocirt_fd_send) */
};

#define OCIRT_SYNC_TEXT_MAX 4000

struct ocirt_sync_msg
{
  uint32_t type;
  int32_t value;
  char text[OCIRT_SYNC_TEXT_MAX + 1]; /* NUL-terminated */
};

const char *ocirt_sync_name (enum ocirt_sync_type t);

/* Sends one message; text may be NULL. Returns 0 or -1 with errno (EPIPE when the peer is gone:
 * never SIGPIPE). */
int ocirt_sync_send (int fd, enum ocirt_sync_type type, int32_t value, const char *text);
/* Receives one message (EINTR retried). EOF gives type OCIRT_SYNC_EOF. */
int ocirt_sync_recv (int fd, struct ocirt_sync_msg *m, struct ocirt_err **err);

/* The init's side of errors and logs: send an error object (then the init exits) or a log line. */
void ocirt_sync_send_err (int fd, const struct ocirt_err *e);
void ocirt_sync_log (int fd, int level, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

#endif
