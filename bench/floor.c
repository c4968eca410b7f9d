/* The kernel floor: only the work a container from the default `ocirt spec` bundle cannot avoid,
 * done with raw syscalls and nothing else (no JSON, no state, no cgroups, no sync channel), so the
 * benchmark can say how far each runtime is from what the kernel itself costs.
 *
 *   floor --version                         a process that starts and exits (the loader's floor)
 *   floor run [--seccomp FILE] [--cgroup DIR]... ROOTFS CMD...
 *                                           the default bundle's namespaces, mounts, pivot_root,
 *                                           hostname, rlimit, capabilities, no_new_privs, exec, wait
 *                                           FILE: a compiled BPF program (see lib/mkfilter.c)
 *                                           DIR: a cgroup to create, join and remove (the floor+cg
 *                                           variant): cgroup2 through clone3's CLONE_INTO_CGROUP, v1
 *                                           by the child writing 0 to `tasks` (neither takes the
 *                                           global lock whose write side waits for an RCU grace
 *                                           period, as a write of a pid to cgroup.procs does)
 *   floor exec PID CMD...                   join PID's namespaces, fork, exec, wait
 *
 * Exit status: the command's (128+signal when killed), or 125 when the floor itself failed.
 * Built static (run.sh) so that no dynamic loader stands between exec and main. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define FLOOR_FAIL 125
#define MAX_CGROUPS 16

static char *const container_env[]
    = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "HOME=/root", NULL };

static void
die (const char *what, const char *arg)
{
  fprintf (stderr, "floor: %s %s: %s\n", what, arg != NULL ? arg : "", strerror (errno));
  _exit (FLOOR_FAIL);
}

static void
do_mount (const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
  if (mount (src, dst, type, flags, data) < 0)
    die ("mount", dst);
}

static void
mkdir_mount (const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
  if (mkdir (dst, 0755) < 0 && errno != EEXIST)
    die ("mkdir", dst);
  do_mount (src, dst, type, flags, data);
}

/* The default spec's mounts, relative to the rootfs (the cwd). The cgroup mount of the default
 * spec is left out on purpose: the floor has no cgroups. */
