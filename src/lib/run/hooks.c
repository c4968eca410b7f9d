/* Lifecycle hooks: fork + execve with the state on stdin, output captured, timeout enforced.
 * Where each kind runs and with which status is documented in include/ocirt/hooks.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/hooks.h"
#include "ocirt/json.h"
#include "ocirt/log.h"
#include "ocirt/ocirt.h"
#include "ocirt/xalloc.h"

extern char **environ;

/* What is kept of a hook's output: enough for the log, bounded against a chatty hook. */
#define OUTPUT_MAX (64 * 1024)
/* What of it goes into an error message. */
#define TAIL_LINES 3
#define TAIL_BYTES 400

enum ocirt_status
ocirt_hook_status (enum ocirt_hook_kind kind)
{
  switch (kind)
    {
    case OCIRT_HOOK_PRESTART: /* runc's, which the conformance suite (hooks_stdin) checks */
    case OCIRT_HOOK_START_CONTAINER:
      return OCIRT_STATUS_CREATED;
    case OCIRT_HOOK_POSTSTART:
      return OCIRT_STATUS_RUNNING;
    case OCIRT_HOOK_POSTSTOP:
      return OCIRT_STATUS_STOPPED;
    default:
      return OCIRT_STATUS_CREATING;
    }
}

/* The hook's output as it arrives; when it outgrows OUTPUT_MAX the oldest half is dropped, since
 * the end is what explains a failure. */
struct output
{
  char *buf;
  size_t len;
  bool dropped;
};

