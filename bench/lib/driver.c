/* The benchmark driver: runs every scenario for every runtime, the runtimes taking turns (trial i
 * starts with runtime i mod n), checks that every process exited 0, and prints min/median/p95 and
 * the ratios to crun and to the floor. bench/run.sh prepares the bundles and calls it; see there.
 *
 *   bench-driver --base DIR --out DIR --floor PATH [--floor-cg PATH] --runtime NAME=PATH[,hide-cgroup2]...
 *                [--runs N] [--warmup N] [--scale N] [--scale-rounds N] [--scenarios 0,1,2,3,4,5,6]
 *                [--gap MS]   (idle time before each trial: lets the kernel's RCU-synchronised state,
 *                              e.g. the cgroup migration lock, go back to idle as between sparse starts)
 *
 * BASE holds rootfs/, bundles/NAME/{run,csd,exec,seccomp,scale-I}/, state/NAME/ (the state roots),
 * tmp/ and filter.bpf. OUT gets raw.tsv (every sample), table.txt and table.md.
 *
 * The driver is the containers' subreaper, as containerd's shim is: a container's init is
 * reparented to it once `create` exits, and scenario 2 waits for it the way the shim does.
 * --floor-cg adds "floor+cg": the floor plus a cgroup of its own in every hierarchy, created,
 * joined the cheap way and removed (see floor.c), for scenarios 1, 2 and 6.
 * hide-cgroup2: the runtime's commands run in a mount namespace where a private empty tmpfs
 * covers /sys/fs/cgroup/unified (Debian's crun 1.8.1 refuses a hybrid cgroup host). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_RT 8
#define MAX_ARGS 32
#define TIMEOUT_MS 60000

enum metric
{
  M_VERSION,
  M_RUN,
  M_CSD,
  M_CREATE,
  M_START,
  M_WAIT,
  M_DELETE,
  M_EXEC,
  M_RSS,
  M_UP_FIRST,
  M_UP_LAST,
  M_LIST,
  M_DOWN,
  M_SCALE_TOTAL,
  M_SECCOMP,
  M_COUNT
};

enum unit
{
  U_MS,
  U_KIB,
};

static const struct
{
  const char *key, *label;
  int scenario;
  enum unit unit;
} metrics[M_COUNT] = {
  [M_VERSION] = { "version", "0. `--version` (process start, loader)", 0, U_MS },
  [M_RUN] = { "run", "1. run /bin/true", 1, U_MS },
  [M_CSD] = { "csd", "2. create+start+wait+delete", 2, U_MS },
  [M_CREATE] = { "csd.create", "2a. create", 2, U_MS },
  [M_START] = { "csd.start", "2b. start", 2, U_MS },
  [M_WAIT] = { "csd.wait", "2c. wait for exit", 2, U_MS },
  [M_DELETE] = { "csd.delete", "2d. delete", 2, U_MS },
  [M_EXEC] = { "exec", "3. exec /bin/true", 3, U_MS },
  [M_RSS] = { "rss", "4. peak RSS of create (MiB)", 4, U_KIB },
  [M_UP_FIRST] = { "scale.up.first", "5a. create+start per container, containers 1-W", 5, U_MS },
  [M_UP_LAST] = { "scale.up.last", "5b. create+start per container, last W", 5, U_MS },
  [M_LIST] = { "scale.list", "5c. list with N containers", 5, U_MS },
  [M_DOWN] = { "scale.down", "5d. kill+wait+delete per container", 5, U_MS },
  [M_SCALE_TOTAL] = { "scale.total", "5e. total: N up, list, N down", 5, U_MS },
  [M_SECCOMP] = { "seccomp", "6. run /bin/true with podman's seccomp profile", 6, U_MS },
};

struct samples
{
  double *v;
  int n, cap;
  int fails;
  char *first_fail;
};

struct rt
{
  const char *name;
  const char *bin;
  bool floor;
  bool cg; /* floor+cg */
  int mntns; /* -1: the driver's own */
  char root[PATH_MAX];
  char *na[7]; /* per scenario: why it does not apply */
  struct samples s[M_COUNT];
  /* scenario 3's long-running container */
  pid_t target;
  int target_fd;
};

static struct rt rts[MAX_RT];
static int nrt;
static const char *base, *outdir;
static int runs = 100, warmup = 3, scale_n = 200, scale_rounds = 3, gap_ms = 0;
static bool want[7];
static int host_mntns = -1;
static FILE *raw;
/* floor+cg: the parent cgroup of its trials in every hierarchy */
static char *cg_parents[16];
static int n_cg;

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static char *
xfmt (const char *fmt, ...)
{
  va_list ap;
  char *s;

  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return s;
}

static void
fatal (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  fputs ("bench-driver: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  exit (2);
}

static void
add_sample (struct rt *rt, enum metric m, int trial, double v)
{
  struct samples *s = &rt->s[m];

  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 128;
      s->v = realloc (s->v, (size_t) s->cap * sizeof *s->v);
      if (s->v == NULL)
        abort ();
    }
  s->v[s->n++] = v;
  fprintf (raw, "%s\t%s\t%d\t%.4f\n", metrics[m].key, rt->name, trial, v);
}

static void
add_failure (struct rt *rt, enum metric m, char *why)
{
  struct samples *s = &rt->s[m];

  s->fails++;
  if (s->first_fail == NULL)
    s->first_fail = why;
  else
    free (why);
}

/* The last non-empty line of a runtime's stderr: where runc, crun and ocirt put the cause. */
static char *
last_line (const char *path)
{
  char buf[8192], *line = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return xfmt ("(no stderr)");
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return xfmt ("(no stderr)");
  buf[n] = '\0';
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
    buf[--n] = '\0';
  line = strrchr (buf, '\n');
  line = line ? line + 1 : buf;
  if (strlen (line) > 200)
    line[200] = '\0';
  return xfmt ("%s", line);
}

static const char *
err_path (struct rt *rt, int lane)
{
  static char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/tmp/%s.%d.err", base, rt->name, lane);
  return path;
}

struct proc
{
  pid_t pid;
  int pidfd;
  double t0;
};

