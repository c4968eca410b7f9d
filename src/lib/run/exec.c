/* ocirt exec: a new process in a live container. The process model is in include/ocirt/exec.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/exec.h"
#include "ocirt/log.h"
#include "ocirt/names.h"
#include "ocirt/ocirt.h"
#include "ocirt/security.h"
#include "ocirt/spec.h"
#include "ocirt/state.h"
#include "ocirt/terminal.h"
#include "ocirt/xalloc.h"
#include "run.h"

/* What the child sends before exec; an fd message says by its payload what the fd is. */
#define MSG_PTY "pty"
#define MSG_SECCOMP "seccomp"

struct exec_error
{
  int32_t errnum;
  char text[4000];
};

struct job
{
  const struct ocirt_ctx *ctx;
  const struct ocirt_exec_opts *o;
  struct ocirt_state *st;
  struct ocirt_spec *spec;
  struct ocirt_process *proc;
  struct ocirt_security *sec;
  struct ocirt_cgroup *cg;
  int init_pidfd;
  int nsfd[OCIRT_NS__COUNT]; /* the init's namespaces that differ from ours, else -1 */
  int rootfd;                /* the init's root */
  int console_fd;
  int sock[2];
  int n_preserved;
  pid_t pid;
  int pidfd;
  int master;
};

static void
job_free (struct job *j)
{
  ocirt_state_free (j->st);
  ocirt_spec_free (j->spec);
  ocirt_process_free (j->proc);
  ocirt_security_free (j->sec);
  ocirt_cgroup_free (j->cg);
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    if (j->nsfd[t] >= 0)
      close (j->nsfd[t]);
  for (int i = 0; i < 2; i++)
    if (j->sock[i] >= 0)
      close (j->sock[i]);
  if (j->init_pidfd >= 0)
    close (j->init_pidfd);
  if (j->rootfd >= 0)
    close (j->rootfd);
  if (j->console_fd >= 0)
    close (j->console_fd);
  if (j->pidfd >= 0)
    close (j->pidfd);
  if (j->master >= 0)
    close (j->master);
}

/* ---- the process: the container's, changed by the command line, or --process ---- */

static char **
strv_copy (char *const *v, size_t n)
{
  char **out = xzalloc ((n + 1) * sizeof *out);

  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup (v[i]);
  return out;
}

static void
strv_push (char ***v, size_t *n, const char *s)
{
  *v = xrealloc (*v, (*n + 2) * sizeof **v);
  (*v)[(*n)++] = xstrdup (s);
  (*v)[*n] = NULL;
}

static void
replace_str (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}

/* VAR=value replaces VAR's entry, or is added. */
static void
env_set (struct ocirt_process *p, const char *entry)
{
  size_t klen = strcspn (entry, "=");

  for (size_t i = 0; i < p->n_env; i++)
    if (strncmp (p->env[i], entry, klen) == 0 && p->env[i][klen] == '=')
      {
        replace_str (&p->env[i], entry);
        return;
      }
  strv_push (&p->env, &p->n_env, entry);
}

static int
parse_id (const char *s, const char *what, uint32_t *out, struct ocirt_err **err)
{
  char *end;
  unsigned long long v;

  *out = 0; /* set on every path: the compiler cannot see that ocirt_err_make returns -1 */
  errno = 0;
  v = strtoull (s, &end, 10);
  if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || v > UINT32_MAX - 1)
    return ocirt_err_make (err, 0, "%s `%s`: expected a number", what, s);
  *out = (uint32_t) v;
  return 0;
}

static int
apply_user (struct ocirt_process *p, const char *user, struct ocirt_err **err)
{
  cleanup_free char *uid = xstrdup (user);
  char *gid = strchr (uid, ':');

  if (gid != NULL)
    *gid++ = '\0';
  if (parse_id (uid, "--user: uid", &p->user.uid, err) < 0)
    return -1;
  if (gid != NULL && parse_id (gid, "--user: gid", &p->user.gid, err) < 0)
    return -1;
  return 0;
}

static void
add_cap (char ***set, size_t *n, bool *has, const char *cap)
{
  *has = true;
  strv_push (set, n, cap);
}

/* The container's process with the command line's changes. Taken out of the spec, so that
 * security sees an exec process (not the init) and it is ours to change. */
