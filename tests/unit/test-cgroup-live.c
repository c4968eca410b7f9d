/* The cgroup driver against this host's real cgroups, without the lifecycle engine: create under
 * a parent of the test's own (/ocirt-unit-<pid>), write and read back limits, add a child, freeze
 * and thaw, list, kill, destroy; and the v2 eBPF device program attached to a cgroup on the
 * cgroup2 hierarchy. Needs root; skips otherwise. Removes everything it creates. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/lib/cgroup/cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "tap.h"

static char parent[64];

static char *
slurp (const char *dir, const char *file)
{
  cleanup_err struct ocirt_err *e = NULL;
  char *s = ocirt_cg_read_file (dir, file, &e);
  if (s)
    s[strcspn (s, "\n")] = '\0';
  return s;
}

/* The test's parent in every hierarchy (deepest first not needed: it is one level). */
static void
remove_parent (void)
{
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *h;
  size_t n;
  cleanup_err struct ocirt_err *e = NULL;

  if (ocirt_cg_probe (&layout, &h, &n, &e) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *d = xfmt ("%s%s", h[i].mount, parent);
      if (rmdir (d) < 0 && errno != ENOENT)
        printf ("# could not remove %s: %s\n", d, strerror (errno));
    }
}

static char
proc_state (pid_t pid)
{
  char path[64], buf[512];
  FILE *f;
  char st = '?';

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return '?';
  if (fgets (buf, sizeof buf, f))
    {
      char *p = strrchr (buf, ')');
      if (p && p[1] == ' ')
        st = p[2];
    }
  fclose (f);
  return st;
}

static void
test_lifecycle (void)
{
  struct ocirt_ctx ctx = { .root = "/run/ocirt-unit" };
  struct ocirt_spec spec = { .has_linux = true };
  struct ocirt_resources *r = &spec.linux_.resources;
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL, *cg2 = NULL;
  cleanup_free char *cgpath = xfmt ("%s/c1", parent);
  cleanup_free pid_t *pids = NULL;
  struct ocirt_resources upd = { .has_pids = true, .pids_limit = 7 };
  struct ocirt_device_rule deny_all = { .allow = false, .access = (char *) "rwm" };
  struct ocirt_cg_hier *h;
  size_t n = 0;
  pid_t child;
  bool frozen;
  int status;

  spec.linux_.cgroups_path = cgpath;
  spec.linux_.has_resources = true;
  r->devices = &deny_all;
  r->n_devices = 1;
  r->has_memory = true;
  r->memory.has_limit = true;
  r->memory.limit = 64 << 20;
  r->has_pids = true;
  r->pids_limit = 20;
  r->has_cpu = true;
  r->cpu.has_shares = true;
  r->cpu.shares = 512;
  r->cpu.has_quota = true;
  r->cpu.quota = 20000;
  r->cpu.has_period = true;
  r->cpu.period = 100000;

  ok (ocirt_cgroup_create (&ctx, "c1", &spec, &cg, &err) == 0, "create %s%s%s", cgpath, err ? ": " : "",
      err ? err->msg : "");
  if (cg == NULL)
    return;
  is_str (ocirt_cgroup_path (cg), cgpath, "recorded path");
  if ((h = ocirt_cg_hier_for (cg, CG_MEMORY)) != NULL)
    {
      cleanup_free char *v = slurp (h->dir, "memory.limit_in_bytes");
      is_str (v, "67108864", "memory limit read back");
    }
  if ((h = ocirt_cg_hier_for (cg, CG_PIDS)) != NULL)
    {
      cleanup_free char *v = slurp (h->dir, "pids.max");
      is_str (v, "20", "pids.max read back");
    }
  if ((h = ocirt_cg_hier_for (cg, CG_CPU)) != NULL)
    {
      cleanup_free char *v = slurp (h->dir, "cpu.cfs_quota_us");
      cleanup_free char *s = slurp (h->dir, "cpu.shares");
      is_str (v, "20000", "cpu quota read back");
      is_str (s, "512", "cpu shares read back");
    }
  if ((h = ocirt_cg_hier_for (cg, CG_DEVICES)) != NULL)
    {
      cleanup_free char *v = ocirt_cg_read_file (h->dir, "devices.list", &err);
      ok (v && strstr (v, "c 1:3 rwm") && strstr (v, "c 136:* rwm") && !strstr (v, "a *:* rwm"),
          "deny all, then the default device rules, in devices.list");
    }
  if ((h = ocirt_cg_hier_for (cg, CG_CPUSET)) != NULL)
    {
      cleanup_free char *v = slurp (h->dir, "cpuset.cpus");
      ok (v && v[0] != '\0', "cpuset.cpus copied from the parent (%s)", v ? v : "");
    }

  child = fork ();
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  ok (ocirt_cgroup_add_pid (cg, child, false, &err) == 0, "add a child to every hierarchy");
  ok (ocirt_cgroup_load (&ctx, ocirt_cgroup_path (cg), &cg2, &err) == 0, "load from the recorded path");
  ok (cg2 && ocirt_cgroup_pids (cg2, &pids, &n, &err) == 0 && n == 1 && pids[0] == child, "pids lists the child");
  ok (cg2 && ocirt_cgroup_update (cg2, &upd, &err) == 0, "update pids.limit");
  if ((h = ocirt_cg_hier_for (cg, CG_PIDS)) != NULL)
    {
      cleanup_free char *v = slurp (h->dir, "pids.max");
      is_str (v, "7", "updated pids.max read back");
    }
  ok (ocirt_cgroup_freeze (cg, true, &err) == 0, "freeze");
  ok (ocirt_cgroup_is_frozen (cg, &frozen, &err) == 0 && frozen, "is frozen");
  {
    char st = proc_state (child);
    ok (st == 'D' || st == 'T' || st == 'S', "child state while frozen: %c", st);
  }
  ok (ocirt_cgroup_freeze (cg, false, &err) == 0, "thaw");
  ok (ocirt_cgroup_is_frozen (cg, &frozen, &err) == 0 && !frozen, "not frozen");
  ok (ocirt_cgroup_kill_all (cg, SIGKILL, &err) == 0, "kill all");
  ok (waitpid (child, &status, 0) == child && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
      "the child died of SIGKILL");
  ok (ocirt_cgroup_destroy (cg, &err) == 0, "destroy%s%s", err ? ": " : "", err ? err->msg : "");
  for (size_t i = 0; i < cg->n; i++)
    {
      struct stat st;
      ok (stat (cg->h[i].dir, &st) < 0 && errno == ENOENT, "no cgroup left in %s", cg->h[i].mount);
    }
}

