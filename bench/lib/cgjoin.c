/* What joining a cgroup costs, three ways, each after an idle moment (as between two container
 * starts on a quiet host):
 *   procs   the parent writes the child's pid to cgroup.procs (what runc, crun and ocirt do);
 *   tasks   the child writes 0 to a v1 `tasks` file itself (one thread: the kernel skips the
 *           global cgroup_threadgroup_rwsem, whose write side waits for an RCU grace period);
 *   clone3  the child is born in a cgroup2 cgroup with CLONE_INTO_CGROUP (read side only).
 *
 *   cgjoin [ROUNDS]      (root; makes and removes /sys/fs/cgroup/{pids,unified}/ocirt-bench-cgjoin-PID)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
write_timed (const char *path, const char *val)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  double t;

  if (fd < 0)
    {
      perror (path);
      exit (1);
    }
  t = now_us ();
  if (write (fd, val, strlen (val)) < 0)
    {
      perror (path);
      exit (1);
    }
  t = now_us () - t;
  close (fd);
  return t;
}

int
main (int argc, char **argv)
{
  int rounds = argc > 1 ? atoi (argv[1]) : 10;
  char v1[256], v2[256], path[300], pid[16];
  double *procs = calloc ((size_t) rounds, sizeof (double)), *tasks = calloc ((size_t) rounds, sizeof (double));
  double *cl = calloc ((size_t) rounds, sizeof (double));
  int have_v2;

  snprintf (v1, sizeof v1, "/sys/fs/cgroup/pids/ocirt-bench-cgjoin-%d", (int) getpid ());
  snprintf (v2, sizeof v2, "/sys/fs/cgroup/unified/ocirt-bench-cgjoin-%d", (int) getpid ());
  if (mkdir (v1, 0755) < 0)
    return perror (v1), 1;
  have_v2 = mkdir (v2, 0755) == 0;

  for (int r = 0; r < rounds; r++)
    {
      int p[2], st;
      pid_t c;
      double t;

      /* procs: the parent moves a sleeping child */
      usleep (200000);
      c = fork ();
      if (c == 0)
        {
          pause ();
          _exit (0);
        }
      snprintf (pid, sizeof pid, "%d", (int) c);
      snprintf (path, sizeof path, "%s/cgroup.procs", v1);
      procs[r] = write_timed (path, pid);
      kill (c, SIGKILL);
      waitpid (c, &st, 0);

      /* tasks: the child moves itself and reports the time through a pipe */
      usleep (200000);
      if (pipe (p) < 0)
        return perror ("pipe"), 1;
      c = fork ();
      if (c == 0)
        {
          snprintf (path, sizeof path, "%s/tasks", v1);
          t = write_timed (path, "0");
          if (write (p[1], &t, sizeof t) < 0)
            _exit (1);
          _exit (0);
        }
      if (read (p[0], &tasks[r], sizeof tasks[r]) != sizeof tasks[r])
        return fprintf (stderr, "no time from the child\n"), 1;
      close (p[0]);
      close (p[1]);
      waitpid (c, &st, 0);

      /* clone3 into the cgroup2 cgroup */
      if (have_v2)
        {
          int fd = open (v2, O_PATH | O_DIRECTORY | O_CLOEXEC);
          struct clone_args ca;
          usleep (200000);
          memset (&ca, 0, sizeof ca);
          ca.flags = CLONE_INTO_CGROUP;
          ca.exit_signal = SIGCHLD;
          ca.cgroup = (uint64_t) fd;
          t = now_us ();
          c = (pid_t) syscall (SYS_clone3, &ca, sizeof ca);
          if (c == 0)
            _exit (0);
          cl[r] = now_us () - t;
          if (c < 0)
            return perror ("clone3"), 1;
          waitpid (c, &st, 0);
          close (fd);
        }
    }
  rmdir (v1);
  if (have_v2)
    rmdir (v2);
  qsort (procs, (size_t) rounds, sizeof (double), cmp);
  qsort (tasks, (size_t) rounds, sizeof (double), cmp);
  qsort (cl, (size_t) rounds, sizeof (double), cmp);
  printf ("join a cgroup after 200 ms idle, %d rounds, median (min-max) in us:\n", rounds);
  printf ("  parent writes the pid to v1 cgroup.procs   %8.1f (%.1f-%.1f)\n", procs[rounds / 2], procs[0], procs[rounds - 1]);
  printf ("  child writes 0 to v1 tasks itself           %8.1f (%.1f-%.1f)\n", tasks[rounds / 2], tasks[0], tasks[rounds - 1]);
  if (have_v2)
    printf ("  clone3 CLONE_INTO_CGROUP (cgroup2), whole clone %5.1f (%.1f-%.1f)\n", cl[rounds / 2], cl[0], cl[rounds - 1]);
  return 0;
}
