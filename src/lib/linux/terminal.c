/* Terminals and console sockets: pty in the container's devpts, master handed over with
 * SCM_RIGHTS, and the foreground proxy. The flow is described in include/ocirt/terminal.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "ocirt/fdio.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/terminal.h"
#include "ocirt/xalloc.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* What receivers accept as payload (runc's MaxNameLen). */
#define PAYLOAD_MAX 4096

int
ocirt_terminal_check (bool terminal, bool detach, const char *console_socket, struct ocirt_err **err)
{
  if (terminal && detach && console_socket == NULL)
    return ocirt_err_make (err, 0, "cannot allocate tty if ocirt will detach without setting console socket");
  if (console_socket != NULL && (!terminal || !detach))
    return ocirt_err_make (err, 0, "cannot use console socket if ocirt will not detach or allocate tty");
  return 0;
}

int
ocirt_console_socket_connect (const char *path, struct ocirt_err **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  if (path[0] == '\0')
    return ocirt_err_make (err, 0, "console socket path is empty");
  if (strlen (path) >= sizeof addr.sun_path)
    return ocirt_err_make (err, 0, "console socket path `%s` is longer than %zu bytes", path,
                           sizeof addr.sun_path - 1);
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return ocirt_err_make (err, errno, "console socket: socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return ocirt_err_make (err, errno, "connect to console socket `%s`", path);
  return steal_fd (&fd);
}

int
ocirt_fd_send (int sock, int fd, const char *payload, struct ocirt_err **err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control = { 0 };
  /* a stream socket carries ancillary data only with at least one byte of data */
  const char *data = payload != NULL && payload[0] != '\0' ? payload : "";
  struct iovec iov = { .iov_base = (void *) data, .iov_len = data[0] ? strlen (data) : 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  ssize_t n;

  if (iov.iov_len >= PAYLOAD_MAX)
    return ocirt_err_make (err, 0, "send fd: payload `%s` is too long", data);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocirt_err_make (err, errno, "send fd over socket");
  return 0;
}

int
ocirt_fd_recv (int sock, int *fd, char **payload, struct ocirt_err **err)
{
  union
  {
    char buf[CMSG_SPACE (4 * sizeof (int))];
    struct cmsghdr align;
  } control;
  char data[PAYLOAD_MAX];
  struct iovec iov = { .iov_base = data, .iov_len = sizeof data - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  int fds[4], n_fds = 0;
  ssize_t n;

  do
    n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocirt_err_make (err, errno, "receive fd from socket");
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN (0)) / sizeof (int) && n_fds < 4; i++)
        memcpy (&fds[n_fds++], CMSG_DATA (c) + i * sizeof (int), sizeof (int));
  if (n_fds != 1 || (msg.msg_flags & MSG_CTRUNC))
    {
      for (int i = 0; i < n_fds; i++)
        close (fds[i]);
      if (n == 0)
        return ocirt_err_make (err, 0, "receive fd: the peer closed the socket without sending one");
      return ocirt_err_make (err, 0, "receive fd: expected one file descriptor, got %d%s", n_fds,
                             (msg.msg_flags & MSG_CTRUNC) ? " or more" : "");
    }
  *fd = fds[0];
  if (payload != NULL)
    *payload = xstrndup (data, (size_t) n);
  return 0;
}

int
ocirt_tty_set_size (int fd, uint32_t rows, uint32_t cols, struct ocirt_err **err)
{
  struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };

  if (rows > 0xffff || cols > 0xffff)
    return ocirt_err_make (err, 0, "console size %ux%u is larger than a terminal can be (65535)", rows, cols);
  if (ioctl (fd, TIOCSWINSZ, &ws) < 0)
    return ocirt_err_make (err, errno, "set terminal size to %ux%u", rows, cols);
  return 0;
}

