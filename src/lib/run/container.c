/* Lifecycle orchestration: create, start, run, kill, delete (include/ocirt/container.h).
 *
 * create checks everything it can before anything exists (config, rootfs, namespace paths, mount
 * options, security), then takes the id's lock and makes, in order, the state dir, the cgroup,
 * exec.fifo and the init; each is recorded in an undo record that a failure runs backwards, so a
 * failed create leaves nothing behind. The parent/init protocol is in sync.h; exec.fifo carries the
 * start signal and, if the exec fails, the init's error to `start`. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../linux/mount-plan.h"
#include "../linux/ns.h"
#include "../linux/rootfs.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/container.h"
#include "ocirt/err.h"
#include "ocirt/hooks.h"
#include "ocirt/log.h"
#include "ocirt/names.h"
#include "ocirt/ocirt.h"
#include "ocirt/security.h"
#include "ocirt/spec.h"
#include "ocirt/state.h"
#include "ocirt/terminal.h"
#include "ocirt/testhook.h"
#include "ocirt/xalloc.h"
#include "run.h"
#include "sync.h"

#define FIFO_NAME "exec.fifo"
/* in the state dir of a container whose mounts went into our mount namespace or a joined one
 * (shared_root): the id of the mount that was on the rootfs before the container's bind of it, the
 * inode of the joined namespace (0: ours), and on a second line the path of the joined one */
#define ROOTFS_BASE_NAME "rootfs-base-mount"

/* ---- helpers ---- */

static int
pidfd_signal (int pidfd, int sig)
{
  return pidfd_send_signal (pidfd, sig, NULL, 0);
}

/* Blocks until the process of pidfd has exited (it need not be our child). */
static void
pidfd_wait_exit (int pidfd)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };

  while (poll (&p, 1, -1) < 0 && errno == EINTR)
    ;
}

/* A pidfd of the container's init, only if it is still the process we started (same start time):
 * a reused pid is never signalled. -1 with errno ESRCH when it is gone. */
int
ocirt_open_init (const struct ocirt_state *st)
{
  uint64_t start;
  int fd;

  if (st->pid <= 0)
    return errno = ESRCH, -1;
  fd = pidfd_open (st->pid, 0);
  if (fd < 0)
    return -1;
  /* the pidfd pins the process: if the start time matches now, the fd is the init's */
  if (ocirt_proc_start_time (st->pid, &start, NULL) < 0 || start != st->pid_start_time)
    {
      close (fd);
      return errno = ESRCH, -1;
    }
  return fd;
}

int
ocirt_write_pid_file (const char *path, pid_t pid, struct ocirt_err **err)
{
  cleanup_free char *copy = xstrdup (path);
  cleanup_free char *copy2 = xstrdup (path);
  cleanup_free char *tmp = xfmt ("%s/.%s", dirname (copy), basename (copy2));
  cleanup_close int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%d", pid);

  if (fd < 0)
    return ocirt_err_make (err, errno, "pid file `%s`", tmp);
  if (write (fd, buf, (size_t) len) != len)
    {
      int e = errno;
      unlink (tmp);
      return ocirt_err_make (err, e, "write pid file `%s`", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return ocirt_err_make (err, e, "rename pid file `%s` to `%s`", tmp, path);
    }
  return 0;
}

/* ---- create ---- */

/* What a failed create must take back, newest first. */
struct undo
{
  const char *root;
  const char *id;
  bool state_dir;
  struct ocirt_cgroup *cg; /* destroyed on failure; owned by the job */
  pid_t child;             /* our direct child, to kill and reap */
  int child_pidfd;
  int init_pidfd;          /* the real init when the child forked it */
  /* set once prestart began: a failure from there on still ends with the poststop hooks
   * (runtime.md lifecycle steps 3-5, 12, 13) */
  const struct ocirt_spec *poststop_spec;
  const char *bundle;
  pid_t pid;
  const char *shared_rootfs; /* shared_root: the bind to detach, unless the top mount is rootfs_base */
  uint64_t rootfs_base;
  int rootfs_mntns;          /* the joined mount ns it is in, or -1 (ours); owned by the job */
};

static void
undo_run (struct undo *u)
{
  cleanup_err struct ocirt_err *e = NULL;

  if (u->init_pidfd >= 0)
    pidfd_signal (u->init_pidfd, SIGKILL);
  if (u->child_pidfd >= 0)
    pidfd_signal (u->child_pidfd, SIGKILL);
  if (u->child > 0)
    while (waitpid (u->child, NULL, 0) < 0 && errno == EINTR)
      ;
  if (u->init_pidfd >= 0)
    pidfd_wait_exit (u->init_pidfd);
  if (u->shared_rootfs != NULL
      && ocirt_rootfs_detach_shared (u->rootfs_mntns, u->shared_rootfs, u->rootfs_base, &e) < 0)
    {
      cleanup_free char *t = ocirt_err_text (e);
      log_warning ("undo a failed create: %s", t);
      ocirt_err_freep (&e);
    }
  if (u->cg != NULL && ocirt_cgroup_destroy (u->cg, &e) < 0)
    {
      cleanup_free char *t = ocirt_err_text (e);
      log_warning ("undo a failed create: %s", t);
      ocirt_err_freep (&e);
    }
  if (u->state_dir && ocirt_state_remove (u->root, u->id, &e) < 0)
    {
      cleanup_free char *t = ocirt_err_text (e);
      log_warning ("undo a failed create: %s", t);
    }
  /* poststop failures are warnings: this never fails */
  ocirt_hooks_run_spec (u->poststop_spec, OCIRT_HOOK_POSTSTOP, u->id, u->bundle, u->pid, NULL);
}

struct job
{
  const struct ocirt_ctx *ctx;
  const struct ocirt_create_opts *o;
  bool detach;
  char *bundle;
  char *rootfs;
  struct ocirt_spec *spec;
  struct ocirt_mount_plan mounts;
  struct ocirt_ns_plan ns;
  struct ocirt_security *sec;
  struct ocirt_cgroup *cg;
  char *cg_planned; /* its path, recorded in the "creating" state before it is made */
  char **env;
  int n_preserved;
  int lock_fd;
  int fifo_fd;
  int sock[2];
  pid_t pid; /* the init */
  int pidfd;
  int console_fd; /* --console-socket, connected */
  int notify_fd;  /* linux.seccomp.listenerPath, connected */
  int master;     /* the pty master the init sent (terminal, no console socket) */
  bool shared_root; /* no mount ns of its own, but mounts: they go into ours or the joined one (run.h) */
  struct undo undo;
};

static void
job_free (struct job *j)
{
  free (j->bundle);
  free (j->rootfs);
  free (j->cg_planned);
  ocirt_mount_plan_free (&j->mounts);
  ocirt_ns_plan_close (&j->ns);
  ocirt_security_free (j->sec);
  ocirt_cgroup_free (j->cg);
  free (j->env); /* the strings belong to the spec, except the two LISTEN ones */
  ocirt_spec_free (j->spec);
  if (j->fifo_fd >= 0)
    close (j->fifo_fd);
  for (int i = 0; i < 2; i++)
    if (j->sock[i] >= 0)
      close (j->sock[i]);
  if (j->undo.child_pidfd >= 0 && j->undo.child_pidfd != j->pidfd)
    close (j->undo.child_pidfd);
  if (j->pidfd >= 0)
    close (j->pidfd);
  if (j->console_fd >= 0)
    close (j->console_fd);
  if (j->notify_fd >= 0)
    close (j->notify_fd);
  if (j->master >= 0)
    close (j->master);
  if (j->lock_fd >= 0)
    ocirt_state_unlock (j->ctx->root, j->o->id, &j->lock_fd);
}

static char *
resolve_dir (const char *path, const char *what, struct ocirt_err **err)
{
  char *real = realpath (path, NULL);
  struct stat st;

  if (real == NULL)
    {
      ocirt_err_make (err, errno, "%s `%s`", what, path);
      return NULL;
    }
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      ocirt_err_make (err, ENOTDIR, "%s `%s`", what, path);
      free (real);
      return NULL;
    }
  return real;
}

