/* The container side: what the cloned init does, from its first instruction to execve.
 *
 * Stages (docs/design/process-model.md): wait for GO; namespaces (joins, becoming root in the user
 * ns, unshares, the one fork when a pid ns follows a joined user ns); cgroup ns; rootfs (slave
 * propagation, self bind, every mount in order, /dev, pivot_root); security's rootfs part;
 * propagation and read-only root; hostname; cwd; PATH lookup; keyring; READY. Then it blocks
 * opening exec.fifo for writing until `start` opens it for reading, and finally applies the process
 * (user, caps, seccomp... through security.h) and execs. An error before READY goes to the parent
 * over the sync socket; after it, into exec.fifo for `start` to print. Nothing is ever written to
 * the container's stdio. */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../linux/mount-plan.h"
#include "../linux/ns.h"
#include "../linux/rootfs.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/hooks.h"
#include "ocirt/log.h"
#include "ocirt/security.h"
#include "ocirt/spec.h"
#include "ocirt/state.h"
#include "ocirt/terminal.h"
#include "ocirt/testhook.h"
#include "ocirt/xalloc.h"
#include "run.h"
#include "sync.h"

#define KEY_USR_SEARCH 0x00080000 /* <keyutils.h> */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Set once, read by the log hook. */
static int sync_fd = -1;

static void
log_to_parent (enum ocirt_log_level level, const char *msg, void *data)
{
  (void) data;
  if (sync_fd >= 0)
    ocirt_sync_send (sync_fd, OCIRT_SYNC_LOG, (int32_t) level, msg);
}

/* Keep our own fds out of the range handed to the process (3..3+n-1). */
int
ocirt_fd_above (int fd, int min, struct ocirt_err **err)
{
  int nfd;

  if (fd < 0 || fd >= min)
    return fd;
  nfd = fcntl (fd, F_DUPFD_CLOEXEC, min);
  if (nfd < 0)
    return ocirt_err_make (err, errno, "move fd %d above the preserved ones", fd);
  close (fd);
  return nfd;
}

static char *
read_text (int dirfd, const char *path, struct ocirt_err **err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  size_t cap = 4096, len = 0;
  char *buf;

  if (fd < 0)
    {
      ocirt_err_make (err, errno, "open `/proc/%s`", path);
      return NULL;
    }
  buf = xmalloc (cap);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, cap - len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          ocirt_err_make (err, errno, "read `/proc/%s`", path);
          return NULL;
        }
      if (n == 0)
        break;
      len += (size_t) n;
      if (len + 1 == cap)
        buf = xrealloc (buf, cap *= 2);
    }
  buf[len] = '\0';
  return buf;
}

struct init_state
{
  const struct ocirt_init_args *a;
  int procfd;            /* the runtime's /proc, opened before pivot_root */
  int fifo_fd;           /* O_PATH of exec.fifo, above the preserved fds */
  int rootfd;
  char *proc_cgroup;     /* /proc/self/cgroup before the cgroup ns */
  char *mountinfo;
  char *exec_path;
  pid_t pid;             /* ours as the runtime sees it, for the hooks' state (0 without hooks) */
};

static int
wait_go (int fd, struct ocirt_err **err)
{
  struct ocirt_sync_msg m;

  if (ocirt_sync_recv (fd, &m, err) < 0)
    return -1;
  if (m.type != OCIRT_SYNC_GO)
    _exit (1); /* the runtime went away: nobody to report to */
  return 0;
}

/* Joined user ns + new pid ns: the new pid ns only holds children, so fork once; the child is the
 * real init and the parent tells the runtime its pid and leaves. */
static int
fork_real_init (struct ocirt_err **err)
{
  pid_t pid = fork ();

  if (pid < 0)
    return ocirt_err_make (err, errno, "fork the init into the new pid namespace");
  if (pid > 0)
    {
      ocirt_sync_send (sync_fd, OCIRT_SYNC_PID, pid, NULL);
      _exit (0);
    }
  prctl (PR_SET_NAME, "ocirt:[INIT]");
  return 0;
}

