/* recv-console: the receiving end of --console-socket, written the way conmon and the containerd
 * shim do it, for the terminal tests.
 *
 *   recv-console [--input TEXT] [--proxy] [--timeout SECONDS] SOCKET
 *
 * Listens on SOCKET (made atomically: the path appears only once it accepts), takes one
 * connection, receives one message carrying one fd in SCM_RIGHTS and checks the fd is a pty master
 * (TIOCGPTN answers). Prints on stdout:
 *   received pty master: ptn=N payload=TEXT size=ROWSxCOLS
 * then writes TEXT (with \n and \r escapes) to the master with --input, and with --proxy copies the
 * master to stdout until every slave is closed. Fails (exit 1, message on stderr) on anything else,
 * or after SECONDS (default 20). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "recv-console: %s%s%s\n", what, errno ? ": " : "", errno ? strerror (errno) : "");
  exit (1);
}

static int
listen_at (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char tmp[sizeof addr.sun_path];
  int fd;

  if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
    die ("socket path too long");
  strcpy (addr.sun_path, tmp);
  unlink (tmp);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    die ("listen");
  if (rename (tmp, path) < 0)
    die ("rename the socket into place");
  return fd;
}

/* One message, one fd: what a console socket client must get. */
static int
receive (int conn, char *payload, size_t size)
{
  char control[CMSG_SPACE (4 * sizeof (int))];
  struct iovec iov = { .iov_base = payload, .iov_len = size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *c;
  ssize_t n;
  int fd;

  n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0)
    die ("recvmsg");
  if (n == 0)
    {
      errno = 0;
      die ("the runtime closed the socket without sending anything");
    }
  payload[n] = '\0';
  c = CMSG_FIRSTHDR (&msg);
  errno = 0;
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    die ("the message carries no SCM_RIGHTS");
  if (c->cmsg_len != CMSG_LEN (sizeof (int)) || CMSG_NXTHDR (&msg, c) != NULL)
    die ("the message carries more than one fd");
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

/* "\n" and "\r" escapes, so that a test can type a line into the terminal. */
static size_t
unescape (char *s)
{
  char *q = s;

  for (char *p = s; *p; p++)
    {
      if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r'))
        {
          *q++ = p[1] == 'n' ? '\n' : '\r';
          p++;
        }
      else
        *q++ = *p;
    }
  *q = '\0';
  return (size_t) (q - s);
}

int
main (int argc, char **argv)
{
  const char *path = NULL;
  char *input = NULL, payload[4096];
  bool proxy = false;
  int timeout = 20, lfd, conn, master;
  unsigned int ptn;
  struct winsize ws = { 0 };

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--proxy") == 0)
        proxy = true;
      else if (strcmp (argv[i], "--input") == 0 && i + 1 < argc)
        input = argv[++i];
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        timeout = atoi (argv[++i]);
      else if (path == NULL && argv[i][0] != '-')
        path = argv[i];
      else
        {
          fprintf (stderr, "usage: recv-console [--input TEXT] [--proxy] [--timeout SECONDS] SOCKET\n");
          return 2;
        }
    }
  if (path == NULL)
    {
      fprintf (stderr, "usage: recv-console [--input TEXT] [--proxy] [--timeout SECONDS] SOCKET\n");
      return 2;
    }
  /* never outlive a failed test */
  alarm ((unsigned) timeout);

  lfd = listen_at (path);
  conn = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    die ("accept");
  master = receive (conn, payload, sizeof payload);
  close (conn);
  close (lfd);
  unlink (path);

  if (ioctl (master, TIOCGPTN, &ptn) < 0)
    die ("the fd is not a pty master (TIOCGPTN)");
  ioctl (master, TIOCGWINSZ, &ws);
  printf ("received pty master: ptn=%u payload=%s size=%ux%u\n", ptn, payload, ws.ws_row, ws.ws_col);
  fflush (stdout);

  if (input != NULL)
    {
      size_t len = unescape (input);
      if (write (master, input, len) != (ssize_t) len)
        die ("write to the master");
    }
  while (proxy)
    {
      char buf[4096];
      ssize_t n = read (master, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break; /* EIO: every slave is closed */
      if (fwrite (buf, 1, (size_t) n, stdout) != (size_t) n)
        die ("write to stdout");
      fflush (stdout);
    }
  close (master);
  return 0;
}