/* LISTEN_FDS (systemd socket activation) meant for us is passed on, as runc does: the fds 3..
 * go first, and the process is told LISTEN_PID=1. */
static int
listen_fds (void)
{
  const char *fds = getenv ("LISTEN_FDS"), *pid = getenv ("LISTEN_PID");
  char *end;
  long n;

  if (fds == NULL || pid == NULL || strtol (pid, NULL, 10) != getpid ())
    return 0;
  n = strtol (fds, &end, 10);
  return (*end == '\0' && n > 0 && n < 1 << 20) ? (int) n : 0;
}

/* fds 3..3+n-1 go to the process: a hole in that range (an fd the caller did not pass) must not
 * be filled by one of ours (a namespace fd, the state lock) that would then leak into the
 * container. Holes get /dev/null. */
static int
reserve_preserved (int n, struct ocirt_err **err)
{
  for (int fd = 3; fd < 3 + n; fd++)
    {
      int nul;

      if (fcntl (fd, F_GETFD) >= 0 || errno != EBADF)
        continue;
      nul = open ("/dev/null", O_RDWR);
      if (nul < 0)
        return ocirt_err_make (err, errno, "open /dev/null");
      if (nul != fd)
        {
          int r = dup2 (nul, fd);
          close (nul);
          if (r < 0)
            return ocirt_err_make (err, errno, "dup2 /dev/null to preserved fd %d", fd);
        }
    }
  return 0;
}

static void
build_env (struct job *j)
{
  const struct ocirt_process *p = j->spec->process;
  size_t n = p != NULL ? p->n_env : 0, k = 0;
  int nl = listen_fds ();
  static char listen_fds_var[32];

  j->env = xzalloc ((n + 3) * sizeof *j->env);
  for (size_t i = 0; i < n; i++)
    j->env[k++] = p->env[i];
  if (nl > 0)
    {
      snprintf (listen_fds_var, sizeof listen_fds_var, "LISTEN_FDS=%d", nl);
      j->env[k++] = listen_fds_var;
      j->env[k++] = (char *) "LISTEN_PID=1";
    }
  j->n_preserved = nl + j->o->preserve_fds;
}

/* The user namespaces of idmapped mounts: made here, by the runtime, which may write any mapping;
 * the init inherits the fds. */
static int
open_idmaps (struct job *j, struct ocirt_err **err)
{
  bool rootless = ocirt_rootless_resolve (j->ctx->rootless);

  for (size_t i = 0; i < j->mounts.n; i++)
    {
      struct ocirt_mount_op *op = &j->mounts.ops[i];

      if (!op->idmapped)
        continue;
      op->userns_fd = ocirt_userns_open (op->uid_map, op->n_uid_map, op->gid_map, op->n_gid_map, rootless, err);
      if (op->userns_fd < 0)
        return ocirt_err_wrap (err, "mount `%s`", op->destination);
    }
  return 0;
}

/* SCMP_ACT_NOTIFY: the agent's socket is connected here, by the runtime, in the host's mount
 * namespace and with its credentials; the init sends the listener fd and the state on it once
 * its filter is loaded, right before execve. */