static int
setup_namespaces (struct init_state *s, struct ocirt_err **err)
{
  const struct ocirt_init_args *a = s->a;

  /* the runtime's /proc, before a joined mount ns could put another pid ns' procfs there */
  s->procfd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (s->procfd < 0)
    return ocirt_err_make (err, errno, "open the runtime's /proc");
  s->procfd = ocirt_fd_above (s->procfd, 3 + a->n_preserved, err);
  if (s->procfd < 0)
    return -1;
  if (ocirt_ns_child_enter (a->ns, err) < 0)
    return -1;
  if (a->ns->fork_for_pid && fork_real_init (err) < 0)
    return -1;
  if (a->cgroup_mount)
    {
      /* the host paths of our cgroup dirs: before the cgroup ns turns them into "/" */
      s->proc_cgroup = read_text (s->procfd, "self/cgroup", err);
      s->mountinfo = s->proc_cgroup ? read_text (s->procfd, "self/mountinfo", err) : NULL;
      if (s->mountinfo == NULL)
        return -1;
    }
  if (a->ns->new_cgroup && unshare (CLONE_NEWCGROUP) < 0)
    return ocirt_err_make (err, errno, "unshare the cgroup namespace");
  return 0;
}

/* With hooks in config.json: the runtime runs prestart and createRuntime now (mounts done, not
 * pivoted) and tells us our pid; createContainer runs here, in every namespace of the container
 * with the runtime's paths still reachable (include/ocirt/hooks.h). */
static int
create_hooks (struct init_state *s, struct ocirt_err **err)
{
  const struct ocirt_spec *spec = s->a->spec;
  const struct ocirt_hooks *h = &spec->hooks;
  struct ocirt_sync_msg m;

  if (!spec->has_hooks
      || !(ocirt_hooks_has (h, OCIRT_HOOK_PRESTART) || ocirt_hooks_has (h, OCIRT_HOOK_CREATE_RUNTIME)
           || ocirt_hooks_has (h, OCIRT_HOOK_CREATE_CONTAINER) || ocirt_hooks_has (h, OCIRT_HOOK_START_CONTAINER)))
    return 0;
  if (ocirt_sync_send (sync_fd, OCIRT_SYNC_HOOKS, 0, NULL) < 0)
    return ocirt_err_make (err, errno, "ask the runtime to run the hooks");
  if (ocirt_sync_recv (sync_fd, &m, err) < 0)
    return -1;
  if (m.type != OCIRT_SYNC_GO)
    _exit (1); /* a hook failed: the runtime reports it and takes us down */
  s->pid = m.value;
  return ocirt_hooks_run_spec (spec, OCIRT_HOOK_CREATE_CONTAINER, s->a->id, s->a->bundle, s->pid, err);
}

static int
setup_rootfs (struct init_state *s, struct ocirt_err **err)
{
  const struct ocirt_init_args *a = s->a;
  const struct ocirt_spec *spec = a->spec;
  struct ocirt_mount_ctx mc;
  bool in_userns = a->ns->new_user || a->ns->join_user;

  if (!a->ns->new_mount && !a->shared_root)
    {
      /* the runtime's mount namespace or a joined one, with nothing to mount: a chroot */
      if (create_hooks (s, err) < 0)
        return -1;
      if (chroot (a->rootfs) < 0)
        return ocirt_err_make (err, errno, "chroot into `%s`", a->rootfs);
      return 0;
    }
  /* the runtime's mount namespace (the config has none) or a joined one: mounts under a private
   * bind of the rootfs there, which `delete` detaches */
  if (a->shared_root ? ocirt_rootfs_prepare_shared (a->rootfs, &s->rootfd, err) < 0
                     : ocirt_rootfs_prepare (a->rootfs, in_userns, &s->rootfd, err) < 0)
    return -1;
  s->rootfd = ocirt_fd_above (s->rootfd, 3 + a->n_preserved, err);
  if (s->rootfd < 0)
    return -1;
  mc.rootfd = s->rootfd;
  mc.in_userns = in_userns;
  mc.proc_cgroup = s->proc_cgroup;
  mc.mountinfo = s->mountinfo;
  mc.mount_label = ocirt_selinux_mount_label (spec);
  for (size_t i = 0; i < a->mounts->n; i++)
    {
      log_debug ("init: mount %s", a->mounts->ops[i].destination);
      if (ocirt_mount_apply (&a->mounts->ops[i], &mc, err) < 0)
        return -1;
      if (i == 0)
      OCIRT_TEST_FAIL_AT ("init-mounts");
    }
  if (!a->mounts->dev_bind
      && ocirt_devices_setup (s->rootfd, spec, true, in_userns, err) < 0)
    return -1;
  if (create_hooks (s, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("init-pivot");
  if (a->shared_root)
    return ocirt_rootfs_chroot (s->rootfd, err);
  return ocirt_rootfs_pivot (s->rootfd, a->no_pivot, err);
}

/* process.terminal: a pty of the container's devpts (after pivot_root), its slave on /dev/console
 * (in our own mount namespace only) and as our stdio and controlling terminal; the master goes to
 * the console socket, or to the runtime (foreground run). include/ocirt/terminal.h */
static int
setup_terminal (struct init_state *s, struct ocirt_err **err)
{
  const struct ocirt_process *p = s->a->spec->process;
  struct ocirt_pty pty = OCIRT_PTY_INIT;
  int ret = -1;

  if (ocirt_pty_open (p->has_console_size ? p->console_height : 0, p->has_console_size ? p->console_width : 0, &pty,
                      err)
      < 0)
    return -1;
  if (s->a->ns->new_mount && ocirt_pty_mount_console (&pty, err) < 0)
    goto out;
  if (s->a->console_fd >= 0)
    {
      if (ocirt_fd_send (s->a->console_fd, pty.master, pty.name, err) < 0)
        goto out;
      close (s->a->console_fd);
    }
  else if (ocirt_sync_send (sync_fd, OCIRT_SYNC_TTY, 0, NULL) < 0 || ocirt_fd_send (sync_fd, pty.master, "pty", err) < 0)
    {
      ocirt_err_make (err, errno, "send the pty master to the runtime");
      goto out;
    }
  close (steal_fd (&pty.master));
  ret = ocirt_pty_attach_stdio (&pty, err);
out:
  ocirt_pty_close (&pty);
  return ret;
}

static bool
is_executable (const char *path, int *errnum)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      *errnum = errno;
      return false;
    }
  if (S_ISDIR (st.st_mode))
    {
      *errnum = EISDIR;
      return false;
    }
  if ((st.st_mode & 0111) == 0)
    {
      *errnum = EACCES;
      return false;
    }
  return true;
}