static void
test_not_empty (void)
{
  struct ocirt_ctx ctx = { .root = "/run/ocirt-unit" };
  struct ocirt_spec spec = { .has_linux = true };
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL, *again = NULL;
  cleanup_free char *cgpath = xfmt ("%s/busy", parent);
  pid_t child;

  spec.linux_.cgroups_path = cgpath;
  ok (ocirt_cgroup_create (&ctx, "busy", &spec, &cg, &err) == 0, "create busy");
  if (cg == NULL)
    return;
  child = fork ();
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  ocirt_cgroup_add_pid (cg, child, false, &err);
  ok (ocirt_cgroup_create (&ctx, "busy", &spec, &again, &err) < 0 && strstr (err->msg, "is not empty"),
      "a cgroup with processes is refused: %s", err ? err->msg : "");
  ok (ocirt_cgroup_destroy (cg, &err) == 0 || (printf ("# %s\n", err->msg), 0), "destroy kills and removes");
  waitpid (child, NULL, 0);
}

static void
test_missing_controller (void)
{
  struct ocirt_ctx ctx = { .root = "/run/ocirt-unit" };
  struct ocirt_spec spec = { .has_linux = true };
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  cleanup_free char *cgpath = xfmt ("%s/nonet", parent);
  struct stat st;
  cleanup_free char *probe = xfmt ("%s/net_cls", OCIRT_CG_ROOT);

  if (stat (probe, &st) == 0)
    {
      ok (1, "# SKIP this host mounts net_cls");
      return;
    }
  spec.linux_.cgroups_path = cgpath;
  spec.linux_.has_resources = true;
  spec.linux_.resources.has_network = true;
  spec.linux_.resources.has_class_id = true;
  spec.linux_.resources.class_id = 1;
  ok (ocirt_cgroup_create (&ctx, "nonet", &spec, &cg, &err) < 0 && strstr (err->msg, "classID")
          && strstr (err->msg, "net_cls"),
      "missing controller: %s", err ? err->msg : "");
  cleanup_free char *d = xfmt ("%s/memory%s", OCIRT_CG_ROOT, cgpath);
  ok (stat (d, &st) < 0, "nothing created on failure");
}