static void
mount_defaults (void)
{
  do_mount ("proc", "proc", "proc", 0, NULL);
  do_mount ("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  mkdir_mount ("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  mkdir_mount ("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
  mkdir_mount ("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  do_mount ("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
}

/* The spec's default devices and the /dev symlinks every runtime makes. */
static void
make_devices (void)
{
  static const struct
  {
    const char *path;
    unsigned major, minor;
  } devs[] = {
    { "dev/null", 1, 3 },    { "dev/zero", 1, 5 },    { "dev/full", 1, 7 },
    { "dev/random", 1, 8 },  { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 },
  };
  static const char *const links[][2] = {
    { "/proc/self/fd", "dev/fd" },     { "/proc/self/fd/0", "dev/stdin" }, { "/proc/self/fd/1", "dev/stdout" },
    { "/proc/self/fd/2", "dev/stderr" }, { "pts/ptmx", "dev/ptmx" },
  };

  umask (0);
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
    if (mknod (devs[i].path, S_IFCHR | 0666, makedev (devs[i].major, devs[i].minor)) < 0)
      die ("mknod", devs[i].path);
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlink (links[i][0], links[i][1]) < 0)
      die ("symlink", links[i][1]);
  umask (022);
}

static void
pivot (void)
{
  /* pivot_root(".", "."): the old root ends up under the new one and is detached at once. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    die ("pivot_root", ".");
  if (umount2 (".", MNT_DETACH) < 0)
    die ("umount", "old root");
  if (chdir ("/") < 0)
    die ("chdir", "/");
}

/* Masked paths: /dev/null over a file, a read-only tmpfs over a directory, nothing when absent. */
static void
mask_paths (void)
{
  static const char *const masked[] = {
    "/proc/acpi", "/proc/asound",      "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
  };

  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
    {
      if (mount ("/dev/null", masked[i], NULL, MS_BIND, NULL) == 0 || errno == ENOENT)
        continue;
      if (errno != ENOTDIR)
        die ("mask", masked[i]);
      do_mount ("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
    }
}

static void
readonly_paths (void)
{
  static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

  for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
    {
      if (mount (ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0)
        {
          if (errno == ENOENT)
            continue;
          die ("bind", ro[i]);
        }
      do_mount (NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
    }
}

/* The default process: bounding set reduced to three capabilities, the same three effective and
 * permitted, no_new_privs, RLIMIT_NOFILE 1024. */
static void
process_limits (void)
{
  static const int keep[] = { CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE };
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  struct rlimit nofile = { 1024, 1024 };
  uint64_t mask = 0;

  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
    mask |= 1ULL << keep[i];
  if (setrlimit (RLIMIT_NOFILE, &nofile) < 0)
    die ("setrlimit", "RLIMIT_NOFILE");
  /* EINVAL past the kernel's last capability ends the loop: no /proc read needed. */
  for (int cap = 0; cap < 64; cap++)
    if (!(mask & (1ULL << cap)) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      {
        if (errno == EINVAL)
          break;
        die ("drop capability", NULL);
      }
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die ("prctl", "PR_SET_NO_NEW_PRIVS");
  memset (data, 0, sizeof data);
  data[0].effective = data[0].permitted = (uint32_t) mask;
  if (syscall (SYS_capset, &hdr, data) < 0)
    die ("capset", NULL);
}

static void
load_filter (struct sock_fprog *prog)
{
  if (prog->len > 0 && syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
    die ("seccomp", NULL);
}

static int
wait_status (pid_t pid)
{
  int st;

  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      die ("waitpid", NULL);
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}

/* fork() without glibc's atfork machinery: the raw clone the runtimes would make. */
static pid_t
raw_clone (unsigned long flags)
{
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

static void
read_filter (const char *path, struct sock_fprog *prog)
{
  static struct sock_filter insns[BPF_MAXINSNS];
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    die ("open", path);
  n = read (fd, insns, sizeof insns);
  if (n <= 0 || n % (ssize_t) sizeof insns[0] != 0)
    die ("read BPF program", path);
  close (fd);
  prog->len = (unsigned short) (n / (ssize_t) sizeof insns[0]);
  prog->filter = insns;
}

struct cgroups
{
  const char *dir[MAX_CGROUPS];
  bool v2[MAX_CGROUPS];
  int n, v2_fd;
};

/* v1 cpuset refuses a task until cpus and mems are set: copied from the parent, as runtimes do. */
static void
copy_from_parent (const char *dir, const char *file)
{
  char path[4096], val[256];
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "%s/../%s", dir, file);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return;
  n = read (fd, val, sizeof val);
  close (fd);
  snprintf (path, sizeof path, "%s/%s", dir, file);
  if (n > 0 && (fd = open (path, O_WRONLY | O_CLOEXEC)) >= 0)
    {
      if (write (fd, val, (size_t) n) < 0)
        die ("write", path);
      close (fd);
    }
}

static void
cgroups_create (struct cgroups *cg)
{
  struct statfs sf;

  cg->v2_fd = -1;
  for (int i = 0; i < cg->n; i++)
    {
      if (mkdir (cg->dir[i], 0755) < 0 && errno != EEXIST)
        die ("mkdir", cg->dir[i]);
      if (statfs (cg->dir[i], &sf) < 0)
        die ("statfs", cg->dir[i]);
      cg->v2[i] = sf.f_type == CGROUP2_SUPER_MAGIC;
      if (cg->v2[i] && (cg->v2_fd = open (cg->dir[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        die ("open", cg->dir[i]);
      if (strstr (cg->dir[i], "/cpuset/") != NULL)
        {
          copy_from_parent (cg->dir[i], "cpuset.cpus");
          copy_from_parent (cg->dir[i], "cpuset.mems");
        }
    }
}

static void
cgroups_join_self (struct cgroups *cg)
{
  char path[4096];

  for (int i = 0; i < cg->n; i++)
    {
      int fd;
      if (cg->v2[i])
        continue;
      snprintf (path, sizeof path, "%s/tasks", cg->dir[i]);
      if ((fd = open (path, O_WRONLY | O_CLOEXEC)) < 0 || write (fd, "0", 1) != 1)
        die ("join", path);
      close (fd);
    }
}

static void
cgroups_remove (struct cgroups *cg)
{
  for (int i = cg->n - 1; i >= 0; i--)
    if (rmdir (cg->dir[i]) < 0)
      die ("rmdir", cg->dir[i]);
}

static int
cmd_run (int argc, char **argv)
{
  struct sock_fprog prog = { 0, NULL };
  struct cgroups cg = { .n = 0 };
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  const char *rootfs;
  pid_t pid;

  for (;;)
    {
      if (argc >= 2 && strcmp (argv[0], "--seccomp") == 0)
        read_filter (argv[1], &prog);
      else if (argc >= 2 && strcmp (argv[0], "--cgroup") == 0 && cg.n < MAX_CGROUPS)
        cg.dir[cg.n++] = argv[1];
      else
        break;
      argc -= 2;
      argv += 2;
    }
  if (argc < 2)
    return fprintf (stderr, "usage: floor run [--seccomp FILE] [--cgroup DIR]... ROOTFS CMD...\n"), FLOOR_FAIL;
  rootfs = argv[0];

  cgroups_create (&cg);
  if (cg.v2_fd >= 0)
    {
      struct clone_args ca = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
                               .cgroup = (uint64_t) cg.v2_fd };
      pid = (pid_t) syscall (SYS_clone3, &ca, sizeof ca);
    }
  else
    pid = raw_clone (flags);
  if (pid < 0)
    die ("clone", NULL);
  if (pid > 0)
    {
      int st = wait_status (pid);
      cgroups_remove (&cg);
      return st;
    }

  cgroups_join_self (&cg);
  do_mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  do_mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
  if (chdir (rootfs) < 0)
    die ("chdir", rootfs);
  mount_defaults ();
  make_devices ();
  pivot ();
  mask_paths ();
  readonly_paths ();
  do_mount (NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
  if (sethostname ("ocirt", 5) < 0)
    die ("sethostname", NULL);
  process_limits ();
  load_filter (&prog);
  execve (argv[1], argv + 1, container_env);
  die ("exec", argv[1]);
  return FLOOR_FAIL;
}

static int
cmd_exec (int argc, char **argv)
{
  /* mnt last: after it, /proc/PID would resolve inside the container. */
  static const char *const order[] = { "ipc", "uts", "net", "pid", "mnt" };
  int fds[5];
  char path[64];
  pid_t pid;

  if (argc < 2)
    return fprintf (stderr, "usage: floor exec PID CMD...\n"), FLOOR_FAIL;
  for (size_t i = 0; i < 5; i++)
    {
      snprintf (path, sizeof path, "/proc/%s/ns/%s", argv[0], order[i]);
      fds[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0)
        die ("open", path);
    }
  for (size_t i = 0; i < 5; i++)
    if (setns (fds[i], 0) < 0)
      die ("setns", order[i]);

  pid = raw_clone (0);
  if (pid < 0)
    die ("clone", NULL);
  if (pid > 0)
    return wait_status (pid);
  process_limits ();
  execve (argv[1], argv + 1, container_env);
  die ("exec", argv[1]);
  return FLOOR_FAIL;
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "--version") == 0)
    return 0;
  if (argc >= 2 && strcmp (argv[1], "run") == 0)
    return cmd_run (argc - 2, argv + 2);
  if (argc >= 2 && strcmp (argv[1], "exec") == 0)
    return cmd_exec (argc - 2, argv + 2);
  fprintf (stderr, "usage: floor --version | run [--seccomp FILE] [--cgroup DIR]... ROOTFS CMD... | exec PID CMD...\n");
  return FLOOR_FAIL;
}