static const char *
env_get (char *const *env, const char *name)
{
  size_t n = strlen (name);

  for (; env != NULL && *env != NULL; env++)
    if (strncmp (*env, name, n) == 0 && (*env)[n] == '=')
      return *env + n + 1;
  return NULL;
}

/* execvp's search, with runc's (Go's exec.LookPath) wording, done before READY so that a missing
 * binary fails `create` cleanly. Without PATH in process.env the usual default is searched. */
int
ocirt_find_executable (const char *name, char *const *env, char **out, struct ocirt_err **err)
{
  const char *path = env_get (env, "PATH");
  int errnum = 0;

  if (name == NULL || name[0] == '\0')
    return ocirt_err_make (err, 0, "process.args[0] is empty");
  if (strchr (name, '/') != NULL)
    {
      if (!is_executable (name, &errnum))
        return ocirt_err_make (err, errnum, "exec: \"%s\": stat %s", name, name);
      *out = xstrdup (name);
      return 0;
    }
  if (path == NULL)
    path = DEFAULT_PATH;
  for (const char *p = path;; p++)
    {
      const char *e = strchrnul (p, ':');
      cleanup_free char *cand = e == p ? xfmt ("./%s", name) : xfmt ("%.*s/%s", (int) (e - p), p, name);

      if (is_executable (cand, &errnum))
        {
          *out = steal_ptr (&cand);
          return 0;
        }
      if (*e == '\0')
        break;
      p = e;
    }
  return ocirt_err_make (err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/* A session keyring of our own, named after the container (as runc), searchable by its user. */
static int
join_keyring (const char *id, struct ocirt_err **err)
{
  char desc[512];
  unsigned perm;
  long key = syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id);

  if (key < 0 && (errno == ENOSYS || errno == EACCES))
    return 0; /* keyctl filtered out (nested runtimes): nothing to join */
  if (key < 0)
    return ocirt_err_make (err, errno, "join a new session keyring (--no-new-keyring avoids it)");
  if (syscall (SYS_keyctl, KEYCTL_DESCRIBE, key, desc, sizeof desc) < 0)
    return ocirt_err_make (err, errno, "describe the session keyring");
  /* "type;uid;gid;perm;description" */
  if (sscanf (desc, "%*[^;];%*[^;];%*[^;];%x;", &perm) != 1)
    return ocirt_err_make (err, 0, "unexpected keyring description `%s`", desc);
  if (syscall (SYS_keyctl, KEYCTL_SETPERM, key, perm | KEY_USR_SEARCH) < 0)
    return ocirt_err_make (err, errno, "make the session keyring searchable");
  return 0;
}

static int
init_setup (struct init_state *s, struct ocirt_err **err)
{
  const struct ocirt_init_args *a = s->a;
  const struct ocirt_spec *spec = a->spec;
  mode_t umask_saved;

  if (wait_go (sync_fd, err) < 0)
    return -1;
  /* first, with the runtime's credentials still (in a new user ns too): cgroup.h */
  if (a->cgroup != NULL && ocirt_cgroup_join_self (a->cgroup, a->cgroup_in_v2, err) < 0)
    return -1;
  /* no ptrace, no /proc/PID/mem for the container's processes while we hold host fds. Not before
   * GO: an unprivileged runtime could not open our /proc/PID/uid_map to write it. Until then we
   * only wait, and no process of the container exists yet. */
  prctl (PR_SET_DUMPABLE, 0);
  log_debug ("init: got GO");
  OCIRT_TEST_FAIL_AT ("init-go");
  if (setup_namespaces (s, err) < 0)
    return -1;
  umask_saved = umask (0); /* device and mount target modes as configured */
  if (setup_rootfs (s, err) < 0)
    return -1;
  if (spec->process != NULL && spec->process->terminal && setup_terminal (s, err) < 0)
    return -1;
  if (a->ns->new_mount || a->ns->join_mount || a->shared_root)
    {
      if (ocirt_security_apply_rootfs (spec, err) < 0)
        return -1;
    }
  if ((a->ns->new_mount || a->shared_root) && ocirt_rootfs_finish (spec, err) < 0)
    return -1;
  if (spec->hostname != NULL && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return ocirt_err_make (err, errno, "set hostname `%s`", spec->hostname);
  if (spec->domainname != NULL && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return ocirt_err_make (err, errno, "set domainname `%s`", spec->domainname);
  umask (umask_saved);
  if (spec->process != NULL)
    {
      /* resolved in the root without magic links, so /proc/self/fd/N (one of our host fds)
       * cannot become the process' cwd (CVE-2024-21626) */
      if (ocirt_security_chdir (spec->process->cwd, err) < 0)
        return -1;
      if (ocirt_find_executable (spec->process->args[0], a->env, &s->exec_path, err) < 0)
        return -1;
    }
  if (!a->no_new_keyring && join_keyring (a->id, err) < 0)
    return -1;
  return 0;
}

/* After READY, errors go into exec.fifo, where `start` reads them. */
static void fifo_report (int fd, int errnum, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
fifo_report (int fd, int errnum, const char *fmt, ...)
{
  struct ocirt_fifo_error h;
  char text[OCIRT_SYNC_TEXT_MAX];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (text, sizeof text, fmt, ap);
  va_end (ap);
  h.errnum = errnum;
  h.len = (uint32_t) strlen (text);
  signal (SIGPIPE, SIG_IGN);
  if (write (fd, &h, sizeof h) == (ssize_t) sizeof h)
    (void) !write (fd, text, h.len);
}

static void
fifo_report_err (int fd, const struct ocirt_err *e)
{
  fifo_report (fd, e ? e->errnum : 0, "%s", e ? e->msg : "unknown error");
}

/* Blocks until `start` opens exec.fifo for reading. */
static int
open_fifo (const struct init_state *s)
{
  char path[64];
  int fd;

  snprintf (path, sizeof path, "self/fd/%d", s->fifo_fd);
  do
    fd = openat (s->procfd, path, O_WRONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    _exit (1);
  return fd;
}

/* Only the stdio and the preserved fds reach the process. */
void
ocirt_prepare_fds (int n_preserved)
{
  close_range (3 + (unsigned) n_preserved, ~0U, CLOSE_RANGE_CLOEXEC);
  for (int fd = 3; fd < 3 + n_preserved; fd++)
    fcntl (fd, F_SETFD, 0);
}

/* SCMP_ACT_NOTIFY: the listener fd and the container process state (config-linux.md) go to the
 * agent on the socket the runtime connected. The filter is loaded already: sendmsg may not be a
 * NOTIFY rule (security's prepare refuses it). */
static int
send_listener_fd (const struct init_state *s, int notify_fd, struct ocirt_err **err)
{
  const struct ocirt_init_args *a = s->a;
  const struct ocirt_spec *spec = a->spec;
  struct ocirt_state st;
  cleanup_free char **keys = xzalloc ((spec->n_annotations + 1) * sizeof *keys);
  cleanup_free char **values = xzalloc ((spec->n_annotations + 1) * sizeof *values);
  cleanup_free char *json = NULL;
  char self[32];
  ssize_t n;
  int r;

  /* our pid as the runtime (and the agent) sees it: "self" in the runtime's procfs */
  n = readlinkat (s->procfd, "self", self, sizeof self - 1);
  if (n < 0)
    return ocirt_err_make (err, errno, "seccomp notify: read our pid");
  self[n] = '\0';
  memset (&st, 0, sizeof st);
  st.oci_version = spec->oci_version;
  st.id = (char *) a->id;
  st.status = OCIRT_STATUS_CREATING; /* as runc tells the agent */
  st.pid = (pid_t) strtol (self, NULL, 10);
  st.bundle = (char *) a->bundle;
  for (size_t i = 0; i < spec->n_annotations; i++)
    {
      keys[i] = spec->annotations[i].key;
      values[i] = spec->annotations[i].value;
    }
  st.annotation_keys = keys;
  st.annotation_values = values;
  st.n_annotations = spec->n_annotations;
  json = ocirt_seccomp_notify_state_json (spec->linux_.seccomp.listener_metadata, st.pid, &st);
  r = ocirt_fd_send (a->notify_fd, notify_fd, json, err);
  close (notify_fd);
  close (a->notify_fd);
  if (r < 0)
    return ocirt_err_wrap (err, "linux.seccomp.listenerPath: send the seccomp fd");
  return 0;
}

static _Noreturn void
wait_and_exec (struct init_state *s)
{
  const struct ocirt_init_args *a = s->a;
  const struct ocirt_process *proc = a->spec->process;
  cleanup_err struct ocirt_err *err = NULL;
  int notify_fd = -1;
  int fd;

  for (;;)
    {
      struct pollfd p;

      fd = open_fifo (s);
      if (proc != NULL)
        break;
      /* nothing to run: tell this `start`, wait until it has gone, stay created */
      fifo_report (fd, 0, "the container has no process (config.json had no `process` at create)");
      p.fd = fd;
      p.events = 0;
      while (poll (&p, 1, -1) < 0 && errno == EINTR)
        ;
      close (fd);
    }
  log_debug ("init: start came");
  OCIRT_TEST_FAIL_AT ("init-start");
  if (ocirt_hooks_run_spec (a->spec, OCIRT_HOOK_START_CONTAINER, a->id, a->bundle, s->pid, &err) < 0)
    {
      fifo_report_err (fd, err);
      _exit (1);
    }
  ocirt_prepare_fds (a->n_preserved);
  if (ocirt_security_apply_process (a->sec, proc, &notify_fd, &err) < 0
      || (notify_fd >= 0 && send_listener_fd (s, notify_fd, &err) < 0))
    {
      fifo_report_err (fd, err);
      _exit (1);
    }
  execve (s->exec_path, proc->args, a->env);
  fifo_report (fd, errno, "exec `%s`", s->exec_path);
  _exit (127);
}

/* A created container's init is pid 1 of its pid namespace: without a handler, the kernel drops
 * every signal from outside but SIGKILL. `kill ID` (SIGTERM) must still end a created container,
 * as it ends runc's: these handlers exit as a shell reports a signal death. execve resets them. */
static void
die_on_signal (int sig)
{
  _exit (128 + sig);
}

static void
catch_terminating_signals (void)
{
  static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM };
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = die_on_signal;
  sigfillset (&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}

_Noreturn void
ocirt_init_main (const struct ocirt_init_args *a)
{
  struct init_state s = { .a = a, .procfd = -1, .rootfd = -1, .fifo_fd = -1 };
  cleanup_err struct ocirt_err *err = NULL;
  sigset_t none;

  prctl (PR_SET_NAME, "ocirt:[INIT]");
  /* the runtime gone before READY: nothing to wait for. (Had it died before this line, the
   * sync socket says so: EOF instead of GO.) */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  catch_terminating_signals ();
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  sync_fd = ocirt_fd_above (a->sync_fd, 3 + a->n_preserved, &err);
  if (sync_fd < 0)
    _exit (1);
  ocirt_log_set_hook (log_to_parent, NULL);
  s.fifo_fd = ocirt_fd_above (a->fifo_fd, 3 + a->n_preserved, &err);
  if (s.fifo_fd < 0 || init_setup (&s, &err) < 0)
    {
      ocirt_sync_send_err (sync_fd, err);
      _exit (1);
    }
  if (s.rootfd >= 0)
    close (s.rootfd);
  OCIRT_TEST_FAIL_AT ("init-ready");
  prctl (PR_SET_PDEATHSIG, 0);
  ocirt_sync_send (sync_fd, OCIRT_SYNC_READY, 0, NULL);
  /* from here log lines have nowhere to go (the hook drops them): never the container's stderr */
  close (sync_fd);
  sync_fd = -1;
  wait_and_exec (&s);
}