/* The v2 device program on the cgroup2 hierarchy: a child in a cgroup allowing /dev/null only. */
static void
test_bpf_devices (void)
{
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *hs;
  size_t n;
  cleanup_err struct ocirt_err *err = NULL;
  const char *mount = NULL;
  struct ocirt_device_rule rules[] = {
    { .allow = false, .access = (char *) "rwm" },
    { .allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 3,
      .access = (char *) "rw" },
  };
  struct ocirt_cg_bpf prog = { 0 };
  cleanup_free char *dir = NULL;
  cleanup_close int fd = -1;
  int pipefd[2], status = 0;
  pid_t child;

  if (ocirt_cg_probe (&layout, &hs, &n, &err) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    if (hs[i].v2)
      mount = hs[i].mount;
  if (mount == NULL)
    {
      ok (1, "# SKIP no cgroup2 hierarchy");
      return;
    }
  dir = xfmt ("%s%s-bpf", mount, parent);
  ok (mkdir (dir, 0755) == 0, "mkdir %s", dir);
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ok (ocirt_cg_bpf_build (rules, 2, &prog, &err) == 0, "build program");
  if (ocirt_cg_bpf_attach (fd, &prog, &err) < 0)
    {
      ok (1, "# SKIP the kernel refused BPF_CGROUP_DEVICE: %s", err->msg);
      ocirt_cg_bpf_clear (&prog);
      rmdir (dir);
      return;
    }
  ok (1, "attached");
  ok (ocirt_cg_bpf_attach (fd, &prog, &err) == 0, "attached again (replaces ours)");
  ocirt_cg_bpf_clear (&prog);
  if (pipe (pipefd) < 0)
    return;
  child = fork ();
  if (child == 0)
    {
      char c;
      int a, b;
      close (pipefd[1]);
      if (read (pipefd[0], &c, 1) != 1)
        _exit (9);
      a = open ("/dev/null", O_RDWR);
      b = open ("/dev/zero", O_RDONLY);
      _exit ((a >= 0 ? 0 : 1) | (b < 0 && errno == EPERM ? 0 : 2));
    }
  close (pipefd[0]);
  {
    char buf[24];
    snprintf (buf, sizeof buf, "%d", (int) child);
    ok (ocirt_cg_write_file (dir, "cgroup.procs", buf, &err) == 0, "child in the cgroup");
  }
  if (write (pipefd[1], "x", 1) != 1)
    kill (child, SIGKILL);
  close (pipefd[1]);
  waitpid (child, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0, "/dev/null allowed, /dev/zero denied (status %d)",
      WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  ok (rmdir (dir) == 0, "removed");
}

/* hugepageLimits on a host whose hugetlb controller lives only on cgroup2 (this hybrid host):
 * the limit goes to the unified hierarchy. Enabling hugetlb in its root's subtree_control is the
 * one change outside our own cgroups: it is undone when it was not there before. */
static void
test_hugetlb_v2 (void)
{
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *hs, *v2 = NULL;
  size_t n;
  cleanup_err struct ocirt_err *err = NULL;
  struct ocirt_ctx ctx = { .root = "/run/ocirt-unit" };
  struct ocirt_spec spec = { .has_linux = true };
  struct ocirt_hugepage_limit hl = { .page_size = (char *) "2MB", .limit = 8 << 20 };
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  cleanup_free char *cgpath = xfmt ("%s/huge", parent);
  cleanup_free char *before = NULL, *v = NULL;
  bool had;

  if (ocirt_cg_probe (&layout, &hs, &n, &err) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    if (hs[i].v2)
      v2 = &hs[i];
  if (v2 == NULL || !(v2->ctrls & CG_BIT (CG_HUGETLB)) || access ("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) != 0)
    {
      ok (1, "# SKIP no hugetlb controller with 2MB pages on cgroup2");
      return;
    }
  {
    bool v1_hugetlb = false;
    for (size_t i = 0; i < n; i++)
      if (!hs[i].v2 && (hs[i].ctrls & CG_BIT (CG_HUGETLB)))
        v1_hugetlb = true;
    if (v1_hugetlb)
      {
        ok (1, "# SKIP hugetlb is a v1 hierarchy here");
        return;
      }
  }
  before = slurp (v2->mount, "cgroup.subtree_control");
  had = before && strstr (before, "hugetlb") != NULL;
  spec.linux_.cgroups_path = cgpath;
  spec.linux_.has_resources = true;
  spec.linux_.resources.hugepage_limits = &hl;
  spec.linux_.resources.n_hugepage_limits = 1;
  ok (ocirt_cgroup_create (&ctx, "huge", &spec, &cg, &err) == 0, "create with hugepageLimits%s%s", err ? ": " : "",
      err ? err->msg : "");
  if (cg != NULL)
    {
      struct ocirt_cg_hier *h = ocirt_cg_hier_v2 (cg);
      v = slurp (h->dir, "hugetlb.2MB.max");
      is_str (v, "8388608", "hugetlb.2MB.max on the unified hierarchy");
      ok (ocirt_cgroup_destroy (cg, &err) == 0, "destroy");
    }
  remove_parent ();
  if (!had)
    {
      cleanup_err struct ocirt_err *e = NULL;
      ok (ocirt_cg_write_file (v2->mount, "cgroup.subtree_control", "-hugetlb", &e) == 0,
          "root's subtree_control restored");
    }
}

/* The pure cgroup v2 code paths, on this host's cgroup2 mount: a cgroup object that knows only the
 * cgroup2 hierarchy (as on a v2 host). clone3(CLONE_INTO_CGROUP) through ocirt_cgroup_clone_fd,
 * cgroup.freeze, cgroup.events, pids from cgroup.procs, kill by signal (freeze, signal, thaw) and
 * by cgroup.kill, destroy. */
static pid_t
clone_into (int cgfd)
{
  struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t) cgfd };

  return (pid_t) syscall (SYS_clone3, &args, sizeof args);
}

static void
test_v2_driver (void)
{
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *hs, *src = NULL;
  size_t n;
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  cleanup_free pid_t *pids = NULL;
  cleanup_free char *pdir = NULL;
  struct ocirt_cg_hier *h;
  size_t np = 0;
  bool frozen;
  pid_t a, b;
  int status, fd;

  if (ocirt_cg_probe (&layout, &hs, &n, &err) < 0)
    return;
  for (size_t i = 0; i < n; i++)
    if (hs[i].v2)
      src = &hs[i];
  if (src == NULL)
    {
      ok (1, "# SKIP no cgroup2 hierarchy");
      return;
    }
  cg = xzalloc (sizeof *cg);
  cg->layout = OCIRT_CG_V2;
  cg->clone_fd = -1;
  cg->n = 1;
  cg->h = xzalloc (sizeof *cg->h);
  h = &cg->h[0];
  h->name = xstrdup (src->name);
  h->mount = xstrdup (src->mount);
  h->v2 = true;
  h->ctrls = src->ctrls;
  h->path = xfmt ("%s-v2/c", parent);
  h->dir = xfmt ("%s%s", h->mount, h->path);
  cg->encoded = xstrdup (h->path);
  pdir = xfmt ("%s%s-v2", h->mount, parent);
  ok (mkdir (pdir, 0755) == 0 && mkdir (h->dir, 0755) == 0, "v2 cgroup made");

  fd = ocirt_cgroup_clone_fd (cg);
  ok (fd >= 0, "clone fd for CLONE_INTO_CGROUP");
  a = clone_into (fd);
  if (a == 0)
    {
      pause ();
      _exit (0);
    }
  ok (a > 0, "clone3 into the cgroup");
  b = fork ();
  if (b == 0)
    {
      pause ();
      _exit (0);
    }
  ok (ocirt_cgroup_add_pid (cg, b, false, &err) == 0, "add_pid writes cgroup2's cgroup.procs");
  ok (ocirt_cgroup_pids (cg, &pids, &np, &err) == 0 && np == 2, "two processes listed");
  ok (ocirt_cgroup_freeze (cg, true, &err) == 0, "cgroup.freeze 1");
  {
    cleanup_free char *ev = ocirt_cg_read_file (h->dir, "cgroup.events", &err);
    ok (ev && strstr (ev, "frozen 1"), "cgroup.events says frozen");
  }
  ok (ocirt_cgroup_is_frozen (cg, &frozen, &err) == 0 && frozen, "is frozen");
  ok (ocirt_cgroup_kill_all (cg, SIGTERM, &err) == 0, "SIGTERM to all while frozen");
  ok (ocirt_cgroup_freeze (cg, false, &err) == 0, "thaw: the signals land");
  ok (waitpid (a, &status, 0) == a && WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM, "first died of SIGTERM");
  ok (waitpid (b, &status, 0) == b && WIFSIGNALED (status) && WTERMSIG (status) == SIGTERM,
      "second died of SIGTERM");
  a = clone_into (fd);
  if (a == 0)
    {
      pause ();
      _exit (0);
    }
  ok (ocirt_cgroup_kill_all (cg, SIGKILL, &err) == 0, "SIGKILL through cgroup.kill");
  ok (waitpid (a, &status, 0) == a && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL, "died of SIGKILL");
  ok (ocirt_cgroup_destroy (cg, &err) == 0, "destroy");
  ok (access (h->dir, F_OK) < 0, "removed");
  ok (rmdir (pdir) == 0, "parent removed");
}

/* A user who may not create cgroups: without limits the container runs without a cgroup (as
 * runc's rootless mode); with limits it is an error. Runs in a child that drops to nobody. */
static void
test_rootless (void)
{
  pid_t child = fork ();
  int status = 0;

  if (child == 0)
    {
      struct ocirt_ctx ctx = { .root = "/tmp/ocirt-unit" };
      struct ocirt_spec spec = { .has_linux = true };
      struct ocirt_err *err = NULL;
      struct ocirt_cgroup *cg = NULL, *again = NULL;
      char path[96];
      int bad = 0;
      pid_t *pids = NULL;
      size_t n;

      snprintf (path, sizeof path, "%s/rootless", parent);
      spec.linux_.cgroups_path = path;
      if (setgid (65534) < 0 || setuid (65534) < 0)
        _exit (9);
      if (ocirt_cgroup_create (&ctx, "rootless", &spec, &cg, &err) < 0 || strcmp (ocirt_cgroup_path (cg), "") != 0)
        bad |= 1;
      if (ocirt_cgroup_load (&ctx, "", &again, &err) < 0 || ocirt_cgroup_destroy (again, &err) < 0)
        bad |= 2;
      if (again && (ocirt_cgroup_pids (again, &pids, &n, &err) == 0 || !strstr (err->msg, "no cgroup")))
        bad |= 4;
      spec.linux_.has_resources = true;
      spec.linux_.resources.has_pids = true;
      spec.linux_.resources.pids_limit = 5;
      ocirt_err_free (err);
      err = NULL;
      if (ocirt_cgroup_create (&ctx, "rootless", &spec, &cg, &err) == 0 || err->errnum != EACCES)
        bad |= 8;
      _exit (bad);
    }
  waitpid (child, &status, 0);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "rootless: no cgroup without limits, an error with limits (status %d)", WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}

int
main (void)
{
  if (geteuid () != 0 || access (OCIRT_CG_ROOT, W_OK) != 0)
    {
      printf ("1..0 # SKIP needs root and a writable %s\n", OCIRT_CG_ROOT);
      return 0;
    }
  snprintf (parent, sizeof parent, "/ocirt-unit-%d", (int) getpid ());
  test_lifecycle ();
  test_not_empty ();
  test_missing_controller ();
  test_bpf_devices ();
  test_v2_driver ();
  test_rootless ();
  remove_parent ();
  test_hugetlb_v2 ();
  return done_testing ();
}