int
ocirt_pty_open (uint32_t rows, uint32_t cols, struct ocirt_pty *pty, struct ocirt_err **err)
{
  cleanup_close int master = -1, slave = -1;
  cleanup_free char *name = NULL;
  unsigned int n;
  int unlock = 0;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return ocirt_err_make (err, errno, "open /dev/ptmx");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return ocirt_err_make (err, errno, "unlock the pty");
  if (ioctl (master, TIOCGPTN, &n) < 0)
    return ocirt_err_make (err, errno, "get the pty number");
  name = xfmt ("/dev/pts/%u", n);
  /* from the master itself: the peer of this master whatever /dev/pts is mounted from */
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0 && (errno == EINVAL || errno == ENOTTY))
    slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return ocirt_err_make (err, errno, "open the pty slave %s", name);
  if (rows > 0 && cols > 0 && ocirt_tty_set_size (master, rows, cols, err) < 0)
    return -1;
  pty->master = steal_fd (&master);
  pty->slave = steal_fd (&slave);
  pty->name = steal_ptr (&name);
  return 0;
}

int
ocirt_pty_mount_console (const struct ocirt_pty *pty, struct ocirt_err **err)
{
  cleanup_close int tree = -1;

  /* the mount point: an empty file, created without opening whatever might already be there */
  if (mknod ("/dev/console", S_IFREG | 0666, 0) < 0 && errno != EEXIST)
    return ocirt_err_make (err, errno, "create /dev/console");
  tree = (int) syscall (SYS_open_tree, pty->slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree >= 0)
    {
      if (syscall (SYS_move_mount, tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return ocirt_err_make (err, errno, "bind-mount %s on /dev/console", pty->name);
      return 0;
    }
  if (errno != ENOSYS)
    return ocirt_err_make (err, errno, "bind-mount %s on /dev/console: open_tree", pty->name);
  if (mount (pty->name, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return ocirt_err_make (err, errno, "bind-mount %s on /dev/console", pty->name);
  return 0;
}

int
ocirt_pty_attach_stdio (struct ocirt_pty *pty, struct ocirt_err **err)
{
  if (setsid () < 0 && getsid (0) != getpid ())
    return ocirt_err_make (err, errno, "setsid");
  if (ioctl (pty->slave, TIOCSCTTY, 0) < 0)
    return ocirt_err_make (err, errno, "make %s the controlling terminal", pty->name);
  for (int i = STDIN_FILENO; i <= STDERR_FILENO; i++)
    if (pty->slave != i && dup2 (pty->slave, i) < 0)
      return ocirt_err_make (err, errno, "dup the terminal on fd %d", i);
    else if (pty->slave == i)
      fcntl (i, F_SETFD, 0);
  if (pty->slave > STDERR_FILENO)
    close (pty->slave);
  pty->slave = -1;
  return 0;
}

void
ocirt_pty_close (struct ocirt_pty *pty)
{
  if (pty->master >= 0)
    close (pty->master);
  if (pty->slave >= 0)
    close (pty->slave);
  free (pty->name);
  pty->master = pty->slave = -1;
  pty->name = NULL;
}

/* runc's search: stderr, stdout, stdin, then /dev/tty (then owned). */
static int
host_tty_find (struct ocirt_host_tty *t, struct ocirt_err **err)
{
  const int candidates[] = { STDERR_FILENO, STDOUT_FILENO, STDIN_FILENO };

  t->fd = -1;
  t->owned = t->raw = false;
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && t->fd < 0; i++)
    if (isatty (candidates[i]))
      t->fd = candidates[i];
  if (t->fd < 0)
    {
      t->fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (t->fd < 0)
        return ocirt_err_make (err, errno, "process.terminal is set but ocirt has no terminal to attach (stdin, "
                                           "stdout and stderr are not terminals; open /dev/tty)");
      t->owned = true;
    }
  return 0;
}

int
ocirt_host_tty_available (struct ocirt_err **err)
{
  struct ocirt_host_tty t;

  if (host_tty_find (&t, err) < 0)
    return -1;
  ocirt_host_tty_restore (&t);
  return 0;
}

int
ocirt_host_tty_open (struct ocirt_host_tty *t, struct ocirt_err **err)
{
  struct termios raw;

  if (host_tty_find (t, err) < 0)
    return -1;
  if (tcgetattr (t->fd, &t->saved) < 0)
    {
      int e = errno;
      ocirt_host_tty_restore (t);
      return ocirt_err_make (err, e, "read the terminal's settings");
    }
  raw = t->saved;
  cfmakeraw (&raw);
  if (tcsetattr (t->fd, TCSANOW, &raw) < 0)
    {
      int e = errno;
      ocirt_host_tty_restore (t);
      return ocirt_err_make (err, e, "put the terminal in raw mode");
    }
  t->raw = true;
  return 0;
}

void
ocirt_host_tty_restore (struct ocirt_host_tty *t)
{
  if (t->fd < 0)
    return;
  if (t->raw)
    tcsetattr (t->fd, TCSANOW, &t->saved);
  if (t->owned)
    close (t->fd);
  t->fd = -1;
  t->raw = t->owned = false;
}

int
ocirt_tty_attach (int master, int exit_fd, const sigset_t *forward, struct ocirt_err **err)
{
  struct ocirt_host_tty t;
  int r;

  if (ocirt_host_tty_open (&t, err) < 0)
    return -1;
  r = ocirt_tty_proxy (master, exit_fd, &t, forward, err);
  ocirt_host_tty_restore (&t);
  return r;
}

/* The host terminal's size onto the master (when the host has one). */
static void
follow_size (int master, const struct ocirt_host_tty *t)
{
  struct winsize ws;

  if (t != NULL && t->fd >= 0 && ioctl (t->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

/* master -> stdout until nothing is ready. Returns false when the master hung up. */
static bool
pump_out (int master)
{
  char buf[8192];

  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n > 0)
        {
          /* stdout gone (the caller's terminal closed): keep draining so the container never blocks */
          ocirt_write_all (STDOUT_FILENO, buf, (size_t) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      return n < 0 && errno == EAGAIN;
    }
}

struct inbuf
{
  char data[4096];
  size_t len, off;
};

int
ocirt_tty_proxy (int master, int exit_fd, const struct ocirt_host_tty *t, const sigset_t *forward,
                 struct ocirt_err **err)
{
  cleanup_close int sfd = -1;
  sigset_t sigs, old;
  struct inbuf in = { .len = 0 };
  int in_fd = STDIN_FILENO, flags, ret = 0;

  if (forward != NULL)
    sigs = *forward;
  else
    sigemptyset (&sigs);
  sigaddset (&sigs, SIGWINCH);
  sigdelset (&sigs, SIGCHLD);
  sigprocmask (SIG_BLOCK, &sigs, &old);
  sfd = signalfd (-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
  flags = fcntl (master, F_GETFL);
  fcntl (master, F_SETFL, flags | O_NONBLOCK);
  follow_size (master, t);

  for (;;)
    {
      struct pollfd pfd[4] = {
        { .fd = master, .events = POLLIN | (in.len > in.off ? POLLOUT : 0) },
        { .fd = in.len > in.off ? -1 : in_fd, .events = POLLIN },
        { .fd = sfd, .events = POLLIN },
        { .fd = exit_fd, .events = POLLIN },
      };

      if (poll (pfd, 4, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          ret = ocirt_err_make (err, errno, "terminal proxy: poll");
          break;
        }
      if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_out (master))
        break;
      if (pfd[3].revents & (POLLIN | POLLHUP))
        {
          /* the process is gone: what it wrote is still in the pty */
          pump_out (master);
          break;
        }
      if (pfd[2].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sfd, &si, sizeof si) == (ssize_t) sizeof si)
            if (si.ssi_signo == SIGWINCH)
              follow_size (master, t);
            else if (exit_fd >= 0)
              syscall (SYS_pidfd_send_signal, exit_fd, (int) si.ssi_signo, NULL, 0);
        }
      if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = read (in_fd, in.data, sizeof in.data);
          if (n > 0)
            in.len = (size_t) n, in.off = 0;
          else if (n == 0 || errno != EINTR)
            in_fd = -1; /* stdin at EOF: the container keeps its terminal, we stop feeding it */
        }
      if ((pfd[0].revents & POLLOUT) && in.len > in.off)
        {
          ssize_t n = write (master, in.data + in.off, in.len - in.off);
          if (n > 0)
            in.off += (size_t) n;
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            in.len = in.off = 0;
          if (in.off == in.len)
            in.len = in.off = 0;
        }
    }
  fcntl (master, F_SETFL, flags);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