static int
connect_listener (struct job *j, struct ocirt_err **err)
{
  const char *path = j->spec->linux_.seccomp.listener_path;

  if (path == NULL || path[0] == '\0')
    return ocirt_err_make (err, 0, "linux.seccomp: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
  j->notify_fd = ocirt_console_socket_connect (path, err);
  if (j->notify_fd < 0)
    return ocirt_err_wrap (err, "linux.seccomp.listenerPath");
  return 0;
}

/* Everything that can be checked before anything exists. */
static int
job_load (struct job *j, struct ocirt_err **err)
{
  const struct ocirt_create_opts *o = j->o;
  const struct ocirt_linux *l;
  bool terminal;
  cleanup_free char *config = NULL;
  cleanup_free char *root = NULL;

  if (ocirt_id_validate (o->id, err) < 0)
    return -1;
  if (reserve_preserved (listen_fds () + o->preserve_fds, err) < 0)
    return -1;
  j->bundle = resolve_dir (o->bundle != NULL ? o->bundle : ".", "bundle", err);
  if (j->bundle == NULL)
    return -1;
  config = xfmt ("%s/config.json", j->bundle);
  j->spec = ocirt_spec_parse_file (config, err);
  if (j->spec == NULL || ocirt_spec_check (j->spec, false, err) < 0
      || ocirt_spec_check_supported (j->spec, err) < 0)
    return -1;
  l = &j->spec->linux_;
  if (j->spec->root_path == NULL)
    return ocirt_err_make (err, 0, "config.json: root.path is required");
  root = j->spec->root_path[0] == '/' ? xstrdup (j->spec->root_path) : xfmt ("%s/%s", j->bundle, j->spec->root_path);
  j->rootfs = resolve_dir (root, "rootfs (root.path)", err);
  if (j->rootfs == NULL)
    return -1;

  terminal = j->spec->process != NULL && j->spec->process->terminal;
  if (ocirt_terminal_check (terminal, j->detach, o->console_socket, err) < 0)
    return -1;
  if (terminal && o->console_socket != NULL)
    {
      j->console_fd = ocirt_console_socket_connect (o->console_socket, err);
      if (j->console_fd < 0)
        return -1;
    }
  else if (terminal && ocirt_host_tty_available (err) < 0) /* foreground run: the caller's terminal */
    return -1;

  if (ocirt_ns_plan_build (j->spec, &j->ns, err) < 0)
    return -1;
  if (ocirt_mount_plan_build (j->spec, j->bundle, &j->mounts, err) < 0)
    return -1;
  /* No new mount namespace: the container inherits ours (config-linux.md) or joins one, where its
   * root is root.path and its mounts go too, under a private bind of the rootfs that delete
   * detaches (runtime-tools' linux_ns_itype and linux_ns_path) */
  j->shared_root = !j->ns.new_mount
                   && (j->mounts.n > 0 || j->spec->root_readonly || l->n_masked_paths > 0 || l->n_readonly_paths > 0
                       || (l->rootfs_propagation != NULL && l->rootfs_propagation[0] != '\0'));
  if (j->shared_root && !j->ns.join_mount && (j->ns.new_user || j->ns.join_user))
    return ocirt_err_make (err, 0, "config.json has mounts but no mount namespace, and a user namespace, which "
                                   "cannot mount in the runtime's mount namespace (add {\"type\": \"mount\"} to "
                                   "linux.namespaces)");
  if (!j->ns.new_mount && !j->ns.join_mount && (l->n_masked_paths > 0 || l->n_readonly_paths > 0))
    return ocirt_err_make (err, 0, "unable to restrict sys entries without a private MNT namespace");
  if (j->spec->hostname != NULL && j->spec->hostname[0] != '\0' && !j->ns.ns[OCIRT_NS_UTS].present)
    return ocirt_err_make (err, 0, "unable to set hostname without a private UTS namespace");
  if (j->spec->domainname != NULL && j->spec->domainname[0] != '\0' && !j->ns.ns[OCIRT_NS_UTS].present)
    return ocirt_err_make (err, 0, "unable to set domainname without a private UTS namespace");
  if (l->rootfs_propagation != NULL && l->rootfs_propagation[0] != '\0'
      && ocirt_propagation_parse (l->rootfs_propagation) < 0)
    return ocirt_err_make (err, 0, "linux.rootfsPropagation: unknown value `%s`", l->rootfs_propagation);
  if (ocirt_ns_open (&j->ns, err) < 0)
    return -1;
  if (open_idmaps (j, err) < 0
      || ocirt_mount_prepare_binds (&j->mounts, j->ns.new_user || j->ns.join_user || j->ns.join_mount, err) < 0)
    return -1;

  if (j->spec->process != NULL)
    {
      if (ocirt_security_prepare (j->spec, j->spec->process, &j->sec, err) < 0)
        return -1;
      if (ocirt_security_uses_notify (j->sec) && connect_listener (j, err) < 0)
        return -1;
    }
  build_env (j);
  return 0;
}

static bool
has_cgroup_mount (const struct ocirt_mount_plan *p)
{
  for (size_t i = 0; i < p->n; i++)
    if (p->ops[i].kind == OCIRT_MOUNT_CGROUP)
      return true;
  return false;
}

/* The init's messages until READY. */
static int
wait_ready (struct job *j, struct ocirt_err **err)
{
  struct ocirt_sync_msg m;

  for (;;)
    {
      if (ocirt_sync_recv (j->sock[0], &m, err) < 0)
        return -1;
      switch ((enum ocirt_sync_type) m.type)
        {
        case OCIRT_SYNC_LOG:
          ocirt_log ((enum ocirt_log_level) m.value, "%s", m.text);
          break;
        case OCIRT_SYNC_PID:
          log_debug ("init forked the real init %d", m.value);
          j->pid = m.value;
          j->pidfd = pidfd_open (j->pid, 0);
          if (j->pidfd < 0)
            return ocirt_err_make (err, errno, "pidfd of the container init %d", j->pid);
          j->undo.init_pidfd = j->pidfd;
          /* the intermediate leaves right after sending: reap it */
          while (waitpid (j->undo.child, NULL, 0) < 0 && errno == EINTR)
            ;
          j->undo.child = 0;
          break;
        case OCIRT_SYNC_ERROR:
          return ocirt_err_make (err, m.value, "%s", m.text);
        case OCIRT_SYNC_READY:
          log_debug ("init %d is ready", j->pid);
        OCIRT_TEST_FAIL_AT ("ready");
          return 0;
        case OCIRT_SYNC_HOOKS:
          /* the init has its mounts and has not pivoted: prestart and createRuntime run here */
        OCIRT_TEST_FAIL_AT ("hooks");
          j->undo.poststop_spec = j->spec;
          j->undo.bundle = j->bundle;
          j->undo.pid = j->pid;
          if (ocirt_hooks_run_spec (j->spec, OCIRT_HOOK_PRESTART, j->o->id, j->bundle, j->pid, err) < 0
              || ocirt_hooks_run_spec (j->spec, OCIRT_HOOK_CREATE_RUNTIME, j->o->id, j->bundle, j->pid, err) < 0)
            return -1;
          if (ocirt_sync_send (j->sock[0], OCIRT_SYNC_GO, j->pid, NULL) < 0)
            return ocirt_err_make (err, errno, "tell the container init to go on after the hooks");
          break;
        case OCIRT_SYNC_TTY:
          if (ocirt_fd_recv (j->sock[0], &j->master, NULL, err) < 0)
            return ocirt_err_wrap (err, "receive the container's pty master");
          break;
        case OCIRT_SYNC_EOF:
          {
            int status = 0;
            pid_t child = j->undo.child;

            if (child > 0 && waitpid (child, &status, 0) == child)
              {
                j->undo.child = 0;
                if (WIFSIGNALED (status))
                  return ocirt_err_make (err, 0, "the container init died before it was ready: signal %s",
                                         ocirt_signal_name (WTERMSIG (status)) ?: "?");
                return ocirt_err_make (err, 0, "the container init exited before it was ready: exit status %d",
                                       WEXITSTATUS (status));
              }
            return ocirt_err_make (err, 0, "the container init went away before it was ready");
          }
        default:
          return ocirt_err_make (err, 0, "unexpected message %u from the container init", m.type);
        }
    }
}

static int job_write_state (struct job *j, enum ocirt_status status, struct ocirt_err **err);

/* shared_root: the mount on the rootfs now, before the init binds it, in memory for the undo
 * and in the state dir for delete. */
static int
record_rootfs_base (struct job *j, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("%s/%s/" ROOTFS_BASE_NAME, j->ctx->root, j->o->id);
  cleanup_fclose FILE *f = NULL;
  const struct ocirt_ns_entry *mnt = &j->ns.ns[OCIRT_NS_MOUNT];
  int mntns = j->ns.join_mount ? mnt->fd : -1;
  struct stat ns_st = { 0 };
  uint64_t base;

  if (ocirt_rootfs_base (mntns, j->rootfs, &base, err) < 0)
    return -1;
  if (mntns >= 0 && fstat (mntns, &ns_st) < 0)
    return ocirt_err_make (err, errno, "stat mount namespace `%s`", mnt->path);
  f = fopen (path, "wxe");
  if (f == NULL
      || fprintf (f, "%llu %llu\n%s\n", (unsigned long long) base, (unsigned long long) ns_st.st_ino,
                  mntns >= 0 ? mnt->path : "")
             < 0
      || fflush (f) != 0)
    return ocirt_err_make (err, errno, "write `%s`", path);
  j->undo.shared_rootfs = j->rootfs;
  j->undo.rootfs_base = base;
  j->undo.rootfs_mntns = mntns;
  return 0;
}

static int
job_spawn (struct job *j, struct ocirt_err **err)
{
  const struct ocirt_ctx *ctx = j->ctx;
  cleanup_free char *fifo = NULL;
  bool into_cgroup, self_join;
  pid_t pid;

  if (ocirt_state_lock (ctx->root, j->o->id, &j->lock_fd, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("lock");
  if (ocirt_state_dir_create (ctx->root, j->o->id, err) < 0)
    return -1;
  j->undo.state_dir = true;
  OCIRT_TEST_FAIL_AT ("state-dir");
  if (ocirt_cgroup_path_plan (ctx, j->o->id, j->spec, &j->cg_planned, err) < 0
      || job_write_state (j, OCIRT_STATUS_CREATING, err) < 0)
    return -1;
  if (ocirt_cgroup_create (ctx, j->o->id, j->spec, &j->cg, err) < 0)
    return -1;
  j->undo.cg = j->cg;
  if (j->shared_root && record_rootfs_base (j, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("cgroup");
  fifo = xfmt ("%s/%s/" FIFO_NAME, ctx->root, j->o->id);
  /* 0622 past the umask: the init opens it for writing as whatever uid is root in its user ns
   * (the state dir, 0700, keeps everyone else out) */
  if (mkfifo (fifo, 0622) < 0 || chmod (fifo, 0622) < 0)
    return ocirt_err_make (err, errno, "mkfifo `%s`", fifo);
  j->fifo_fd = open (fifo, O_PATH | O_CLOEXEC);
  if (j->fifo_fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", fifo);
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j->sock) < 0)
    return ocirt_err_make (err, errno, "socketpair");
  OCIRT_TEST_FAIL_AT ("fifo");

  if (ocirt_ns_parent_enter (&j->ns, j->spec, err) < 0)
    {
      ocirt_ns_parent_leave (&j->ns, NULL); /* the first error is the one to report */
      return -1;
    }
  /* The init is born in its cgroup2 cgroup and moves itself into the v1 ones (cheap: cgroup.h),
   * unless it is born in a new user ns and the cgroup existed before: its files may then be
   * writable only with the runtime's capabilities, which the init lacks there. */
  self_join = !j->ns.new_user || ocirt_cgroup_made_here (j->cg);
  pid = ocirt_spawn (j->ns.clone_flags, ocirt_cgroup_clone_fd (j->cg), &j->pidfd, &into_cgroup, err);
  if (pid == 0)
    {
      struct ocirt_init_args a = {
        .spec = j->spec,
        .id = j->o->id,
        .rootfs = j->rootfs,
        .mounts = &j->mounts,
        .ns = &j->ns,
        .sec = j->sec,
        .env = j->env,
        .sync_fd = j->sock[1],
        .fifo_fd = j->fifo_fd,
        .n_preserved = j->n_preserved,
        .no_pivot = j->o->no_pivot,
        .shared_root = j->shared_root,
        .no_new_keyring = j->o->no_new_keyring,
        .cgroup_mount = has_cgroup_mount (&j->mounts),
        .bundle = j->bundle,
        .console_fd = j->console_fd,
        .notify_fd = j->notify_fd,
        .cgroup = self_join ? j->cg : NULL,
        .cgroup_in_v2 = into_cgroup, /* ocirt_spawn sets it before each clone: right here too */
      };
      close (j->sock[0]);
      if (j->lock_fd >= 0)
        close (j->lock_fd);
      ocirt_init_main (&a);
    }
  if (pid > 0)
    {
      j->pid = pid;
      j->undo.child = pid;
      j->undo.child_pidfd = j->pidfd;
    }
  if (ocirt_ns_parent_leave (&j->ns, pid < 0 ? NULL : err) < 0 || pid < 0)
    return -1;
  close (j->sock[1]);
  j->sock[1] = -1;
  OCIRT_TEST_FAIL_AT ("clone");
  log_debug ("cloned the container init %d (flags %#llx, %s, %s)", pid, (unsigned long long) j->ns.clone_flags,
             into_cgroup ? "into its cgroup2 cgroup" : "no cgroup2 cgroup at birth",
             self_join ? "joins the rest itself" : "the runtime adds it to the rest");

  if (!self_join && ocirt_cgroup_add_pid (j->cg, pid, into_cgroup, err) < 0)
    return -1;
  if (j->ns.new_user && ocirt_userns_write_maps (pid, j->spec, ocirt_rootless_resolve (ctx->rootless), err) < 0)
    return -1;
  if (ocirt_sync_send (j->sock[0], OCIRT_SYNC_GO, 0, NULL) < 0)
    return ocirt_err_make (err, errno, "tell the container init to go on");
  OCIRT_TEST_FAIL_AT ("go");
  return wait_ready (j, err);
}

/* state.json as the container is now: "creating" (pid 0) with the cgroup path before the cgroup
 * is made, so that a create killed halfway leaves a record `delete --force` can take down
 * (destroying the cgroup ends whatever the init had become), then "created". */
static int
job_write_state (struct job *j, enum ocirt_status status, struct ocirt_err **err)
{
  struct ocirt_state st;
  cleanup_free char *created = ocirt_rfc3339nano_now ();
  cleanup_free char **keys = NULL;
  cleanup_free char **values = NULL;
  size_t n = j->spec->n_annotations;

  memset (&st, 0, sizeof st);
  st.oci_version = j->spec->oci_version;
  st.id = (char *) j->o->id;
  st.status = status;
  st.pid = status == OCIRT_STATUS_CREATING ? 0 : j->pid;
  if (st.pid > 0 && ocirt_proc_start_time (j->pid, &st.pid_start_time, err) < 0)
    return -1;
  st.bundle = j->bundle;
  st.rootfs = j->rootfs;
  st.created = created;
  st.owner = (char *) "";
  st.cgroup_path = j->cg != NULL ? (char *) ocirt_cgroup_path (j->cg) : j->cg_planned;
  keys = xzalloc ((n + 1) * sizeof *keys);
  values = xzalloc ((n + 1) * sizeof *values);
  for (size_t i = 0; i < n; i++)
    {
      keys[i] = j->spec->annotations[i].key;
      values[i] = j->spec->annotations[i].value;
    }
  st.annotation_keys = keys;
  st.annotation_values = values;
  st.n_annotations = n;
  return ocirt_state_write (j->ctx->root, &st, err);
}

static int
job_record (struct job *j, struct ocirt_err **err)
{
  if (job_write_state (j, OCIRT_STATUS_CREATED, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("state-written");
  if (ocirt_keep_config (j->ctx->root, j->o->id, j->bundle, err) < 0)
    return -1;
  if (j->o->pid_file != NULL && ocirt_write_pid_file (j->o->pid_file, j->pid, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("created");
  return 0;
}

/* create for both verbs; *pidfd_out (when not NULL) keeps a pidfd of the init for `run`, and
 * *master_out the pty master when the init sent one (foreground terminal), else -1. */
static int
create_container (const struct ocirt_ctx *ctx, const struct ocirt_create_opts *o, bool detach, int *pidfd_out,
                  pid_t *pid_out, int *master_out, struct ocirt_err **err)
{
  struct job j = { .ctx = ctx, .o = o, .detach = detach, .lock_fd = -1, .fifo_fd = -1, .sock = { -1, -1 },
                   .pidfd = -1, .console_fd = -1, .notify_fd = -1, .master = -1 };
  sigset_t stop, old;
  int ret;

  /* ^C or a TERM halfway would leave a half-made container: they wait until it is made or undone */
  sigemptyset (&stop);
  sigaddset (&stop, SIGINT);
  sigaddset (&stop, SIGTERM);
  sigaddset (&stop, SIGHUP);
  sigaddset (&stop, SIGQUIT);
  sigprocmask (SIG_BLOCK, &stop, &old);
  j.undo = (struct undo){ .root = ctx->root, .id = o->id, .child_pidfd = -1, .init_pidfd = -1, .rootfs_mntns = -1 };
  ret = job_load (&j, err);
  if (ret == 0)
    ret = job_spawn (&j, err);
  if (ret == 0)
    ret = job_record (&j, err);
  if (ret < 0)
    undo_run (&j.undo);
  else
    {
      if (pidfd_out != NULL)
        {
          *pidfd_out = j.pidfd;
          if (j.undo.child_pidfd == j.pidfd)
            j.undo.child_pidfd = -1;
          j.pidfd = -1;
        }
      if (pid_out != NULL)
        *pid_out = j.pid;
      if (master_out != NULL)
        *master_out = steal_fd (&j.master);
    }
  job_free (&j);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}

int
ocirt_container_create (const struct ocirt_ctx *ctx, const struct ocirt_create_opts *o, struct ocirt_err **err)
{
  return create_container (ctx, o, true, NULL, NULL, NULL, err);
}

/* ---- start ---- */

/* Reads what the init says in exec.fifo: 1 when a whole error frame came (made into *err), 0 at
 * EOF without one, -1 on EAGAIN (nothing more yet). */
static int
fifo_read (int fd, char *buf, size_t *len, size_t cap, struct ocirt_err **err)
{
  for (;;)
    {
      ssize_t n = read (fd, buf + *len, cap - *len);
      const struct ocirt_fifo_error *h = (const struct ocirt_fifo_error *) buf;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return -1;
      if (n > 0)
        *len += (size_t) n;
      if (*len >= sizeof *h && *len >= sizeof *h + h->len)
        {
          ocirt_err_make (err, h->errnum, "%.*s", (int) h->len, buf + sizeof *h);
          return 1;
        }
      if (n <= 0)
        return 0;
    }
}

/* A start killed after the init exec'd the process but before it removed exec.fifo leaves a fifo
 * that nobody will open for writing again, and poll never reports that: the init's name (set by
 * the init, replaced by execve) tells whether it is still waiting. */
static bool
init_has_execd (pid_t pid)
{
  char path[64], comm[32] = "";
  cleanup_close int fd = -1;
  ssize_t n;

  snprintf (path, sizeof path, "/proc/%d/comm", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  n = read (fd, comm, sizeof comm - 1);
  return n > 0 && strcmp (comm, "ocirt:[INIT]\n") != 0;
}

/* Opens exec.fifo for reading, which releases the init, and waits until it has exec'd the process
 * (its write end closes on exec) or reported why it could not. */
static int
release_init (const char *root, const struct ocirt_state *st, struct ocirt_err **err)
{
  cleanup_free char *fifo = xfmt ("%s/%s/" FIFO_NAME, root, st->id);
  /* the pidfd before the fifo: once released, a short process may exit (and be reaped by its
   * parent, the client's shim) before a pidfd could be opened */
  cleanup_close int pidfd = ocirt_open_init (st);
  cleanup_close int fd = -1;
  char buf[sizeof (struct ocirt_fifo_error) + OCIRT_SYNC_TEXT_MAX];
  size_t len = 0;

  if (pidfd < 0)
    return ocirt_err_make (err, 0, "cannot start a container that has stopped");
  fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", fifo);
  for (;;)
    {
      struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      int r;

      r = poll (p, 2, 100);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return ocirt_err_make (err, errno, "wait for the container init");
        }
      if (r == 0 && len == 0 && init_has_execd (st->pid))
        break; /* released by a start that was killed (found by fault injection) */
      if (p[0].revents != 0)
        {
          r = fifo_read (fd, buf, &len, sizeof buf, err);
          if (r == 1)
            return -1;
          if (r == 0)
            break; /* exec'd */
        }
      else if (p[1].revents != 0)
        return ocirt_err_make (err, 0, "the container init exited before it could start the process");
    }
  OCIRT_TEST_FAIL_AT ("start-released");
  if (unlink (fifo) < 0)
    return ocirt_err_make (err, errno, "remove `%s`", fifo);
  return 0;
}

/* The poststart hooks, from config.json as at create; when one fails the container is stopped
 * (runtime.md lifecycle step 9), and `delete` then takes it down with the poststop hooks. */
static int
poststart (const struct ocirt_ctx *ctx, const struct ocirt_state *st, struct ocirt_err **err)
{
  cleanup_spec struct ocirt_spec *spec = ocirt_load_kept_config (ctx->root, st->id, err);
  cleanup_close int pidfd = -1;

  if (spec == NULL)
    return -1;
  if (ocirt_hooks_run_spec (spec, OCIRT_HOOK_POSTSTART, st->id, st->bundle, st->pid, err) == 0)
    return 0;
  pidfd = ocirt_open_init (st);
  if (pidfd >= 0 && pidfd_signal (pidfd, SIGKILL) == 0)
    pidfd_wait_exit (pidfd);
  return -1;
}

static int
start_locked (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;

  if (ocirt_state_read (ctx->root, id, &st, err) < 0)
    return -1;
  ocirt_state_refresh (ctx->root, st);
  switch (st->status)
    {
    case OCIRT_STATUS_CREATED:
      break;
    case OCIRT_STATUS_STOPPED:
      return ocirt_err_make (err, 0, "cannot start a container that has stopped");
    case OCIRT_STATUS_RUNNING:
      return ocirt_err_make (err, 0, "cannot start an already running container");
    default:
      return ocirt_err_make (err, 0, "cannot start a container in the %s state", ocirt_status_name (st->status));
    }
  if (release_init (ctx->root, st, err) < 0)
    return -1;
  st->status = OCIRT_STATUS_RUNNING;
  if (ocirt_state_write (ctx->root, st, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("start-running");
  return poststart (ctx, st, err);
}

int
ocirt_container_start (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err)
{
  int lock_fd = -1;
  int ret;

  if (ocirt_state_lock (ctx->root, id, &lock_fd, err) < 0)
    return -1;
  ret = start_locked (ctx, id, err);
  ocirt_state_unlock (ctx->root, id, &lock_fd);
  return ret;
}

/* ---- delete ---- */

/* shared_root: the container's bind of its rootfs, in our mount namespace */
static int
detach_shared_root (const char *root, const struct ocirt_state *st, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("%s/%s/" ROOTFS_BASE_NAME, root, st->id);
  cleanup_fclose FILE *f = fopen (path, "re");
  cleanup_close int mntns = -1;
  char ns_path[PATH_MAX + 2] = "";
  unsigned long long base, ns_ino;
  struct stat ns_st;

  if (f == NULL && errno == ENOENT)
    return 0;
  if (f == NULL || fscanf (f, "%llu %llu ", &base, &ns_ino) != 2)
    return ocirt_err_make (err, errno, "read `%s`", path);
  if (st->rootfs == NULL)
    return ocirt_err_make (err, 0, "container `%s`: no rootfs in its state", st->id);
  if (ns_ino != 0)
    {
      /* the joined namespace, if the path still leads to it: gone, it took the bind along */
      if (fgets (ns_path, sizeof ns_path, f) != NULL)
        ns_path[strcspn (ns_path, "\n")] = '\0';
      mntns = open (ns_path, O_RDONLY | O_CLOEXEC);
      if (mntns < 0 || fstat (mntns, &ns_st) < 0 || ns_st.st_ino != ns_ino)
        {
          log_debug ("container `%s`: mount namespace `%s` is gone", st->id, ns_path);
          return 0;
        }
    }
  return ocirt_rootfs_detach_shared (mntns, st->rootfs, (uint64_t) base, err);
}

static int
destroy (const struct ocirt_ctx *ctx, struct ocirt_state *st, struct ocirt_err **err)
{
  cleanup_close int pidfd = -1;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  cleanup_err struct ocirt_err *e = NULL;
  /* the poststop hooks run after the state dir (where config.json is kept) is gone */
  cleanup_spec struct ocirt_spec *spec = ocirt_load_kept_config (ctx->root, st->id, &e);

  if (st->status != OCIRT_STATUS_STOPPED)
    {
      pidfd = ocirt_open_init (st);
      if (pidfd >= 0)
        pidfd_signal (pidfd, SIGKILL);
    }
  /* the cgroup goes first: it thaws a paused container, without which SIGKILL never lands */
  if (st->cgroup_path != NULL && st->cgroup_path[0] != '\0')
    {
      if (ocirt_cgroup_load (ctx, st->cgroup_path, &cg, err) < 0 || ocirt_cgroup_destroy (cg, err) < 0)
        return ocirt_err_wrap (err, "delete container `%s`", st->id);
    }
  OCIRT_TEST_FAIL_AT ("delete-cgroup");
  if (pidfd >= 0)
    pidfd_wait_exit (pidfd);
  if (detach_shared_root (ctx->root, st, err) < 0)
    return ocirt_err_wrap (err, "delete container `%s`", st->id);
  if (ocirt_state_remove (ctx->root, st->id, err) < 0)
    return -1;
  OCIRT_TEST_FAIL_AT ("delete-removed");
  if (spec == NULL && st->status != OCIRT_STATUS_CREATING) /* a killed create kept no config yet */
    {
      cleanup_free char *t = ocirt_err_text (e);
      log_warning ("delete container `%s`: no poststop hooks: %s", st->id, t);
    }
  ocirt_hooks_run_spec (spec, OCIRT_HOOK_POSTSTOP, st->id, st->bundle, st->pid, NULL);
  return 0;
}

static bool
state_dir_exists (const char *root, const char *id)
{
  cleanup_free char *dir = xfmt ("%s/%s", root, id);
  struct stat st;

  return lstat (dir, &st) == 0 || errno != ENOENT;
}

int
ocirt_container_delete (const struct ocirt_ctx *ctx, const char *id, bool force, struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  int lock_fd = -1;
  int ret = -1;

  if (ocirt_id_validate (id, err) < 0)
    return -1;
  if (ocirt_state_lock (ctx->root, id, &lock_fd, err) < 0)
    return -1;
  if (force && !state_dir_exists (ctx->root, id))
    ret = 0; /* as runc: podman and containerd `delete --force` after a create that failed */
  else if (ocirt_state_read (ctx->root, id, &st, err) == 0)
    {
      ocirt_state_refresh (ctx->root, st);
      if (st->status != OCIRT_STATUS_STOPPED && !force)
        ocirt_err_make (err, 0, "cannot delete container %s that is not stopped: %s", id,
                        ocirt_status_name (st->status));
      else
        ret = destroy (ctx, st, err);
    }
  else if (force)
    {
      /* a state dir without a readable state.json: what a create killed before its first state
       * write leaves (no init, no cgroup yet). We hold the lock, so no create is running. */
      cleanup_free char *t = ocirt_err_text (*err);
      log_debug ("delete --force %s: removing its state directory (%s)", id, t);
      ocirt_err_freep (err);
      ret = ocirt_state_remove (ctx->root, id, err);
    }
  ocirt_state_unlock (ctx->root, id, &lock_fd);
  return ret;
}

/* ---- kill ---- */

int
ocirt_signal_parse (const char *s, int *sig, struct ocirt_err **err)
{
  int n = ocirt_signal_from_name (s);

  if (n <= 0)
    return ocirt_err_make (err, 0, "unknown signal \"%s\"", s);
  *sig = n;
  return 0;
}

int
ocirt_container_kill (const struct ocirt_ctx *ctx, const char *id, int sig, bool all, struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_close int pidfd = -1;

  if (ocirt_state_read (ctx->root, id, &st, err) < 0)
    return -1;
  ocirt_state_refresh (ctx->root, st);
  if (all)
    {
      cleanup_cgroup struct ocirt_cgroup *cg = NULL;

      /* as runc >= 1.2: every process of the cgroup, and no error when none is left */
      if (st->cgroup_path == NULL || st->cgroup_path[0] == '\0')
        return ocirt_err_make (err, 0, "kill --all: container %s has no cgroup", id);
      if (ocirt_cgroup_load (ctx, st->cgroup_path, &cg, err) < 0 || ocirt_cgroup_kill_all (cg, sig, err) < 0)
        return -1;
      return 0;
    }
  if (st->status == OCIRT_STATUS_STOPPED)
    return ocirt_err_make (err, 0, "container not running");
  pidfd = ocirt_open_init (st);
  if (pidfd < 0 || pidfd_signal (pidfd, sig) < 0)
    {
      if (errno == ESRCH)
        return ocirt_err_make (err, 0, "container not running");
      return ocirt_err_make (err, errno, "send signal %d to the container init %d", sig, st->pid);
    }
  return 0;
}

/* ---- run ---- */

char *
ocirt_run_id_from_bundle_arg (const char *arg)
{
  cleanup_free char *config = xfmt ("%s/config.json", arg);
  cleanup_free char *real = NULL;
  struct stat st;
  char *slash;

  if (strchr (arg, '/') == NULL && (stat (arg, &st) < 0 || !S_ISDIR (st.st_mode) || access (config, F_OK) < 0))
    return NULL;
  real = realpath (arg, NULL);
  if (real == NULL)
    return NULL;
  slash = strrchr (real, '/');
  return xstrdup (slash != NULL && slash[1] != '\0' ? slash + 1 : real);
}

/* Foreground: forward every signal to the init (pidfd), reap what comes (we are a subreaper), and
 * return the init's exit status as a shell reports it. */
int
ocirt_forward_and_wait (int pidfd, pid_t pid, const sigset_t *sigs, struct ocirt_err **err)
{
  cleanup_close int sfd = signalfd (-1, sigs, SFD_CLOEXEC);

  if (sfd < 0)
    return ocirt_err_make (err, errno, "signalfd");
  for (;;)
    {
      struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      siginfo_t info;

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return ocirt_err_make (err, errno, "wait for the container");
        }
      if (p[1].revents != 0)
        {
          memset (&info, 0, sizeof info);
          if (waitid (P_PIDFD, (id_t) pidfd, &info, WEXITED) < 0)
            return ocirt_err_make (err, errno, "wait for the container init %d", pid);
          if (info.si_code == CLD_EXITED)
            return info.si_status;
          return 128 + info.si_status;
        }
      if (p[0].revents != 0)
        {
          struct signalfd_siginfo si;

          if (read (sfd, &si, sizeof si) != (ssize_t) sizeof si)
            continue;
          if (si.ssi_signo == SIGCHLD)
            {
              /* orphans of the container reparented to us: reap all but the init */
              while (waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0
                     && info.si_pid != pid)
                waitpid (info.si_pid, NULL, WNOHANG);
              continue;
            }
          log_debug ("forwarding signal %d to the container", si.ssi_signo);
          pidfd_signal (pidfd, (int) si.ssi_signo);
        }
    }
}

/* After a foreground run: the process has exited, take the rest down. */
static void
cleanup_after_run (const struct ocirt_ctx *ctx, const char *id)
{
  cleanup_err struct ocirt_err *e = NULL;

  if (ocirt_container_delete (ctx, id, true, &e) < 0)
    {
      cleanup_free char *t = ocirt_err_text (e);
      log_warning ("%s", t);
    }
}

int
ocirt_container_run (const struct ocirt_ctx *ctx, const struct ocirt_run_opts *o, struct ocirt_err **err)
{
  cleanup_close int pidfd = -1;
  cleanup_close int master = -1;
  sigset_t all, old;
  pid_t pid = 0;
  int status;

  if (!o->detach)
    {
      /* blocked before clone, so no signal is lost; the init unblocks its own copy */
      sigfillset (&all);
      sigprocmask (SIG_BLOCK, &all, &old);
      prctl (PR_SET_CHILD_SUBREAPER, 1);
    }
  if (create_container (ctx, &o->create, o->detach, o->detach ? NULL : &pidfd, &pid, o->detach ? NULL : &master,
                        err)
      < 0)
    return -1;
  if (ocirt_container_start (ctx, o->create.id, err) < 0)
    {
      cleanup_err struct ocirt_err *e = NULL;
      ocirt_container_delete (ctx, o->create.id, true, &e);
      return -1;
    }
  if (o->detach)
    return 0;
  if (master >= 0 && ocirt_tty_attach (master, pidfd, &all, err) < 0)
    {
      /* no terminal to run it in: the container goes */
      cleanup_err struct ocirt_err *e = NULL;
      pidfd_signal (pidfd, SIGKILL);
      ocirt_forward_and_wait (pidfd, pid, &all, &e);
      status = -1;
    }
  else
    status = ocirt_forward_and_wait (pidfd, pid, &all, err);
  if (!o->keep)
    cleanup_after_run (ctx, o->create.id);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return status;
}