static void
output_add (struct output *o, const char *data, size_t n)
{
  if (o->buf == NULL)
    o->buf = xmalloc (OUTPUT_MAX + 1);
  if (n >= OUTPUT_MAX)
    {
      o->dropped |= o->len > 0 || n > OUTPUT_MAX;
      data += n - OUTPUT_MAX;
      n = OUTPUT_MAX;
      o->len = 0;
    }
  else if (o->len + n > OUTPUT_MAX)
    {
      /* drop down to half, not to the bare minimum, so that this happens rarely */
      size_t drop = o->len + n - OUTPUT_MAX / 2;

      if (drop > o->len)
        drop = o->len;
      memmove (o->buf, o->buf + drop, o->len - drop);
      o->len -= drop;
      o->dropped = true;
    }
  memcpy (o->buf + o->len, data, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

/* Reads what is available; returns false at EOF or on error. */
static bool
output_read (struct output *o, int fd)
{
  char chunk[4096];
  ssize_t n;

  for (;;)
    {
      n = read (fd, chunk, sizeof chunk);
      if (n > 0)
        {
          output_add (o, chunk, (size_t) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      return n < 0 && errno == EAGAIN;
    }
}

/* Every line of output to the log. With --log FILE the log is the runtime's own file, so the lines
 * are info; on stderr they would land in the terminal (or a foreground container's stderr) and
 * are only shown with --debug. */
static void
output_log (const struct output *o, const char *who)
{
  const char *p = o->buf, *end;
  bool to_file = ocirt_log_to_file ();

  if (o->len == 0 || (!to_file && !ocirt_log_debug_enabled ()))
    return;
  end = o->buf + o->len; /* not before: buf is NULL when the hook wrote nothing */
  if (o->dropped)
    ocirt_log (to_file ? OCIRT_LOG_INFO : OCIRT_LOG_DEBUG, "%s: (earlier output dropped)", who);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);

      ocirt_log (to_file ? OCIRT_LOG_INFO : OCIRT_LOG_DEBUG, "%s: %.*s", who, (int) n, p);
      p += n + 1;
    }
}

/* The last TAIL_LINES lines as one line ("; " between them), at most TAIL_BYTES; NULL when silent. */
static char *
output_tail (const struct output *o)
{
  const char *start, *end;
  size_t lines = 0;
  char *tail, *q;

  if (o->len == 0)
    return NULL;
  end = o->buf + o->len;
  while (end > o->buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
    end--;
  for (start = end; start > o->buf; start--)
    if (start[-1] == '\n' && ++lines == TAIL_LINES)
      break;
  if (start == end)
    return NULL;
  if ((size_t) (end - start) > TAIL_BYTES)
    start = end - TAIL_BYTES;
  q = tail = xmalloc (2 * (size_t) (end - start) + 1);
  for (const char *p = start; p < end; p++)
    {
      if (*p == '\r')
        continue;
      if (*p != '\n')
        *q++ = *p;
      else if (q > tail && q[-1] != ' ')
        {
          *q++ = ';';
          *q++ = ' ';
        }
    }
  *q = '\0';
  return tail;
}

static int
state_memfd (const char *state_json, struct ocirt_err **err)
{
  cleanup_close int fd = memfd_create ("ocirt-hook-state", MFD_CLOEXEC);
  size_t len = state_json ? strlen (state_json) : 0, off = 0;

  if (fd < 0)
    return ocirt_err_make (err, errno, "memfd_create for the hook's stdin");
  while (off < len)
    {
      ssize_t n = write (fd, state_json + off, len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ocirt_err_make (err, errno, "write the state for the hook's stdin");
      off += (size_t) n;
    }
  if (lseek (fd, 0, SEEK_SET) < 0)
    return ocirt_err_make (err, errno, "rewind the hook's stdin");
  return steal_fd (&fd);
}

/* fds 0-2 are about to be replaced: anything we hold there must move out of the way first. */
static int
above_stdio (int fd)
{
  return fd > STDERR_FILENO ? fd : fcntl (fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
}

/* In the forked child: a clean process image for the hook, then execve. Reports an execve
 * failure as an errno on errpipe (which closes on a successful exec). */
static void __attribute__ ((noreturn))
hook_child (const char *path, char **argv, char **envp, int state_fd, int out_fd, int errpipe)
{
  sigset_t none;
  int e;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* ignored dispositions survive execve: the hook must start with the defaults */
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_DFL);
  /* its own group, so a timeout kills whatever it started too */
  setpgid (0, 0);
  state_fd = above_stdio (state_fd);
  out_fd = above_stdio (out_fd);
  errpipe = above_stdio (errpipe);
  if (state_fd < 0 || out_fd < 0 || errpipe < 0 || dup2 (state_fd, STDIN_FILENO) < 0
      || dup2 (out_fd, STDOUT_FILENO) < 0 || dup2 (out_fd, STDERR_FILENO) < 0)
    goto fail;
  /* nothing of the runtime's leaks into the hook (errpipe is CLOEXEC and stays open to report) */
  syscall (SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
  execve (path, argv, envp);
fail:
  e = errno;
  if (write (errpipe, &e, sizeof e) < 0)
    _exit (127);
  _exit (127);
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
kill_hook (pid_t pid)
{
  kill (-pid, SIGKILL);
  kill (pid, SIGKILL);
}

/* Waits for the hook to exit while collecting its output. Returns 0 with *status, 1 on timeout
 * (the hook's group killed and reaped), -1 on a poll failure (killed and reaped too). The output
 * is read until the hook exits, not until EOF: a process the hook left behind may hold the pipe. */
static int
wait_hook (pid_t pid, int out_fd, int64_t timeout_s, struct output *out, int *status, struct ocirt_err **err)
{
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  int64_t deadline = timeout_s > 0 ? now_ms () + timeout_s * 1000 : -1;
  bool reaped = false;

  fcntl (out_fd, F_SETFL, fcntl (out_fd, F_GETFL) | O_NONBLOCK);
  for (;;)
    {
      struct pollfd pfd[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      int wait_ms = -1, r;

      if (deadline >= 0)
        {
          int64_t left = deadline - now_ms ();
          wait_ms = left > 0 ? (int) (left < INT32_MAX ? left : INT32_MAX) : 0;
        }
      /* without pidfd (kernel < 5.3) look at the child every 50 ms */
      if (pidfd < 0 && (wait_ms < 0 || wait_ms > 50))
        wait_ms = 50;
      r = poll (pfd, 2, wait_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          kill_hook (pid);
          waitpid (pid, NULL, 0);
          return ocirt_err_make (err, e, "wait for the hook");
        }
      if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) && !output_read (out, out_fd))
        out_fd = -1;
      if (pidfd >= 0 ? (pfd[1].revents & POLLIN) != 0 : (reaped = waitpid (pid, status, WNOHANG) == pid))
        break;
      if (deadline >= 0 && now_ms () >= deadline)
        {
          kill_hook (pid);
          waitpid (pid, status, 0);
          if (out_fd >= 0)
            output_read (out, out_fd);
          return 1;
        }
    }
  if (out_fd >= 0)
    output_read (out, out_fd);
  while (!reaped && waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return ocirt_err_make (err, errno, "wait for the hook");
  return 0;
}

static char *
describe_status (int status)
{
  if (WIFEXITED (status))
    return xfmt ("exit status %d", WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    {
      const char *name = sigabbrev_np (WTERMSIG (status));
      return name ? xfmt ("killed by signal SIG%s", name) : xfmt ("killed by signal %d", WTERMSIG (status));
    }
  return xfmt ("wait status %#x", status);
}

int
ocirt_hook_run (const struct ocirt_hook *h, enum ocirt_hook_kind kind, size_t index, const char *state_json,
                struct ocirt_err **err)
{
  cleanup_free char *who = xfmt ("%s hook #%zu (%s)", ocirt_hook_kind_name (kind), index, h->path);
  cleanup_free char *tail = NULL;
  cleanup_close int state_fd = -1;
  cleanup_close int out_r = -1, out_w = -1, err_r = -1, err_w = -1;
  /* the model's string arrays are NULL-terminated: they go to execve as they are */
  char *path_only[] = { h->path, NULL };
  char **argv = h->n_args > 0 ? h->args : path_only;
  char **envp = h->env != NULL ? h->env : environ;
  struct output out = { 0 };
  int pipes[2], status = 0, exec_errno = 0, r;
  pid_t pid;

  state_fd = state_memfd (state_json, err);
  if (state_fd < 0)
    return ocirt_err_wrap (err, "%s", who);
  if (pipe2 (pipes, O_CLOEXEC) < 0)
    return ocirt_err_make (err, errno, "%s: pipe", who);
  out_r = pipes[0], out_w = pipes[1];
  if (pipe2 (pipes, O_CLOEXEC) < 0)
    return ocirt_err_make (err, errno, "%s: pipe", who);
  err_r = pipes[0], err_w = pipes[1];

  log_debug ("running %s", who);
  pid = fork ();
  if (pid < 0)
    return ocirt_err_make (err, errno, "%s: fork", who);
  if (pid == 0)
    hook_child (h->path, argv, envp, state_fd, out_w, err_w);
  close (steal_fd (&out_w));
  close (steal_fd (&err_w));
  close (steal_fd (&state_fd));

  r = wait_hook (pid, out_r, h->has_timeout ? h->timeout : 0, &out, &status, err);
  if (r < 0)
    {
      free (out.buf);
      return ocirt_err_wrap (err, "%s", who);
    }
  if (read (err_r, &exec_errno, sizeof exec_errno) != (ssize_t) sizeof exec_errno)
    exec_errno = 0;
  output_log (&out, who);
  tail = output_tail (&out);
  free (out.buf);

  if (exec_errno != 0)
    return ocirt_err_make (err, exec_errno, "%s failed to start", who);
  if (r == 1)
    return ocirt_err_make (err, 0, "%s timed out after %llds%s%s", who, (long long) h->timeout,
                           tail ? "; output: " : "", tail ? tail : "");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      cleanup_free char *how = describe_status (status);
      return ocirt_err_make (err, 0, "%s failed: %s%s%s", who, how, tail ? "; output: " : "", tail ? tail : "");
    }
  return 0;
}

int
ocirt_hooks_run (const struct ocirt_hooks *hooks, enum ocirt_hook_kind kind, const char *state_json,
                 struct ocirt_err **err)
{
  if (!ocirt_hooks_has (hooks, kind))
    return 0;
  for (size_t i = 0; i < hooks->n[kind]; i++)
    {
      cleanup_err struct ocirt_err *e = NULL;

      if (ocirt_hook_run (&hooks->list[kind][i], kind, i, state_json, &e) == 0)
        continue;
      /* runtime.md step 13: a poststop failure is a warning and the lifecycle goes on */
      if (kind == OCIRT_HOOK_POSTSTOP)
        {
          cleanup_free char *text = ocirt_err_text (e);
          log_warning ("%s", text);
          continue;
        }
      if (err != NULL && *err == NULL)
        *err = steal_ptr (&e);
      return -1;
    }
  return 0;
}

char *
ocirt_hook_state_json (const struct ocirt_spec *spec, enum ocirt_hook_kind kind, const char *id, const char *bundle,
                       pid_t pid)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  /* the spec's state object, in runc's field order */
  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersion", spec->oci_version ? spec->oci_version : OCIRT_SPEC_VERSION);
  ocirt_jw_kstr (w, "id", id);
  ocirt_jw_kstr (w, "status", ocirt_status_name (ocirt_hook_status (kind)));
  if (pid > 0)
    ocirt_jw_kint (w, "pid", pid);
  ocirt_jw_kstr (w, "bundle", bundle);
  if (spec->n_annotations > 0)
    {
      ocirt_jw_key (w, "annotations");
      ocirt_jw_obj_open (w);
      for (size_t i = 0; i < spec->n_annotations; i++)
        ocirt_jw_kstr (w, spec->annotations[i].key, spec->annotations[i].value);
      ocirt_jw_obj_close (w);
    }
  ocirt_jw_obj_close (w);
  return ocirt_jw_steal (w, NULL);
}

int
ocirt_hooks_run_spec (const struct ocirt_spec *spec, enum ocirt_hook_kind kind, const char *id, const char *bundle,
                      pid_t pid, struct ocirt_err **err)
{
  cleanup_free char *json = NULL;

  if (spec == NULL || !spec->has_hooks || !ocirt_hooks_has (&spec->hooks, kind))
    return 0;
  json = ocirt_hook_state_json (spec, kind, id, bundle, pid);
  return ocirt_hooks_run (&spec->hooks, kind, json, err);
}
