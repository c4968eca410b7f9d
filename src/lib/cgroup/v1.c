/* cgroup v1 specifics: cpuset initialisation, the freezer, and the OOM eventfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"

static bool
blank (const char *s)
{
  return s == NULL || s[strspn (s, " \n")] == '\0';
}

/* A new v1 cpuset cgroup starts with empty cpus and mems, and no task can join it until both
 * are set: copy the parent's (its effective ones when the parent's own are empty). */
static int
copy_from_parent (const char *dir, const char *parent, const char *file, const char *effective,
                  struct ocirt_err **err)
{
  cleanup_err struct ocirt_err *ignored = NULL;
  cleanup_free char *cur = ocirt_cg_read_file (dir, file, &ignored);
  cleanup_free char *val = NULL;

  if (!blank (cur))
    return 0;
  val = ocirt_cg_read_file (parent, file, err);
  if (val == NULL)
    return -1;
  if (blank (val))
    {
      free (val);
      val = ocirt_cg_read_file (parent, effective, err);
      if (val == NULL)
        return -1;
    }
  val[strcspn (val, "\n")] = '\0';
  return ocirt_cg_write_file (dir, file, val, err);
}

int
ocirt_cg_v1_cpuset_init (const char *dir, struct ocirt_err **err)
{
  cleanup_free char *parent = xstrdup (dir);
  char *slash = strrchr (parent, '/');

  if (slash == NULL || slash == parent)
    return 0;
  *slash = '\0';
  if (copy_from_parent (dir, parent, "cpuset.cpus", "cpuset.effective_cpus", err) < 0
      || copy_from_parent (dir, parent, "cpuset.mems", "cpuset.effective_mems", err) < 0)
    return ocirt_err_wrap (err, "initialise cpuset cgroup `%s`", dir);
  return 0;
}

int
ocirt_cg_v1_is_frozen (const char *dir, bool *frozen, struct ocirt_err **err)
{
  cleanup_free char *s = ocirt_cg_read_file (dir, "freezer.state", err);

  if (s == NULL)
    return -1;
  /* FREEZING counts as frozen for state: the freeze was asked for and has not been undone. */
  *frozen = strncmp (s, "THAWED", 6) != 0;
  return 0;
}

int
ocirt_cg_v1_freeze (const char *dir, bool frozen, struct ocirt_err **err)
{
  const char *want = frozen ? "FROZEN" : "THAWED";
  long waited = 0, step = 1;

  if (ocirt_cg_write_file (dir, "freezer.state", want, err) < 0)
    return -1;
  /* FROZEN is reached once every task stopped; poll, bounded (about 2 s), re-asking now and
   * then because a task that was forking can make the kernel go back to FREEZING. */
  for (int i = 0; waited < 2000; i++)
    {
      cleanup_free char *s = ocirt_cg_read_file (dir, "freezer.state", err);
      if (s == NULL)
        return -1;
      if (strncmp (s, want, strlen (want)) == 0)
        return 0;
      if (i % 20 == 19 && ocirt_cg_write_file (dir, "freezer.state", want, err) < 0)
        return -1;
      ocirt_cg_sleep_ms (step);
      waited += step;
      if (step < 20)
        step *= 2;
    }
  if (frozen)
    {
      /* Never leave a cgroup half frozen behind an error. */
      cleanup_err struct ocirt_err *e = NULL;
      (void) ocirt_cg_write_file (dir, "freezer.state", "THAWED", &e);
    }
  return ocirt_err_make (err, 0, "cgroup `%s` did not reach %s within 2 s (a task is stuck in the kernel)", dir, want);
}

int
ocirt_cg_v1_oom_eventfd (const char *dir, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("%s/memory.oom_control", dir);
  cleanup_close int ofd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_close int efd = -1;
  char buf[64];

  if (ofd < 0)
    return ocirt_err_make (err, errno, "open `%s`", path);
  efd = eventfd (0, EFD_CLOEXEC);
  if (efd < 0)
    return ocirt_err_make (err, errno, "eventfd");
  snprintf (buf, sizeof buf, "%d %d", efd, ofd);
  if (ocirt_cg_write_file (dir, "cgroup.event_control", buf, err) < 0)
    return -1;
  return steal_fd (&efd);
}