/* Starts argv for rt, stdin and stdout on /dev/null, stderr in rt's err file for this lane. */
static int
spawn (struct rt *rt, char **argv, int lane, struct proc *p)
{
  posix_spawn_file_actions_t fa;
  int rc;

  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&fa, 2, err_path (rt, lane), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (rt->mntns >= 0 && setns (rt->mntns, CLONE_NEWNS) < 0)
    fatal ("setns into %s's mount namespace: %s", rt->name, strerror (errno));
  p->t0 = now_ms ();
  rc = posix_spawn (&p->pid, argv[0], &fa, NULL, argv, environ);
  if (rt->mntns >= 0 && setns (host_mntns, CLONE_NEWNS) < 0)
    fatal ("setns back: %s", strerror (errno));
  posix_spawn_file_actions_destroy (&fa);
  if (rc != 0)
    {
      errno = rc;
      return -1;
    }
  p->pidfd = pidfd_open (p->pid, 0);
  if (p->pidfd < 0)
    fatal ("pidfd_open: %s", strerror (errno));
  return 0;
}

/* Reaps a process whose pidfd is readable; 0 when it exited 0, else -1 and *why. */
static int
reap (struct rt *rt, struct proc *p, int lane, double *ms, struct rusage *ru, char **why)
{
  struct rusage r;
  int st;

  *ms = now_ms () - p->t0;
  while (wait4 (p->pid, &st, 0, ru ? ru : &r) < 0)
    if (errno != EINTR)
      fatal ("wait4: %s", strerror (errno));
  close (p->pidfd);
  if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
    return 0;
  if (why != NULL)
    {
      char *msg = last_line (err_path (rt, lane));
      *why = WIFEXITED (st) ? xfmt ("exit %d: %s", WEXITSTATUS (st), msg)
                            : xfmt ("killed by signal %d: %s", WTERMSIG (st), msg);
      free (msg);
    }
  return -1;
}