static int
process_from_flags (struct job *j, struct ocirt_err **err)
{
  const struct ocirt_exec_opts *o = j->o;
  struct ocirt_process *p = j->spec->process;
  struct ocirt_capabilities *c;

  if (o->n_args == 0)
    return ocirt_err_make (err, 0, "no command: give one after the container id (or --process FILE)");
  if (p == NULL)
    {
      /* created without a process: root in /, nothing else */
      p = xzalloc (sizeof *p);
      p->cwd = xstrdup ("/");
    }
  j->spec->process = NULL;
  j->proc = p;
  for (size_t i = 0; i < p->n_args; i++)
    free (p->args[i]);
  free (p->args);
  p->args = strv_copy (o->args, o->n_args);
  p->n_args = o->n_args;
  p->terminal = o->tty;
  p->has_console_size = false;
  for (size_t i = 0; i < o->n_env; i++)
    {
      if (strchr (o->env[i], '=') == NULL || o->env[i][0] == '=')
        return ocirt_err_make (err, 0, "--env `%s`: expected VAR=value", o->env[i]);
      env_set (p, o->env[i]);
    }
  if (o->cwd != NULL)
    replace_str (&p->cwd, o->cwd);
  if (o->user != NULL && apply_user (p, o->user, err) < 0)
    return -1;
  for (size_t i = 0; i < o->n_additional_gids; i++)
    {
      uint32_t gid;
      if (parse_id (o->additional_gids[i], "--additional-gids", &gid, err) < 0)
        return -1;
      p->user.additional_gids = xrealloc (p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof gid);
      p->user.additional_gids[p->user.n_additional_gids++] = gid;
    }
  c = &p->capabilities;
  for (size_t i = 0; i < o->n_caps; i++)
    {
      p->has_capabilities = true;
      add_cap (&c->bounding, &c->n_bounding, &c->has_bounding, o->caps[i]);
      add_cap (&c->effective, &c->n_effective, &c->has_effective, o->caps[i]);
      add_cap (&c->permitted, &c->n_permitted, &c->has_permitted, o->caps[i]);
    }
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (o->apparmor != NULL)
    replace_str (&p->apparmor_profile, o->apparmor);
  if (o->process_label != NULL)
    replace_str (&p->selinux_label, o->process_label);
  return ocirt_process_check (p, "the new process", err);
}

static int
process_from_file (struct job *j, struct ocirt_err **err)
{
  const char *path = j->o->process_file;
  cleanup_fclose FILE *f = fopen (path, "re");
  cleanup_free char *buf = NULL;
  size_t cap = 0;
  ssize_t n;

  if (f == NULL)
    return ocirt_err_make (err, errno, "--process `%s`", path);
  n = getdelim (&buf, &cap, '\0', f);
  if (n < 0 && ferror (f))
    return ocirt_err_make (err, errno, "read --process `%s`", path);
  j->proc = ocirt_process_parse (buf ? buf : "", n > 0 ? (size_t) n : 0, path, err);
  if (j->proc == NULL)
    return -1;
  return ocirt_process_check (j->proc, path, err);
}

/* ---- the container ---- */

