/* Terminals (process.terminal) and console sockets, src/lib/linux/terminal.c.
 *
 * Flow for a container (or exec) process with terminal: true:
 *   runtime, before clone:   ocirt_terminal_check (runc's flag rules), then with --console-socket
 *                            ocirt_console_socket_connect, so a bad path fails before anything exists;
 *                            the connected fd goes to the child.
 *   child, in the container: ocirt_pty_open after pivot_root with the container's devpts mounted
 *   (init: before the rootfs   (/dev/ptmx -> pts/ptmx), so the pty belongs to the container; size
 *   is made read-only)         from process.consoleSize. init only: ocirt_pty_mount_console binds
 *                            the slave on /dev/console. Then the master is handed over:
 *                            ocirt_fd_send (console socket, payload the slave's name, no reply) or,
 *                            without a console socket, ocirt_fd_send on the sync socket to the
 *                            runtime; the child closes its copy. Last, before execve:
 *                            ocirt_pty_attach_stdio (slave on 0/1/2, new session, controlling tty).
 *   runtime, foreground:     ocirt_fd_recv the master; ocirt_host_tty_open (raw mode on the
 *                            caller's terminal); ocirt_tty_proxy until the process exits;
 *                            ocirt_host_tty_restore.
 * Without terminal the caller's stdio goes to the process untouched and nothing here runs. */
#ifndef OCIRT_TERMINAL_H
#define OCIRT_TERMINAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

struct ocirt_err;

/* runc's rules and wording: a terminal with detach needs a console socket ("cannot allocate tty
 * if runc will detach without setting console socket"); a console socket needs detach and a
 * terminal ("cannot use console socket if runc will not detach or allocate tty"). create is
 * always detached. */
int ocirt_terminal_check (bool terminal, bool detach, const char *console_socket, struct ocirt_err **err);

/* AF_UNIX SOCK_STREAM connect to path (CLOEXEC). Abstract sockets are not supported. */
int ocirt_console_socket_connect (const char *path, struct ocirt_err **err);

/* One message on a unix socket: payload bytes (no NUL) plus fd in SCM_RIGHTS. The console socket
 * protocol of runc, conmon and the containerd shim; also usable on any sync socket. */
int ocirt_fd_send (int sock, int fd, const char *payload, struct ocirt_err **err);
/* Receives one such message: *fd (CLOEXEC) and, when payload is not NULL, its text (caller frees).
 * Exactly one fd must come; anything else is an error and closes what came. */
int ocirt_fd_recv (int sock, int *fd, char **payload, struct ocirt_err **err);

struct ocirt_pty
{
  int master;  /* CLOEXEC */
  int slave;   /* CLOEXEC, O_NOCTTY */
  char *name;  /* "/dev/pts/N", as seen in the mount namespace that opened it */
};
#define OCIRT_PTY_INIT { .master = -1, .slave = -1, .name = NULL }

/* A new pty pair from /dev/ptmx of the current mount namespace; rows and cols > 0 set its size. */
int ocirt_pty_open (uint32_t rows, uint32_t cols, struct ocirt_pty *pty, struct ocirt_err **err);
/* Bind-mounts the slave on /dev/console (created as an empty file when missing), as runc does. */
int ocirt_pty_mount_console (const struct ocirt_pty *pty, struct ocirt_err **err);
/* The slave becomes stdin, stdout and stderr and the controlling terminal of a new session. The
 * slave fd is closed afterwards; the master must already be handed over and closed. */
int ocirt_pty_attach_stdio (struct ocirt_pty *pty, struct ocirt_err **err);
/* Closes what is open and frees the name. */
void ocirt_pty_close (struct ocirt_pty *pty);

int ocirt_tty_set_size (int fd, uint32_t rows, uint32_t cols, struct ocirt_err **err);

/* The caller's terminal for a foreground process: the first of stderr, stdout, stdin that is a
 * terminal, else /dev/tty (as runc); put in raw mode until restored. */
struct ocirt_host_tty
{
  int fd;        /* the terminal; owned when it was opened from /dev/tty */
  bool owned;
  bool raw;
  struct termios saved;
};
int ocirt_host_tty_open (struct ocirt_host_tty *t, struct ocirt_err **err);
/* Whether there is one (the same search, nothing changed): checked before anything is created. */
int ocirt_host_tty_available (struct ocirt_err **err);
void ocirt_host_tty_restore (struct ocirt_host_tty *t);

/* Copies stdin to master and master to stdout, resizes master to t's size now and on every
 * SIGWINCH, until exit_fd (a pidfd of the process) is readable and the master is drained, or the
 * master hangs up (every slave closed). exit_fd -1: only the hangup ends it. t may be NULL (no
 * host terminal to follow). The signals in forward (may be NULL) that reach the runtime meanwhile
 * are sent on to exit_fd's process, as a foreground runtime does. */
int ocirt_tty_proxy (int master, int exit_fd, const struct ocirt_host_tty *t, const sigset_t *forward,
                     struct ocirt_err **err);
/* The foreground in one call: the caller's terminal in raw mode, the proxy, the terminal restored. */
int ocirt_tty_attach (int master, int exit_fd, const sigset_t *forward, struct ocirt_err **err);

#endif