static int
wait_readable (int fd, int timeout_ms)
{
  struct pollfd pfd = { fd, POLLIN, 0 };
  int rc;

  while ((rc = poll (&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
    ;
  return rc;
}

static int
run_cmd (struct rt *rt, char **argv, double *ms, struct rusage *ru, char **why)
{
  struct proc p;

  if (spawn (rt, argv, 0, &p) < 0)
    {
      *why = xfmt ("cannot run %s: %s", argv[0], strerror (errno));
      return -1;
    }
  if (wait_readable (p.pidfd, TIMEOUT_MS) == 0)
    {
      pidfd_send_signal (p.pidfd, SIGKILL, NULL, 0);
      reap (rt, &p, 0, ms, ru, NULL);
      *why = xfmt ("timed out after %d s", TIMEOUT_MS / 1000);
      return -1;
    }
  return reap (rt, &p, 0, ms, ru, why);
}

/* argv for an OCI runtime: BIN --root ROOT ARGS... (NULL-terminated). Static storage: one at a time
 * per lane. */
static char **
rt_argv (struct rt *rt, int lane, ...)
{
  static char *argv[4][MAX_ARGS];
  char **a = argv[lane];
  int n = 0;
  va_list ap;
  char *s;

  a[n++] = (char *) rt->bin;
  if (!rt->floor)
    {
      a[n++] = "--root";
      a[n++] = rt->root;
    }
  va_start (ap, lane);
  while ((s = va_arg (ap, char *)) != NULL && n < MAX_ARGS - 1)
    a[n++] = s;
  va_end (ap);
  a[n] = NULL;
  return a;
}

static char *
bundle (struct rt *rt, const char *name)
{
  return xfmt ("%s/bundles/%s/%s", base, rt->name, name);
}

static pid_t
read_pid (const char *path)
{
  char buf[32] = "";
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -1;
  if (read (fd, buf, sizeof buf - 1) < 0)
    buf[0] = '\0';
  close (fd);
  return (pid_t) atoi (buf);
}

/* Waits for a container init; its exit status when it is our child (we are the subreaper),
 * 0 when someone else reaps it, -1 on timeout. */
static int
wait_init (pid_t pid, int pidfd, int timeout_ms)
{
  int st;

  if (wait_readable (pidfd, timeout_ms) == 0)
    return -1;
  close (pidfd);
  while (waitpid (pid, &st, 0) < 0)
    {
      if (errno == ECHILD)
        return 0;
      if (errno != EINTR)
        fatal ("waitpid: %s", strerror (errno));
    }
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

static void
reap_strays (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

/* After a failed trial: the container goes away whatever its state, and so does its init. */
static void
force_delete (struct rt *rt, const char *id, int init_fd)
{
  double ms;
  char *why = NULL;

  if (rt->floor)
    return;
  if (init_fd >= 0)
    pidfd_send_signal (init_fd, SIGKILL, NULL, 0);
  run_cmd (rt, rt_argv (rt, 0, "delete", "--force", (char *) id, NULL), &ms, NULL, &why);
  free (why);
  if (init_fd >= 0)
    close (init_fd);
  reap_strays ();
}

/* One trial's observations. */
struct obs
{
  int n;
  enum metric m[8];
  double v[8];
};

static void
observe (struct obs *o, enum metric m, double v)
{
  o->m[o->n] = m;
  o->v[o->n++] = v;
}

typedef int (*trial_fn) (struct rt *rt, const char *id, struct obs *o, char **why);

/* Warm-up runs (the first one is the probe: a runtime that cannot do the scenario is n/a, with
 * its own error), then `runs` trials with the runtimes taking turns. */
static void
run_trials (int scen, enum metric main_metric, trial_fn fn, int nruns)
{
  for (int r = 0; r < nrt; r++)
    {
      struct rt *rt = &rts[r];
      for (int w = 0; w < warmup && rt->na[scen] == NULL; w++)
        {
          char id[32], *why = NULL;
          struct obs o = { 0 };
          snprintf (id, sizeof id, "w%d-%d", scen, w);
          if (fn (rt, id, &o, &why) < 0)
            rt->na[scen] = why;
        }
    }
  for (int i = 0; i < nruns; i++)
    for (int k = 0; k < nrt; k++)
      {
        struct rt *rt = &rts[(i + k) % nrt];
        char id[32], *why = NULL;
        struct obs o = { 0 };

        if (rt->na[scen] != NULL)
          continue;
        if (gap_ms > 0)
          usleep ((useconds_t) gap_ms * 1000);
        snprintf (id, sizeof id, "b%d-%d", scen, i);
        if (fn (rt, id, &o, &why) < 0)
          {
            add_failure (rt, main_metric, why);
            continue;
          }
        for (int j = 0; j < o.n; j++)
          add_sample (rt, o.m[j], i, o.v[j]);
      }
  reap_strays ();
}

static int
trial_version (struct rt *rt, const char *id, struct obs *o, char **why)
{
  char *argv[] = { (char *) rt->bin, "--version", NULL };
  double ms;

  (void) id;
  if (run_cmd (rt, argv, &ms, NULL, why) < 0)
    return -1;
  observe (o, M_VERSION, ms);
  return 0;
}

static int
floor_run (struct rt *rt, bool seccomp, double *ms, struct rusage *ru, char **why)
{
  char *rootfs = xfmt ("%s/rootfs", base), *filter = xfmt ("%s/filter.bpf", base);
  char *argv[MAX_ARGS], *cgs[16];
  int n = 0, rc;

  argv[n++] = (char *) rt->bin;
  argv[n++] = "run";
  if (seccomp)
    {
      argv[n++] = "--seccomp";
      argv[n++] = filter;
    }
  for (int i = 0; rt->cg && i < n_cg; i++)
    {
      argv[n++] = "--cgroup";
      argv[n++] = cgs[i] = xfmt ("%s/t", cg_parents[i]);
    }
  argv[n++] = rootfs;
  argv[n++] = "/bin/true";
  argv[n] = NULL;
  rc = run_cmd (rt, argv, ms, ru, why);
  for (int i = 0; rt->cg && i < n_cg; i++)
    free (cgs[i]);
  free (rootfs);
  free (filter);
  return rc;
}

/* v1 cpuset takes no task before cpus and mems are set: copied down from the parent. */
static void
cpuset_copy (const char *dir, const char *file)
{
  char *src = xfmt ("%s/../%s", dir, file), *dst = xfmt ("%s/%s", dir, file), buf[256];
  int fd = open (src, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf) : -1;

  if (fd >= 0)
    close (fd);
  if (n > 0 && (fd = open (dst, O_WRONLY | O_CLOEXEC)) >= 0)
    {
      if (write (fd, buf, (size_t) n) < 0)
        fprintf (stderr, "bench-driver: write %s: %s\n", dst, strerror (errno));
      close (fd);
    }
  free (src);
  free (dst);
}

/* floor+cg's parents: /sys/fs/cgroup/HIER/NAME-OF-BASE/floor+cg (or /sys/fs/cgroup/NAME... when
 * /sys/fs/cgroup is itself the cgroup2 mount). */
static void
floor_cg_setup (void)
{
  const char *name = strrchr (base, '/') ? strrchr (base, '/') + 1 : base;
  struct statfs sf;
  DIR *d;
  struct dirent *e;

  if (statfs ("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
    cg_parents[n_cg++] = xfmt ("/sys/fs/cgroup/%s", name);
  else if ((d = opendir ("/sys/fs/cgroup")) != NULL)
    {
      while ((e = readdir (d)) != NULL && n_cg < 16)
        {
          char *p = xfmt ("/sys/fs/cgroup/%s", e->d_name);
          if (e->d_name[0] != '.' && statfs (p, &sf) == 0
              && (sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC))
            cg_parents[n_cg++] = xfmt ("%s/%s", p, name);
          free (p);
        }
      closedir (d);
    }
  for (int i = 0; i < n_cg; i++)
    {
      char *top = cg_parents[i];
      if (mkdir (top, 0755) < 0 && errno != EEXIST)
        fatal ("mkdir %s: %s", top, strerror (errno));
      cg_parents[i] = xfmt ("%s/floor+cg", top);
      if (mkdir (cg_parents[i], 0755) < 0 && errno != EEXIST)
        fatal ("mkdir %s: %s", cg_parents[i], strerror (errno));
      if (strstr (top, "/cpuset/") != NULL)
        {
          cpuset_copy (top, "cpuset.cpus");
          cpuset_copy (top, "cpuset.mems");
          cpuset_copy (cg_parents[i], "cpuset.cpus");
          cpuset_copy (cg_parents[i], "cpuset.mems");
        }
      free (top);
    }
}

static int
run_bundle (struct rt *rt, const char *id, const char *name, double *ms, char **why)
{
  char *b = bundle (rt, name);
  int rc = run_cmd (rt, rt_argv (rt, 0, "run", "--bundle", b, (char *) id, NULL), ms, NULL, why);

  free (b);
  if (rc < 0)
    force_delete (rt, id, -1);
  return rc;
}

static int
trial_run (struct rt *rt, const char *id, struct obs *o, char **why)
{
  double ms;

  if ((rt->floor ? floor_run (rt, false, &ms, NULL, why) : run_bundle (rt, id, "run", &ms, why)) < 0)
    return -1;
  observe (o, M_RUN, ms);
  return 0;
}

static int
trial_seccomp (struct rt *rt, const char *id, struct obs *o, char **why)
{
  double ms;

  if ((rt->floor ? floor_run (rt, true, &ms, NULL, why) : run_bundle (rt, id, "seccomp", &ms, why)) < 0)
    return -1;
  observe (o, M_SECCOMP, ms);
  return 0;
}

/* create, start, wait for the init to exit (as the shim, its subreaper, does), delete. */
static int
trial_csd (struct rt *rt, const char *id, struct obs *o, char **why)
{
  char *b, *pidfile;
  double t0 = now_ms (), ms, tw;
  struct rusage ru;
  pid_t pid;
  int pidfd, st;

  if (rt->floor)
    {
      if (floor_run (rt, false, &ms, &ru, why) < 0)
        return -1;
      observe (o, M_CSD, ms);
      observe (o, M_RSS, (double) ru.ru_maxrss);
      return 0;
    }
  b = bundle (rt, "csd");
  pidfile = xfmt ("%s/tmp/%s.pid", base, rt->name);
  unlink (pidfile);
  int rc = run_cmd (rt, rt_argv (rt, 0, "create", "--bundle", b, "--pid-file", pidfile, (char *) id, NULL), &ms, &ru, why);
  free (b);
  pid = rc == 0 ? read_pid (pidfile) : -1;
  free (pidfile);
  if (rc < 0 || pid <= 0 || (pidfd = pidfd_open (pid, 0)) < 0)
    {
      if (rc == 0)
        *why = xfmt ("create exited 0 but the pid file holds no live pid");
      force_delete (rt, id, -1);
      return -1;
    }
  observe (o, M_CREATE, ms);
  observe (o, M_RSS, (double) ru.ru_maxrss);
  if (run_cmd (rt, rt_argv (rt, 0, "start", (char *) id, NULL), &ms, NULL, why) < 0)
    {
      force_delete (rt, id, pidfd);
      return -1;
    }
  observe (o, M_START, ms);
  tw = now_ms ();
  st = wait_init (pid, pidfd, TIMEOUT_MS);
  if (st != 0)
    {
      *why = st < 0 ? xfmt ("the container did not exit") : xfmt ("the container exited %d", st);
      force_delete (rt, id, st < 0 ? pidfd : -1);
      return -1;
    }
  observe (o, M_WAIT, now_ms () - tw);
  if (run_cmd (rt, rt_argv (rt, 0, "delete", (char *) id, NULL), &ms, NULL, why) < 0)
    {
      force_delete (rt, id, -1);
      return -1;
    }
  observe (o, M_DELETE, ms);
  observe (o, M_CSD, now_ms () - t0);
  return 0;
}

/* create + start of a container from bundle NAME that runs until killed; its init in pid and pidfd. */
static int
start_long (struct rt *rt, const char *id, const char *name, int lane, pid_t *pid, int *pidfd, char **why)
{
  char *b = bundle (rt, name), *pidfile = xfmt ("%s/tmp/%s.%d.pid", base, rt->name, lane);
  double ms;
  int rc;

  unlink (pidfile);
  rc = run_cmd (rt, rt_argv (rt, lane, "create", "--bundle", b, "--pid-file", pidfile, (char *) id, NULL), &ms, NULL, why);
  *pid = rc == 0 ? read_pid (pidfile) : -1;
  free (b);
  free (pidfile);
  if (rc < 0 || *pid <= 0 || (*pidfd = pidfd_open (*pid, 0)) < 0)
    {
      if (rc == 0)
        *why = xfmt ("create exited 0 but the pid file holds no live pid");
      force_delete (rt, id, -1);
      return -1;
    }
  if (run_cmd (rt, rt_argv (rt, lane, "start", (char *) id, NULL), &ms, NULL, why) < 0)
    {
      force_delete (rt, id, *pidfd);
      return -1;
    }
  return 0;
}

/* kill KILL, wait for the init, delete: containerd's way down (delete --force may sleep). */
static int
stop_long (struct rt *rt, const char *id, pid_t pid, int pidfd, char **why)
{
  double ms;

  if (run_cmd (rt, rt_argv (rt, 0, "kill", (char *) id, "KILL", NULL), &ms, NULL, why) < 0
      || wait_init (pid, pidfd, TIMEOUT_MS) == -1
      || run_cmd (rt, rt_argv (rt, 0, "delete", (char *) id, NULL), &ms, NULL, why) < 0)
    {
      if (*why == NULL)
        *why = xfmt ("the container did not die");
      force_delete (rt, id, -1);
      return -1;
    }
  return 0;
}

static struct rt *exec_target_rt;

static int
trial_exec (struct rt *rt, const char *id, struct obs *o, char **why)
{
  char pidstr[16];
  double ms;
  int rc;

  (void) id;
  if (rt->floor)
    {
      snprintf (pidstr, sizeof pidstr, "%d", (int) exec_target_rt->target);
      rc = run_cmd (rt, rt_argv (rt, 0, "exec", pidstr, "/bin/true", NULL), &ms, NULL, why);
    }
  else
    rc = run_cmd (rt, rt_argv (rt, 0, "exec", "exec-target", "/bin/true", NULL), &ms, NULL, why);
  if (rc < 0)
    return -1;
  observe (o, M_EXEC, ms);
  return 0;
}

static void
scenario_exec (void)
{
  exec_target_rt = NULL;
  for (int r = 0; r < nrt; r++)
    {
      struct rt *rt = &rts[r];
      char *why = NULL;
      if (rt->floor)
        continue;
      if (start_long (rt, "exec-target", "exec", 0, &rt->target, &rt->target_fd, &why) < 0)
        {
          rt->na[3] = xfmt ("cannot start the container to exec into: %s", why);
          free (why);
          continue;
        }
      /* The floor joins the namespaces of crun's container when there is one. */
      if (exec_target_rt == NULL || strcmp (rt->name, "crun") == 0)
        exec_target_rt = rt;
    }
  for (int r = 0; r < nrt; r++)
    if (rts[r].floor && exec_target_rt == NULL && rts[r].na[3] == NULL)
      rts[r].na[3] = xfmt ("no runtime could start a container to join");
  run_trials (3, M_EXEC, trial_exec, runs);
  for (int r = 0; r < nrt; r++)
    {
      struct rt *rt = &rts[r];
      char *why = NULL;
      if (rt->floor || rt->target <= 0)
        continue;
      if (stop_long (rt, "exec-target", rt->target, rt->target_fd, &why) < 0)
        fprintf (stderr, "bench-driver: %s: removing exec-target: %s\n", rt->name, why);
      free (why);
      rt->target = 0;
    }
  reap_strays ();
}

/* Scenario 5: N containers up two at a time (each lane: create, then start), list, then down two
 * at a time (kill, wait, delete). */
enum step
{
  S_IDLE,
  S_CREATE,
  S_START,
  S_KILL,
  S_WAIT,
  S_DELETE,
};

struct ctr
{
  char id[32];
  pid_t init;
  int initfd;
  bool created;
};

struct lane
{
  enum step step;
  int ci;
  struct proc p;
};

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Moves lane l to the next step of its container; *done set when the container is finished. */
static int
lane_next (struct rt *rt, int l, struct lane *ln, struct ctr *c, bool up, bool *done, char **why)
{
  char *b = NULL, *pidfile = xfmt ("%s/tmp/%s.%d.pid", base, rt->name, l + 1);
  char **argv = NULL;
  int rc = 0;

  *done = false;
  switch (ln->step)
    {
    case S_IDLE:
      if (up)
        {
          b = xfmt ("%s/bundles/%s/scale-%d", base, rt->name, ln->ci);
          unlink (pidfile);
          argv = rt_argv (rt, l + 1, "create", "--bundle", b, "--pid-file", pidfile, c->id, NULL);
          ln->step = S_CREATE;
          c->created = true; /* even a failed create may leave state behind */
        }
      else
        {
          argv = rt_argv (rt, l + 1, "kill", c->id, "KILL", NULL);
          ln->step = S_KILL;
        }
      break;
    case S_CREATE:
      c->init = read_pid (pidfile);
      if (c->init <= 0 || (c->initfd = pidfd_open (c->init, 0)) < 0)
        {
          *why = xfmt ("%s: create exited 0 but the pid file holds no live pid", c->id);
          rc = -1;
          break;
        }
      argv = rt_argv (rt, l + 1, "start", c->id, NULL);
      ln->step = S_START;
      break;
    case S_START:
      ln->step = S_IDLE;
      *done = true;
      break;
    case S_DELETE:
      c->created = false;
      ln->step = S_IDLE;
      *done = true;
      break;
    case S_KILL:
      ln->step = S_WAIT; /* the loop polls the init's pidfd */
      break;
    case S_WAIT:
      if (wait_init (c->init, c->initfd, 0) == -1)
        {
          *why = xfmt ("%s: init readable but not reaped", c->id);
          rc = -1;
          break;
        }
      c->initfd = -1;
      argv = rt_argv (rt, l + 1, "delete", c->id, NULL);
      ln->step = S_DELETE;
      break;
    }
  if (rc == 0 && argv != NULL && spawn (rt, argv, l + 1, &ln->p) < 0)
    {
      *why = xfmt ("cannot run %s: %s", argv[0], strerror (errno));
      rc = -1;
    }
  free (b);
  free (pidfile);
  return rc;
}

/* After a failure: the other lane's runtime process finishes before the cleanup starts. */
static int
lanes_drain (struct rt *rt, struct lane *lanes)
{
  for (int l = 0; l < 2; l++)
    if (lanes[l].step != S_IDLE && lanes[l].step != S_WAIT && lanes[l].p.pidfd >= 0)
      {
        double ms;
        if (wait_readable (lanes[l].p.pidfd, TIMEOUT_MS) == 0)
          pidfd_send_signal (lanes[l].p.pidfd, SIGKILL, NULL, 0);
        reap (rt, &lanes[l].p, l + 1, &ms, NULL, NULL);
        lanes[l].p.pidfd = -1;
      }
  return -1;
}

/* Runs the up or down phase over all containers with two lanes; done_at[i]: when the i-th
 * container finished, from t0. */
static int
scale_phase (struct rt *rt, struct ctr *ctrs, int n, bool up, double t0, double *done_at, char **why)
{
  struct lane lanes[2] = { { S_IDLE, -1, { 0, -1, 0 } }, { S_IDLE, -1, { 0, -1, 0 } } };
  int next = 0, ndone = 0;

  while (ndone < n)
    {
      struct pollfd pfd[2];
      int map[2], np = 0;
      bool done;

      for (int l = 0; l < 2; l++)
        if (lanes[l].step == S_IDLE && next < n)
          {
            lanes[l].ci = next++;
            if (lane_next (rt, l, &lanes[l], &ctrs[lanes[l].ci], up, &done, why) < 0)
              return lanes_drain (rt, lanes);
          }
      for (int l = 0; l < 2; l++)
        if (lanes[l].step != S_IDLE)
          {
            pfd[np].fd = lanes[l].step == S_WAIT ? ctrs[lanes[l].ci].initfd : lanes[l].p.pidfd;
            pfd[np].events = POLLIN;
            map[np++] = l;
          }
      if (np == 0)
        break;
      int rc = poll (pfd, (nfds_t) np, TIMEOUT_MS);
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc <= 0)
        {
          *why = xfmt ("timed out after %d s", TIMEOUT_MS / 1000);
          return lanes_drain (rt, lanes);
        }
      for (int k = 0; k < np; k++)
        {
          struct lane *ln = &lanes[map[k]];
          double ms;
          if (!(pfd[k].revents & (POLLIN | POLLHUP)))
            continue;
          if (ln->step != S_WAIT && reap (rt, &ln->p, map[k] + 1, &ms, NULL, why) < 0)
            {
              char *w = xfmt ("%s: %s", ctrs[ln->ci].id, *why);
              free (*why);
              *why = w;
              ln->step = S_IDLE;
              return lanes_drain (rt, lanes);
            }
          if (lane_next (rt, map[k], ln, &ctrs[ln->ci], up, &done, why) < 0)
            return lanes_drain (rt, lanes);
          if (done)
            done_at[ndone++] = now_ms () - t0;
        }
    }
  return 0;
}

static void
scale_cleanup (struct rt *rt, struct ctr *ctrs, int n)
{
  for (int i = 0; i < n; i++)
    if (ctrs[i].created)
      {
        force_delete (rt, ctrs[i].id, ctrs[i].initfd);
        ctrs[i].created = false;
        ctrs[i].initfd = -1;
      }
  reap_strays ();
}

static int
scale_window (void)
{
  return scale_n >= 100 ? 50 : (scale_n / 4 > 0 ? scale_n / 4 : 1);
}

static int
scale_round (struct rt *rt, int round, char **why)
{
  int n = scale_n, w = scale_window ();
  struct ctr *ctrs = calloc ((size_t) n, sizeof *ctrs);
  double *up = calloc ((size_t) n, sizeof *up), *down = calloc ((size_t) n, sizeof *down);
  double t0, tl, ms;
  int rc = -1;

  for (int i = 0; i < n; i++)
    {
      snprintf (ctrs[i].id, sizeof ctrs[i].id, "s%d-%d", round, i);
      ctrs[i].initfd = -1;
    }
  t0 = now_ms ();
  if (scale_phase (rt, ctrs, n, true, t0, up, why) < 0)
    goto out;
  if (run_cmd (rt, rt_argv (rt, 0, "list", NULL), &ms, NULL, why) < 0)
    goto out;
  tl = now_ms ();
  if (scale_phase (rt, ctrs, n, false, tl, down, why) < 0)
    goto out;
  qsort (up, (size_t) n, sizeof *up, cmp_double);
  add_sample (rt, M_UP_FIRST, round, up[w - 1] / w);
  add_sample (rt, M_UP_LAST, round, (up[n - 1] - up[n - 1 - w]) / w);
  add_sample (rt, M_LIST, round, ms);
  add_sample (rt, M_DOWN, round, down[n - 1] / n);
  add_sample (rt, M_SCALE_TOTAL, round, now_ms () - t0);
  rc = 0;
out:
  if (rc < 0)
    scale_cleanup (rt, ctrs, n);
  free (ctrs);
  free (up);
  free (down);
  reap_strays ();
  return rc;
}

static void
scenario_scale (void)
{
  for (int r = 0; r < nrt; r++)
    {
      struct rt *rt = &rts[r];
      char *why = NULL;
      pid_t pid;
      int fd;

      if (rt->floor)
        {
          rt->na[5] = xfmt ("the floor keeps no containers");
          continue;
        }
      /* The probe: one container up and down the same way. */
      if (start_long (rt, "probe", "exec", 0, &pid, &fd, &why) < 0 || stop_long (rt, "probe", pid, fd, &why) < 0)
        rt->na[5] = why;
    }
  for (int round = 0; round < scale_rounds; round++)
    for (int k = 0; k < nrt; k++)
      {
        struct rt *rt = &rts[(round + k) % nrt];
        char *why = NULL;
        if (rt->na[5] != NULL)
          continue;
        fprintf (stderr, "  scale round %d: %s\n", round + 1, rt->name);
        if (scale_round (rt, round, &why) < 0)
          add_failure (rt, M_UP_FIRST, why);
      }
}

/* The cgroup2 mount hidden under a private tmpfs, in a mount namespace of its own. */
static int
hidden_cgroup2_ns (void)
{
  static int fd = -1;
  struct statfs sf;

  if (fd >= 0)
    return fd;
  if (statfs ("/sys/fs/cgroup/unified", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
    return -1; /* not a hybrid host: nothing to hide */
  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("tmpfs", "/sys/fs/cgroup/unified", "tmpfs", 0, NULL) < 0)
    fatal ("hiding the cgroup2 mount: %s", strerror (errno));
  fd = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns (host_mntns, CLONE_NEWNS) < 0)
    fatal ("mount namespace for crun: %s", strerror (errno));
  return fd;
}

/* ---- statistics and the table ---- */

struct stat3
{
  int n;
  double min, med, p95, max;
};

static struct stat3
stats_of (struct samples *s)
{
  struct stat3 r = { s->n, 0, 0, 0, 0 };
  double *v;

  if (s->n == 0)
    return r;
  v = malloc ((size_t) s->n * sizeof *v);
  memcpy (v, s->v, (size_t) s->n * sizeof *v);
  qsort (v, (size_t) s->n, sizeof *v, cmp_double);
  r.min = v[0];
  r.max = v[s->n - 1];
  r.med = s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
  /* nearest rank */
  int k = (int) (0.95 * s->n + 0.999999) - 1;
  r.p95 = v[k < 0 ? 0 : k];
  free (v);
  return r;
}

static struct rt *
rt_named (const char *name)
{
  for (int r = 0; r < nrt; r++)
    if (strcmp (rts[r].name, name) == 0)
      return &rts[r];
  return NULL;
}

/* The value compared across runtimes: the median, or the maximum for peak RSS. */
static double
headline (struct rt *rt, enum metric m, bool *ok)
{
  struct stat3 st = stats_of (&rt->s[m]);

  *ok = st.n > 0 && rt->na[metrics[m].scenario == 4 ? 2 : metrics[m].scenario] == NULL;
  return metrics[m].unit == U_KIB ? st.max / 1024 : st.med;
}

static void
ratio_cell (char *buf, size_t len, struct rt *rt, struct rt *ref, enum metric m)
{
  bool ok1, ok2;
  double a = headline (rt, m, &ok1), b = ref ? headline (ref, m, &ok2) : 0;

  if (ref == NULL || !ok1 || !ok2 || b <= 0)
    snprintf (buf, len, "-");
  else
    snprintf (buf, len, "%.2f", a / b);
}

static const char *
na_reason (struct rt *rt, enum metric m)
{
  int scen = metrics[m].scenario == 4 ? 2 : metrics[m].scenario;
  return rt->na[scen];
}

/* Labels, with the scale scenario's sizes filled in. */
static void
metric_label (char *buf, size_t len, enum metric m)
{
  int w = scale_window (), n = scale_n;

  switch (m)
    {
    case M_UP_FIRST:
      snprintf (buf, len, "5a. create+start per container, containers 1-%d", w);
      break;
    case M_UP_LAST:
      snprintf (buf, len, "5b. create+start per container, containers %d-%d", n - w + 1, n);
      break;
    case M_LIST:
      snprintf (buf, len, "5c. list with %d containers", n);
      break;
    case M_SCALE_TOTAL:
      snprintf (buf, len, "5e. total: %d up, list, %d down", n, n);
      break;
    default:
      snprintf (buf, len, "%s", metrics[m].label);
    }
}

static void
print_tables (FILE *txt, FILE *md)
{
  struct rt *crun = rt_named ("crun"), *floor = NULL;

  for (int r = 0; r < nrt; r++)
    if (rts[r].floor && !rts[r].cg)
      floor = &rts[r];
  fprintf (md, "| scenario | runtime | n | min | median | p95 | × crun | × floor |\n");
  fprintf (md, "|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (int m = 0; m < M_COUNT; m++)
    {
      int scen = metrics[m].scenario;
      bool kib = metrics[m].unit == U_KIB;
      char label[128];

      if (!want[scen])
        continue;
      metric_label (label, sizeof label, (enum metric) m);
      const char *mdl = label; /* the label once per group of rows */
      fprintf (txt, "\n%s%s\n", label, kib ? " (max over runs)" : " (ms)");
      fprintf (txt, "  %-16s %5s %9s %9s %9s %8s %8s\n", "runtime", "n", kib ? "min" : "min", kib ? "median" : "median",
               kib ? "max" : "p95", "x crun", "x floor");
      for (int r = 0; r < nrt; r++)
        {
          struct rt *rt = &rts[r];
          struct samples *s = &rt->s[m];
          struct stat3 st = stats_of (s);
          char rc[16], rf[16];
          const char *na = na_reason (rt, (enum metric) m);

          if (na != NULL)
            {
              fprintf (txt, "  %-16s n/a: %s\n", rt->name, na);
              /* the floors' structural n/a (no containers, same as the floor) stay out of the markdown */
              if (!rt->floor)
                {
                  fprintf (md, "| %s | %s | n/a: %s | | | | | |\n", mdl, rt->name, na);
                  mdl = "";
                }
              continue;
            }
          if (st.n == 0 && s->fails == 0)
            continue; /* the floor has no create/start/delete steps */
          if (st.n == 0)
            {
              fprintf (txt, "  %-16s FAILED %d time(s): %s\n", rt->name, s->fails, s->first_fail);
              fprintf (md, "| %s | %s | FAILED %d time(s): %s | | | | | |\n", mdl, rt->name, s->fails, s->first_fail);
              mdl = "";
              continue;
            }
          ratio_cell (rc, sizeof rc, rt, crun, (enum metric) m);
          ratio_cell (rf, sizeof rf, rt, floor, (enum metric) m);
          double k = kib ? 1.0 / 1024 : 1.0;
          double third = kib ? st.max : st.p95;
          fprintf (txt, "  %-16s %5d %9.2f %9.2f %9.2f %8s %8s", rt->name, st.n, st.min * k, st.med * k, third * k, rc, rf);
          fprintf (md, "| %s | %s | %d | %.2f | %.2f | %.2f | %s | %s |\n", mdl, rt->name, st.n, st.min * k, st.med * k,
                   third * k, rc, rf);
          mdl = "";
          if (s->fails > 0)
            {
              fprintf (txt, "   FAILED %d time(s): %s", s->fails, s->first_fail);
              fprintf (md, "| | %s | FAILED %d time(s): %s | | | | | |\n", rt->name, s->fails, s->first_fail);
            }
          fputc ('\n', txt);
        }
    }
  if (want[4])
    {
      fprintf (txt, "\n4. binaries\n");
      fprintf (md, "\n| runtime | binary | size (MiB) | shared libraries |\n|---|---|---:|---|\n");
      for (int r = 0; r < nrt; r++)
        {
          struct rt *rt = &rts[r];
          char *real = realpath (rt->bin, NULL), *cmd, line[512], libs[1024] = "";
          struct stat sb;
          FILE *p;

          if (rt->cg || real == NULL || stat (real, &sb) < 0)
            {
              free (real);
              continue;
            }
          cmd = xfmt ("ldd '%s' 2>/dev/null", real);
          p = popen (cmd, "r");
          while (p != NULL && fgets (line, sizeof line, p) != NULL)
            {
              char name[256];
              if (sscanf (line, " %255s", name) == 1 && strstr (line, "=>") != NULL && strlen (libs) + strlen (name) + 2 < sizeof libs)
                {
                  strcat (libs, libs[0] ? " " : "");
                  strcat (libs, name);
                }
            }
          if (p != NULL)
            pclose (p);
          if (libs[0] == '\0')
            strcpy (libs, "(static)");
          fprintf (txt, "  %-16s %8.2f MiB  %s  [%s]\n", rt->name, (double) sb.st_size / 1048576, real, libs);
          fprintf (md, "| %s | `%s` | %.2f | %s |\n", rt->name, real, (double) sb.st_size / 1048576, libs);
          free (cmd);
          free (real);
        }
    }
}

/* The targets for ocirt, from the medians of this run. */
static void
print_targets (FILE *txt, FILE *md)
{
  static const struct
  {
    enum metric m;
    const char *ref;
    double max;
  } targets[] = {
    { M_RUN, "crun", 0.6 }, { M_RUN, "floor", 2.0 }, { M_CSD, "crun", 0.6 }, { M_EXEC, "crun", 0.6 },
    { M_RSS, "crun", 1.0 }, { M_SECCOMP, "crun", 0.5 },
  };
  struct rt *o = rt_named ("ocirt");

  if (o == NULL)
    return;
  fprintf (txt, "\ntargets for ocirt (medians; peak RSS: max)\n");
  fprintf (md, "\n| target | measured | met |\n|---|---:|---|\n");
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
    {
      struct rt *ref = NULL;
      bool ok1, ok2;
      if (!want[metrics[targets[i].m].scenario])
        continue;
      for (int r = 0; r < nrt; r++)
        if (strcmp (targets[i].ref, "floor") == 0 ? rts[r].floor && !rts[r].cg : strcmp (rts[r].name, targets[i].ref) == 0)
          ref = &rts[r];
      double a = headline (o, targets[i].m, &ok1), b = ref ? headline (ref, targets[i].m, &ok2) : 0;
      if (!ok1 || ref == NULL || !ok2 || b <= 0)
        {
          fprintf (txt, "  %-48s ≤ %.1f × %-5s  n/a\n", metrics[targets[i].m].label, targets[i].max, targets[i].ref);
          fprintf (md, "| %s ≤ %.1f × %s | n/a | |\n", metrics[targets[i].m].label, targets[i].max, targets[i].ref);
          continue;
        }
      fprintf (txt, "  %-48s ≤ %.1f × %-5s  %.2f  %s\n", metrics[targets[i].m].label, targets[i].max, targets[i].ref,
               a / b, a / b <= targets[i].max ? "met" : "MISSED");
      fprintf (md, "| %s ≤ %.1f × %s | %.2f | %s |\n", metrics[targets[i].m].label, targets[i].max, targets[i].ref, a / b,
               a / b <= targets[i].max ? "met" : "**missed**");
    }
  if (want[5])
    {
      bool ok1, ok2;
      double a = headline (o, M_UP_FIRST, &ok1), b = headline (o, M_UP_LAST, &ok2);
      if (ok1 && ok2 && a > 0)
        {
          fprintf (txt, "  %-48s ≤ 1.2          %.2f  %s\n", "5. per-container time, last W / first W", b / a,
                   b / a <= 1.2 ? "met" : "MISSED");
          fprintf (md, "| 5. per-container time, last / first window ≤ 1.2 | %.2f | %s |\n", b / a,
                   b / a <= 1.2 ? "met" : "**missed**");
        }
    }
}

static void
usage (void)
{
  fprintf (stderr, "usage: bench-driver --base DIR --out DIR --floor PATH --runtime NAME=PATH[,hide-cgroup2]...\n"
                   "       [--runs N] [--warmup N] [--scale N] [--scale-rounds N] [--scenarios 0,1,2,3,4,5,6] [--gap MS]\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  const char *scen = "0,1,2,3,4,5,6";

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      if (v == NULL)
        usage ();
      i++;
      if (strcmp (a, "--base") == 0)
        base = v;
      else if (strcmp (a, "--out") == 0)
        outdir = v;
      else if (strcmp (a, "--runs") == 0)
        runs = atoi (v);
      else if (strcmp (a, "--warmup") == 0)
        warmup = atoi (v);
      else if (strcmp (a, "--scale") == 0)
        scale_n = atoi (v);
      else if (strcmp (a, "--scale-rounds") == 0)
        scale_rounds = atoi (v);
      else if (strcmp (a, "--gap") == 0)
        gap_ms = atoi (v);
      else if (strcmp (a, "--scenarios") == 0)
        scen = v;
      else if ((strcmp (a, "--runtime") == 0 || strcmp (a, "--floor") == 0 || strcmp (a, "--floor-cg") == 0)
               && nrt < MAX_RT)
        {
          struct rt *rt = &rts[nrt++];
          char *spec = strdup (v), *eq = strchr (spec, '='), *opt;
          rt->mntns = -1;
          rt->target_fd = -1;
          if (strcmp (a, "--floor") == 0 || strcmp (a, "--floor-cg") == 0)
            {
              rt->cg = strcmp (a, "--floor-cg") == 0;
              rt->name = rt->cg ? "floor+cg" : "floor";
              rt->bin = spec;
              rt->floor = true;
              if (rt->cg)
                {
                  rt->na[0] = xfmt ("the same as the floor's");
                  rt->na[3] = xfmt ("the same as the floor's (joins no cgroup)");
                }
              continue;
            }
          if (eq == NULL)
            usage ();
          *eq = '\0';
          rt->name = spec;
          rt->bin = eq + 1;
          if ((opt = strchr (eq + 1, ',')) != NULL)
            {
              *opt++ = '\0';
              if (strcmp (opt, "hide-cgroup2") != 0)
                usage ();
              rt->mntns = -2; /* set up below */
            }
        }
      else
        usage ();
    }
  if (base == NULL || outdir == NULL || nrt == 0 || runs < 1 || warmup < 1 || scale_n < 4 || scale_rounds < 1)
    usage ();
  for (const char *p = scen; *p; p++)
    if (*p >= '0' && *p <= '6')
      want[*p - '0'] = true;

  host_mntns = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (host_mntns < 0)
    fatal ("open /proc/self/ns/mnt: %s", strerror (errno));
  for (int r = 0; r < nrt; r++)
    {
      if (rts[r].mntns == -2)
        rts[r].mntns = hidden_cgroup2_ns ();
      snprintf (rts[r].root, sizeof rts[r].root, "%s/state/%s", base, rts[r].name);
    }
  for (int r = 0; r < nrt; r++)
    if (rts[r].cg && n_cg == 0)
      floor_cg_setup ();
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    fatal ("PR_SET_CHILD_SUBREAPER: %s", strerror (errno));

  char *path = xfmt ("%s/raw.tsv", outdir);
  raw = fopen (path, "w");
  if (raw == NULL)
    fatal ("open %s: %s", path, strerror (errno));
  fprintf (raw, "metric\truntime\ttrial\tvalue(ms, or KiB for rss)\n");

  if (want[0])
    {
      fprintf (stderr, "scenario 0: --version\n");
      run_trials (0, M_VERSION, trial_version, runs);
    }
  if (want[1])
    {
      fprintf (stderr, "scenario 1: run /bin/true\n");
      run_trials (1, M_RUN, trial_run, runs);
    }
  if (want[2] || want[4])
    {
      fprintf (stderr, "scenario 2 (and 4): create, start, wait, delete\n");
      run_trials (2, M_CSD, trial_csd, want[2] ? runs : (runs < 10 ? runs : 10));
    }
  if (want[3])
    {
      fprintf (stderr, "scenario 3: exec /bin/true\n");
      scenario_exec ();
    }
  if (want[5])
    {
      fprintf (stderr, "scenario 5: scale, %d containers, %d rounds\n", scale_n, scale_rounds);
      scenario_scale ();
    }
  if (want[6])
    {
      fprintf (stderr, "scenario 6: run with the podman seccomp profile\n");
      run_trials (6, M_SECCOMP, trial_seccomp, runs);
    }
  fclose (raw);

  char *tp = xfmt ("%s/table.txt", outdir), *mp = xfmt ("%s/table.md", outdir);
  FILE *txt = fopen (tp, "w"), *md = fopen (mp, "w");
  if (txt == NULL || md == NULL)
    fatal ("open %s: %s", tp, strerror (errno));
  print_tables (txt, md);
  print_targets (txt, md);
  fclose (txt);
  fclose (md);
  return 0;
}