int
ocirt_keep_config (const char *root, const char *id, const char *bundle, struct ocirt_err **err)
{
  cleanup_free char *from = xfmt ("%s/config.json", bundle);
  cleanup_free char *to = xfmt ("%s/%s/" OCIRT_STATE_CONFIG, root, id);
  cleanup_close int in = open (from, O_RDONLY | O_CLOEXEC);
  cleanup_close int out = -1;
  char buf[65536];
  ssize_t n;

  if (in < 0)
    return ocirt_err_make (err, errno, "open `%s`", from);
  out = open (to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0)
    return ocirt_err_make (err, errno, "create `%s`", to);
  while ((n = read (in, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ocirt_err_make (err, errno, "read `%s`", from);
      for (ssize_t off = 0, w; off < n; off += w)
        {
          w = write (out, buf + off, (size_t) (n - off));
          if (w < 0 && errno == EINTR)
            w = 0;
          else if (w < 0)
            return ocirt_err_make (err, errno, "write `%s`", to);
        }
    }
  return 0;
}

struct ocirt_spec *
ocirt_load_kept_config (const char *root, const char *id, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("%s/%s/" OCIRT_STATE_CONFIG, root, id);

  return ocirt_spec_parse_file (path, err);
}

static int
load_container (struct job *j, struct ocirt_err **err)
{
  const struct ocirt_exec_opts *o = j->o;

  if (ocirt_id_validate (o->id, err) < 0 || ocirt_state_read (j->ctx->root, o->id, &j->st, err) < 0)
    return -1;
  ocirt_state_refresh (j->ctx->root, j->st);
  if (j->st->status == OCIRT_STATUS_STOPPED)
    return ocirt_err_make (err, 0, "cannot exec in a stopped container");
  if (j->st->status == OCIRT_STATUS_PAUSED && !o->ignore_paused)
    return ocirt_err_make (err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
  /* the config as it was at create: later edits of the bundle must not reach the container */
  j->spec = ocirt_load_kept_config (j->ctx->root, o->id, err);
  if (j->spec == NULL)
    return -1;
  if (o->process_file != NULL ? process_from_file (j, err) < 0 : process_from_flags (j, err) < 0)
    return -1;
  if (ocirt_terminal_check (j->proc->terminal, o->detach, o->console_socket, err) < 0)
    return -1;
  if (j->proc->terminal && o->console_socket == NULL && ocirt_host_tty_available (err) < 0)
    return -1;
  if (o->preserve_fds < 0)
    return ocirt_err_make (err, 0, "--preserve-fds %d: must not be negative", o->preserve_fds);
  j->n_preserved = o->preserve_fds;
  if (ocirt_security_prepare (j->spec, j->proc, &j->sec, err) < 0)
    return -1;
  if (ocirt_security_uses_notify (j->sec)
      && (j->spec->linux_.seccomp.listener_path == NULL || j->spec->linux_.seccomp.listener_path[0] == '\0'))
    return ocirt_err_make (err, 0, "linux.seccomp: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
  if (j->st->cgroup_path != NULL && j->st->cgroup_path[0] != '\0'
      && ocirt_cgroup_load (j->ctx, j->st->cgroup_path, &j->cg, err) < 0)
    return -1;
  return 0;
}

/* The init's namespaces that are not ours, and its root, pinned while the init is verified alive. */
static int
open_init_namespaces (struct job *j, struct ocirt_err **err)
{
  cleanup_close int procfd = -1;
  char path[64];

  j->init_pidfd = ocirt_open_init (j->st);
  if (j->init_pidfd < 0)
    return ocirt_err_make (err, 0, "cannot exec in a stopped container");
  snprintf (path, sizeof path, "/proc/%d", (int) j->st->pid);
  procfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0)
    return ocirt_err_make (err, errno, "open `%s`", path);
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    {
      cleanup_free char *rel = xfmt ("ns/%s", ocirt_ns_proc_name ((enum ocirt_ns_type) t));
      cleanup_free char *own = xfmt ("/proc/self/%s", rel);
      struct stat theirs, ours;

      if (fstatat (procfd, rel, &theirs, 0) < 0)
        {
          if (errno == ENOENT)
            continue; /* a namespace type this kernel lacks */
          return ocirt_err_make (err, errno, "stat `%s/%s`", path, rel);
        }
      if (stat (own, &ours) == 0 && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
        continue;
      j->nsfd[t] = openat (procfd, rel, O_RDONLY | O_CLOEXEC);
      if (j->nsfd[t] < 0)
        return ocirt_err_make (err, errno, "open `%s/%s`", path, rel);
    }
  j->rootfd = openat (procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (j->rootfd < 0)
    return ocirt_err_make (err, errno, "open `%s/root`", path);
  /* still alive: what we opened under /proc/PID is the init's, not a reused pid's */
  if (pidfd_send_signal (j->init_pidfd, 0, NULL, 0) < 0)
    return ocirt_err_make (err, 0, "cannot exec in a stopped container");
  return 0;
}

/* ---- the child ---- */

static _Noreturn void
child_fail (int sock, const struct ocirt_err *e)
{
  struct exec_error m = { .errnum = e ? e->errnum : 0 };

  snprintf (m.text, sizeof m.text, "%s", e ? e->msg : "unknown error");
  (void) !send (sock, &m, sizeof m.errnum + strlen (m.text) + 1, MSG_NOSIGNAL);
  _exit (1);
}

static int
join_namespaces (const struct job *j, struct ocirt_err **err)
{
  /* the user namespace first: it grants what the other joins need; in it we are uid 0 only once
   * we say so */
  if (j->nsfd[OCIRT_NS_USER] >= 0)
    {
      if (setns (j->nsfd[OCIRT_NS_USER], CLONE_NEWUSER) < 0)
        return ocirt_err_make (err, errno, "join the container's user namespace");
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return ocirt_err_make (err, errno, "become root in the container's user namespace");
    }
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    {
      if (t == OCIRT_NS_USER || t == OCIRT_NS_PID || j->nsfd[t] < 0)
        continue;
      if (setns (j->nsfd[t], ocirt_ns_clone_flag ((enum ocirt_ns_type) t)) < 0)
        return ocirt_err_make (err, errno, "join the container's %s namespace", ocirt_ns_type_name ((enum ocirt_ns_type) t));
    }
  return 0;
}

static int
setup_terminal (const struct job *j, int sock, struct ocirt_err **err)
{
  const struct ocirt_process *p = j->proc;
  struct ocirt_pty pty = OCIRT_PTY_INIT;
  int ret;

  if (ocirt_pty_open (p->has_console_size ? p->console_height : 0, p->has_console_size ? p->console_width : 0, &pty,
                      err)
      < 0)
    return -1;
  if (j->console_fd >= 0)
    ret = ocirt_fd_send (j->console_fd, pty.master, pty.name, err);
  else
    ret = ocirt_fd_send (sock, pty.master, MSG_PTY, err);
  close (pty.master);
  pty.master = -1;
  if (ret == 0)
    ret = ocirt_pty_attach_stdio (&pty, err);
  ocirt_pty_close (&pty);
  return ret;
}

static _Noreturn void
exec_child (struct job *j)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *path = NULL;
  int sock = j->sock[1], min = 3 + j->n_preserved, notify_fd = -1;
  sigset_t none;

  prctl (PR_SET_NAME, "ocirt:[EXEC]");
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  sock = ocirt_fd_above (sock, min, &err);
  if (sock < 0)
    _exit (1);
  j->console_fd = ocirt_fd_above (j->console_fd, min, &err);
  j->rootfd = ocirt_fd_above (j->rootfd, min, &err);
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    j->nsfd[t] = ocirt_fd_above (j->nsfd[t], min, &err);
  if (err != NULL)
    child_fail (sock, err);
  if (join_namespaces (j, &err) < 0)
    child_fail (sock, err);
  if (fchdir (j->rootfd) < 0 || chroot (".") < 0)
    {
      ocirt_err_make (&err, errno, "enter the container's root");
      child_fail (sock, err);
    }
  if (chdir (j->proc->cwd) < 0)
    {
      ocirt_err_make (&err, errno, "chdir to cwd (\"%s\") set in config.json failed", j->proc->cwd);
      child_fail (sock, err);
    }
  if (j->proc->terminal && setup_terminal (j, sock, &err) < 0)
    child_fail (sock, err);
  if (ocirt_find_executable (j->proc->args[0], j->proc->env, &path, &err) < 0)
    child_fail (sock, err);
  ocirt_prepare_fds (j->n_preserved);
  if (ocirt_security_apply_process (j->sec, j->proc, &notify_fd, &err) < 0)
    child_fail (sock, err);
  if (notify_fd >= 0 && (ocirt_fd_send (sock, notify_fd, MSG_SECCOMP, &err) < 0 || close (notify_fd) < 0))
    child_fail (sock, err);
  prctl (PR_SET_PDEATHSIG, 0);
  execve (path, j->proc->args, j->proc->env ? j->proc->env : (char *[]){ NULL });
  ocirt_err_make (&err, errno, "exec `%s`", path);
  child_fail (sock, err);
}

/* ---- the runtime's side ---- */

/* Clones the child into the init's pid namespace: the runtime joins it for its children only and
 * leaves it right after. */
static int
spawn (struct job *j, struct ocirt_err **err)
{
  cleanup_close int own_pidns = -1;
  bool into_cgroup = false;
  int cgroup_fd = j->cg != NULL ? ocirt_cgroup_clone_fd (j->cg) : -1;

  /* execCPUAffinity.initial is applied before joining the cgroup: no clone into it then */
  if (j->proc->exec_cpu_affinity_initial != NULL)
    cgroup_fd = -1;
  if (j->nsfd[OCIRT_NS_PID] >= 0)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0)
        return ocirt_err_make (err, errno, "open /proc/self/ns/pid");
      if (setns (j->nsfd[OCIRT_NS_PID], CLONE_NEWPID) < 0)
        return ocirt_err_make (err, errno, "join the container's pid namespace");
    }
  j->pid = ocirt_spawn (0, cgroup_fd, &j->pidfd, &into_cgroup, err);
  if (j->pid == 0)
    {
      cleanup_err struct ocirt_err *e = NULL;

      if (j->proc->exec_cpu_affinity_initial != NULL && ocirt_security_apply_affinity_initial (j->proc, &e) < 0)
        child_fail (j->sock[1], e);
      /* then the cgroup, moving itself (cheap: cgroup.h) with the runtime's credentials, before
       * anything else; into_cgroup is right in the child too: ocirt_spawn sets it before each clone */
      if (j->cg != NULL && ocirt_cgroup_join_self (j->cg, into_cgroup, &e) < 0)
        child_fail (j->sock[1], e);
      exec_child (j);
    }
  if (own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    log_warning ("leave the container's pid namespace: %s", strerror (errno));
  if (j->pid < 0)
    return -1;
  close (j->sock[1]);
  j->sock[1] = -1;
  return 0;
}

/* Until the child's end closes on exec: its fds (pty master, seccomp listener) and its error. */
static int
wait_exec (struct job *j, struct ocirt_err **err)
{
  for (;;)
    {
      union
      {
        char buf[CMSG_SPACE (sizeof (int))];
        struct cmsghdr align;
      } control;
      struct exec_error m;
      struct iovec iov = { .iov_base = &m, .iov_len = sizeof m - 1 };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                            .msg_controllen = sizeof control.buf };
      struct cmsghdr *c;
      ssize_t n = recvmsg (j->sock[0], &msg, MSG_CMSG_CLOEXEC);
      int fd = -1;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ocirt_err_make (err, errno, "wait for the exec process");
      if (n == 0)
        return 0; /* exec'd */
      ((char *) &m)[n] = '\0';
      c = CMSG_FIRSTHDR (&msg);
      if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        memcpy (&fd, CMSG_DATA (c), sizeof fd);
      if (fd < 0)
        {
          if ((size_t) n <= sizeof m.errnum)
            return ocirt_err_make (err, 0, "the exec process sent a short message");
          return ocirt_err_make (err, m.errnum, "%s", m.text);
        }
      if (strncmp ((char *) &m, MSG_PTY, n) == 0 && j->master < 0)
        j->master = fd;
      else if (strncmp ((char *) &m, MSG_SECCOMP, n) == 0)
        {
          const struct ocirt_seccomp *sc = &j->spec->linux_.seccomp;
          int r = ocirt_seccomp_notify_send (sc->listener_path, sc->listener_metadata, fd, j->pid, j->st, err);
          close (fd);
          if (r < 0)
            return -1;
        }
      else
        {
          close (fd);
          return ocirt_err_make (err, 0, "the exec process sent an unexpected fd");
        }
    }
}

static void
reap (struct job *j)
{
  if (j->pid <= 0)
    return;
  if (j->pidfd >= 0)
    pidfd_send_signal (j->pidfd, SIGKILL, NULL, 0);
  while (waitpid (j->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  j->pid = 0;
}

/* Foreground: the caller's terminal (when the process has one and no console socket took it),
 * signals forwarded, and the exit status. */
static int
foreground (struct job *j, const sigset_t *sigs, struct ocirt_err **err)
{
  if (j->master >= 0 && ocirt_tty_attach (j->master, j->pidfd, sigs, err) < 0)
    return -1; /* the caller reaps it */
  return ocirt_forward_and_wait (j->pidfd, j->pid, sigs, err);
}

int
ocirt_container_exec (const struct ocirt_ctx *ctx, const struct ocirt_exec_opts *o, struct ocirt_err **err)
{
  struct job j = { .ctx = ctx, .o = o, .init_pidfd = -1, .rootfd = -1, .console_fd = -1, .sock = { -1, -1 },
                   .pidfd = -1, .master = -1 };
  sigset_t all, old;
  int ret = -1;

  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    j.nsfd[t] = -1;
  /* blocked before the clone so that none is lost before the forwarding starts; the child
   * unblocks its copy */
  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, &old);
  if (load_container (&j, err) < 0 || open_init_namespaces (&j, err) < 0)
    goto out;
  if (o->console_socket != NULL)
    {
      j.console_fd = ocirt_console_socket_connect (o->console_socket, err);
      if (j.console_fd < 0)
        goto out;
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j.sock) < 0)
    {
      ocirt_err_make (err, errno, "socketpair");
      goto out;
    }
  if (spawn (&j, err) < 0 || wait_exec (&j, err) < 0)
    {
      reap (&j);
      goto out;
    }
  log_debug ("exec: process %d runs in container %s", (int) j.pid, o->id);
  if (o->pid_file != NULL && ocirt_write_pid_file (o->pid_file, j.pid, err) < 0)
    {
      reap (&j);
      goto out;
    }
  ret = o->detach ? 0 : foreground (&j, &all, err);
  if (ret < 0)
    reap (&j);
out:
  sigprocmask (SIG_SETMASK, &old, NULL);
  job_free (&j);
  return ret;
}
