/* cgroup v2 specifics: enabling controllers down the path, and cgroup.freeze. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"

/* Controllers that exist on cgroup v2 (the others in the enum are v1 only or implicit). */
#define V2_CTRLS                                                                                    \
  (CG_BIT (CG_CPU) | CG_BIT (CG_CPUSET) | CG_BIT (CG_MEMORY) | CG_BIT (CG_IO) | CG_BIT (CG_PIDS)       \
   | CG_BIT (CG_HUGETLB) | CG_BIT (CG_RDMA) | CG_BIT (CG_MISC))

static bool
has_word (const char *list, const char *word)
{
  size_t n = strlen (word);

  for (const char *p = list; (p = strstr (p, word)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
      return true;
  return false;
}

/* Enable wanted controllers in dir's cgroup.subtree_control; failing for a required one is an
 * error, for the others a debug line (pure v2 enables all it can, as runc). */
static int
enable_in (const char *dir, unsigned wanted, unsigned required, struct ocirt_err **err)
{
  cleanup_err struct ocirt_err *ignored = NULL;
  cleanup_free char *cur = ocirt_cg_read_file (dir, "cgroup.subtree_control", &ignored);

  for (int c = 0; c < CG__COUNT; c++)
    {
      const char *name = ocirt_cg_ctrl_name ((enum ocirt_cg_ctrl) c);
      cleanup_free char *plus = NULL;
      cleanup_err struct ocirt_err *e = NULL;

      if (!(wanted & CG_BIT (c) & V2_CTRLS) || (cur != NULL && has_word (cur, name)))
        continue;
      plus = xfmt ("+%s", name);
      if (ocirt_cg_write_file (dir, "cgroup.subtree_control", plus, &e) == 0)
        continue;
      if (!(required & CG_BIT (c)))
        {
          log_debug ("cgroup v2: cannot enable %s in %s", name, dir);
          continue;
        }
      if (e->errnum == EBUSY || e->errnum == EOPNOTSUPP)
        return ocirt_err_make (err, e->errnum,
                               "enable the cgroup v2 controller `%s` in `%s/cgroup.subtree_control` (a cgroup with "
                               "processes of its own cannot pass controllers to its children)",
                               name, dir);
      return ocirt_err_make (err, e->errnum, "enable the cgroup v2 controller `%s` in `%s/cgroup.subtree_control`",
                             name, dir);
    }
  return 0;
}

int
ocirt_cg_v2_enable (const char *mount, const char *path, unsigned wanted, unsigned required, struct ocirt_err **err)
{
  cleanup_free char *cur = xstrdup (mount);
  const char *p = path;

  wanted |= required;
  if ((required & ~V2_CTRLS) != 0)
    return ocirt_err_make (err, 0, "internal: a v1-only controller was asked of cgroup v2");
  /* From the root down to the container's parent: each level passes the controllers on. */
  while (*p)
    {
      const char *e;
      size_t len;
      char *next;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      e = strchr (p, '/');
      len = e ? (size_t) (e - p) : strlen (p);
      if (enable_in (cur, wanted, required, err) < 0)
        return -1;
      next = xfmt ("%s/%.*s", cur, (int) len, p);
      free (cur);
      cur = next;
      p += len;
    }
  return 0;
}

int
ocirt_cg_v2_is_frozen (const char *dir, bool *frozen, struct ocirt_err **err)
{
  cleanup_free char *s = ocirt_cg_read_file (dir, "cgroup.freeze", err);

  if (s == NULL)
    return -1;
  *frozen = s[0] == '1';
  return 0;
}

/* cgroup.events says "frozen 1" once every task stopped. */
static int
events_frozen (const char *dir, bool *frozen, struct ocirt_err **err)
{
  cleanup_free char *s = ocirt_cg_read_file (dir, "cgroup.events", err);
  const char *f;

  if (s == NULL)
    return -1;
  f = strstr (s, "frozen ");
  *frozen = f != NULL && f[7] == '1';
  return 0;
}

int
ocirt_cg_v2_freeze (const char *dir, bool frozen, struct ocirt_err **err)
{
  long waited = 0, step = 1;

  if (ocirt_cg_write_file (dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  while (waited < 2000)
    {
      bool now;
      if (events_frozen (dir, &now, err) < 0)
        return -1;
      if (now == frozen)
        return 0;
      ocirt_cg_sleep_ms (step);
      waited += step;
      if (step < 20)
        step *= 2;
    }
  if (frozen)
    {
      cleanup_err struct ocirt_err *e = NULL;
      (void) ocirt_cg_write_file (dir, "cgroup.freeze", "0", &e);
    }
  return ocirt_err_make (err, 0, "cgroup `%s` did not become %s within 2 s", dir, frozen ? "frozen" : "thawed");
}
