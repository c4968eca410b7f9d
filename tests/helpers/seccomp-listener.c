/* seccomp-listener: a seccomp agent for the NOTIFY tests (linux.seccomp.listenerPath).
 *
 *   seccomp-listener [--errno N] [--timeout SECONDS] SOCKET STATE_FILE
 *
 * Listens on SOCKET (the path appears only once it accepts), takes one connection, receives the
 * container process state JSON with the seccomp fd in SCM_RIGHTS, writes the JSON to STATE_FILE,
 * then answers every notification: with -N when --errno N is given, else as a success that did
 * nothing (return value 0). Each answer is logged on stdout as "answered <syscall nr> pid <pid>".
 * Exits 0 when the filter's last task is gone, 1 on any error or after SECONDS (default 30). */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "seccomp-listener: %s%s%s\n", what, errno ? ": " : "", errno ? strerror (errno) : "");
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
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die ("socket");
  unlink (tmp);
  strcpy (addr.sun_path, tmp);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    die ("bind/listen");
  if (rename (tmp, path) < 0)
    die ("rename socket");
  return fd;
}

/* One connection: the JSON (possibly in several pieces until EOF) and one fd with the first. */
static int
receive (int lfd, const char *state_file)
{
  char buf[65536];
  size_t len = 0;
  int notify_fd = -1, conn;
  FILE *f;

  conn = accept4 (lfd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    die ("accept");
  for (;;)
    {
      union
      {
        char b[CMSG_SPACE (sizeof (int) * 4)];
        struct cmsghdr align;
      } control;
      struct iovec iov = { .iov_base = buf + len, .iov_len = sizeof buf - 1 - len };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
                            .msg_controllen = sizeof control.b };
      struct cmsghdr *c;
      ssize_t k = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);

      if (k < 0)
        die ("recvmsg");
      for (c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && notify_fd < 0)
          memcpy (&notify_fd, CMSG_DATA (c), sizeof (int));
      if (k == 0)
        break;
      len += (size_t) k;
      if (len >= sizeof buf - 1)
        die ("state too long");
    }
  close (conn);
  buf[len] = '\0';
  if (notify_fd < 0)
    {
      errno = 0;
      die ("no fd received");
    }
  f = fopen (state_file, "w");
  if (f == NULL || fputs (buf, f) < 0 || fclose (f) != 0)
    die ("write the state file");
  return notify_fd;
}

int
main (int argc, char **argv)
{
  struct seccomp_notif_sizes sizes;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  int answer_errno = -1, timeout = 30, lfd, nfd;
  int i = 1;

  for (; i < argc && argv[i][0] == '-'; i += 2)
    {
      if (i + 1 >= argc)
        break;
      if (strcmp (argv[i], "--errno") == 0)
        answer_errno = atoi (argv[i + 1]);
      else if (strcmp (argv[i], "--timeout") == 0)
        timeout = atoi (argv[i + 1]);
      else
        break;
    }
  if (argc - i != 2)
    {
      fprintf (stderr, "usage: seccomp-listener [--errno N] [--timeout SECONDS] SOCKET STATE_FILE\n");
      return 2;
    }
  alarm ((unsigned) timeout);
  lfd = listen_at (argv[i]);
  nfd = receive (lfd, argv[i + 1]);
  close (lfd);
  unlink (argv[i]);

  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    die ("SECCOMP_GET_NOTIF_SIZES");
  req = calloc (1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
  resp = calloc (1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
  if (req == NULL || resp == NULL)
    die ("calloc");
  for (;;)
    {
      struct pollfd p = { .fd = nfd, .events = POLLIN };

      if (poll (&p, 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          die ("poll");
        }
      if (p.revents & POLLHUP)
        break; /* every task using the filter is gone */
      memset (req, 0, sizes.seccomp_notif);
      if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
        {
          if (errno == EINTR || errno == ENOENT)
            continue;
          die ("SECCOMP_IOCTL_NOTIF_RECV");
        }
      memset (resp, 0, sizes.seccomp_notif_resp);
      resp->id = req->id;
      resp->error = answer_errno >= 0 ? -answer_errno : 0;
      resp->val = 0;
      if (ioctl (nfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
        die ("SECCOMP_IOCTL_NOTIF_SEND");
      printf ("answered %d pid %u\n", req->data.nr, req->pid);
      fflush (stdout);
    }
  free (req);
  free (resp);
  close (nfd);
  return 0;
}
