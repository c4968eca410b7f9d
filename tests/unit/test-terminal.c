/* The terminal module without a container: runc's flag rules, SCM_RIGHTS send/receive, a pty
 * made the stdio and controlling terminal of a child, and the foreground proxy. Uses the host's
 * /dev/ptmx, so it runs unprivileged. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/terminal.h"
#include "ocirt/xalloc.h"
#include "tap.h"

static void
test_flag_rules (void)
{
  cleanup_err struct ocirt_err *e1 = NULL, *e2 = NULL, *e3 = NULL;

  is_int (ocirt_terminal_check (true, true, "/s", &e1), 0, "terminal + detach + console socket is fine");
  is_int (ocirt_terminal_check (true, false, NULL, &e1), 0, "terminal in the foreground is fine");
  is_int (ocirt_terminal_check (false, false, NULL, &e1), 0, "no terminal, no socket is fine");
  is_int (ocirt_terminal_check (true, true, NULL, &e1), -1, "terminal + detach without a socket fails");
  is_str (e1 ? e1->msg : NULL, "cannot allocate tty if ocirt will detach without setting console socket",
          "with runc's wording");
  is_int (ocirt_terminal_check (false, true, "/s", &e2), -1, "a console socket without terminal fails");
  is_str (e2 ? e2->msg : NULL, "cannot use console socket if ocirt will not detach or allocate tty", "runc's wording");
  is_int (ocirt_terminal_check (true, false, "/s", &e3), -1, "a console socket in the foreground fails");
}

static void
test_fd_passing (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *payload = NULL;
  int sv[2], p[2], got = -1;
  char c = 0;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2 (p, O_CLOEXEC) < 0)
    {
      ok (0, "socketpair/pipe: %s", strerror (errno));
      return;
    }
  is_int (ocirt_fd_send (sv[0], p[1], "/dev/pts/7", &err), 0, "send an fd with a payload");
  is_int (ocirt_fd_recv (sv[1], &got, &payload, &err), 0, "receive it");
  is_str (payload, "/dev/pts/7", "the payload arrives as sent, no NUL added");
  ok (got >= 0 && write (got, "x", 1) == 1 && read (p[0], &c, 1) == 1 && c == 'x', "the fd received is the pipe sent");
  ok (got >= 0 && (fcntl (got, F_GETFD) & FD_CLOEXEC), "the received fd is CLOEXEC");
  if (got >= 0)
    close (got);
  close (sv[0]);
  is_int (ocirt_fd_recv (sv[1], &got, NULL, &err), -1, "a closed peer is an error");
  is_str (err ? err->msg : NULL, "receive fd: the peer closed the socket without sending one", "which says so");
  close (sv[1]);
  close (p[0]);
  close (p[1]);
}

static void
test_console_socket_missing (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *text = NULL;

  is_int (ocirt_console_socket_connect ("/nonexistent/console.sock", &err), -1, "a missing console socket fails");
  text = err ? ocirt_err_text (err) : NULL;
  is_str (text, "connect to console socket `/nonexistent/console.sock`: No such file or directory",
          "naming the path and the errno");
}

/* Reads what fd gives until EOF (the proxy child's stdout). */
static char *
slurp_fd (int fd)
{
  char *buf = xzalloc (65536);
  size_t len = 0;
  ssize_t n;

  while (len < 65535 && (n = read (fd, buf + len, 65535 - len)) > 0)
    len += (size_t) n;
  return buf;
}

/* A child with the pty as its stdio and controlling terminal runs a shell; another child runs the
 * proxy with the shell's output going into a pipe we read. */
static void
test_pty_and_proxy (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *out = NULL;
  struct ocirt_pty pty = OCIRT_PTY_INIT;
  int sv[2], outp[2], status = -1, pidfd;
  pid_t shell, proxy;
  unsigned ptn = 0;

  if (access ("/dev/ptmx", R_OK | W_OK) < 0)
    {
      printf ("ok %d # skip no usable /dev/ptmx\n", ++tap_n);
      return;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2 (outp, O_CLOEXEC) < 0)
    {
      ok (0, "socketpair/pipe");
      return;
    }
  shell = fork ();
  if (shell == 0)
    {
      /* as a container's init does: open, size, hand the master over, attach, exec */
      struct ocirt_err *e = NULL;
      if (ocirt_pty_open (31, 101, &pty, &e) < 0 || ocirt_fd_send (sv[1], pty.master, pty.name, &e) < 0)
        _exit (10);
      close (pty.master);
      pty.master = -1;
      if (ocirt_pty_attach_stdio (&pty, &e) < 0)
        _exit (11);
      execl ("/bin/sh", "sh", "-c", "stty size; [ -t 0 ] && echo tty-yes; : < /dev/tty && echo ctty-yes; "
             "read line; echo \"got:$line\"", (char *) NULL);
      _exit (12);
    }
  close (sv[1]);
  is_int (ocirt_fd_recv (sv[0], &pty.master, &pty.name, &err), 0, "the runtime receives the master");
  ok (pty.master >= 0 && ioctl (pty.master, TIOCGPTN, &ptn) == 0, "it is a pty master (TIOCGPTN)");
  ok (pty.name != NULL && strncmp (pty.name, "/dev/pts/", 9) == 0, "the payload names the slave (%s)", pty.name);

  pidfd = (int) syscall (SYS_pidfd_open, shell, 0);
  proxy = fork ();
  if (proxy == 0)
    {
      /* stdin: the line to type; stdout: the pipe */
      int in[2];
      struct ocirt_err *e = NULL;
      if (pipe (in) < 0 || write (in[1], "hello\n", 6) != 6)
        _exit (20);
      close (in[1]);
      dup2 (in[0], STDIN_FILENO);
      dup2 (outp[1], STDOUT_FILENO);
      _exit (ocirt_tty_proxy (pty.master, pidfd, NULL, NULL, &e) < 0 ? 21 : 0);
    }
  close (outp[1]);
  out = slurp_fd (outp[0]);
  close (outp[0]);
  waitpid (proxy, &status, 0);
  is_int (WIFEXITED (status) ? WEXITSTATUS (status) : -1, 0, "the proxy returns when the process exits");
  waitpid (shell, &status, 0);
  is_int (WIFEXITED (status) ? WEXITSTATUS (status) : -1, 0, "the shell ran with the pty as its terminal");
  ok (out && strstr (out, "31 101\r\n") != NULL, "the size set at open is what the process sees");
  ok (out && strstr (out, "tty-yes") != NULL, "stdin is the terminal");
  ok (out && strstr (out, "ctty-yes") != NULL, "and it is the controlling terminal (/dev/tty opens)");
  ok (out && strstr (out, "got:hello") != NULL, "stdin typed through the proxy reached the process");
  if (out && (!strstr (out, "got:hello") || !strstr (out, "31 101")))
    printf ("# output: %s\n", out);
  close (pidfd);
  ocirt_pty_close (&pty);
  close (sv[0]);
}

int
main (void)
{
  test_flag_rules ();
  test_fd_passing ();
  test_console_socket_missing ();
  test_pty_and_proxy ();
  return done_testing ();
}
