/* Namespace plan and its application (see ns.h for who does what). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ns.h"
#include "ocirt/fdio.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static enum ocirt_ns_type
ns_type_of_flag (int flag)
{
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    if (ocirt_ns_clone_flag ((enum ocirt_ns_type) t) == flag)
      return (enum ocirt_ns_type) t;
  return OCIRT_NS__COUNT;
}

#define NS_FLAG(t) ((uint64_t) ocirt_ns_clone_flag (t))
#define NS_NAME(t) ocirt_ns_type_name ((enum ocirt_ns_type) (t))

/* Joined in the parent before clone: everything but user (the parent could not come back) and
 * mount (the parent must keep seeing the host's paths). */
static bool
joined_by_parent (enum ocirt_ns_type t)
{
  return t != OCIRT_NS_USER && t != OCIRT_NS_MOUNT;
}

int
ocirt_ns_plan_build (const struct ocirt_spec *spec, struct ocirt_ns_plan *p, struct ocirt_err **err)
{
  const struct ocirt_linux *l = &spec->linux_;

  memset (p, 0, sizeof *p);
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    p->ns[t].fd = p->ns[t].restore = -1;
  if (!spec->has_linux)
    return 0;

  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      const struct ocirt_namespace *n = &l->namespaces[i];
      struct ocirt_ns_entry *e;

      if ((unsigned) n->type >= OCIRT_NS__COUNT)
        return ocirt_err_make (err, 0, "linux.namespaces: unknown namespace type at line %u", n->line);
      e = &p->ns[n->type];
      if (e->present)
        return ocirt_err_make (err, 0, "linux.namespaces: duplicate namespace type `%s` at line %u",
                               NS_NAME (n->type), n->line);
      if (n->path != NULL && n->path[0] != '/')
        return ocirt_err_make (err, 0, "linux.namespaces: %s namespace path `%s` is not absolute",
                               NS_NAME (n->type), n->path);
      e->present = true;
      e->path = n->path;
    }

  p->new_user = p->ns[OCIRT_NS_USER].present && p->ns[OCIRT_NS_USER].path == NULL;
  p->join_user = p->ns[OCIRT_NS_USER].present && p->ns[OCIRT_NS_USER].path != NULL;
  p->new_mount = p->ns[OCIRT_NS_MOUNT].present && p->ns[OCIRT_NS_MOUNT].path == NULL;
  p->join_mount = p->ns[OCIRT_NS_MOUNT].present && p->ns[OCIRT_NS_MOUNT].path != NULL;
  p->new_cgroup = p->ns[OCIRT_NS_CGROUP].present && p->ns[OCIRT_NS_CGROUP].path == NULL;
  p->new_time = p->ns[OCIRT_NS_TIME].present && p->ns[OCIRT_NS_TIME].path == NULL;

  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    {
      if (!p->ns[t].present || p->ns[t].path != NULL || t == OCIRT_NS_CGROUP || t == OCIRT_NS_TIME)
        continue;
      if (p->join_user && t != OCIRT_NS_USER)
        p->unshare_flags |= NS_FLAG (t);
      else
        p->clone_flags |= NS_FLAG (t);
    }
  p->fork_for_pid = (p->unshare_flags & CLONE_NEWPID) != 0;
  p->unshare_flags &= ~(uint64_t) CLONE_NEWPID; /* made by the fork, after unshare(CLONE_NEWPID) */
  if (p->fork_for_pid)
    p->unshare_flags |= CLONE_NEWPID;

  if (p->new_user && (l->n_uid_mappings == 0 || l->n_gid_mappings == 0))
    return ocirt_err_make (err, 0, "linux.namespaces: a new user namespace needs linux.uidMappings and "
                                   "linux.gidMappings");
  if (!p->new_user && (l->n_uid_mappings > 0 || l->n_gid_mappings > 0))
    return ocirt_err_make (err, 0, "linux.uidMappings/gidMappings are set but the config makes no new user "
                                   "namespace");
  if (l->has_time_offsets && !p->new_time)
    return ocirt_err_make (err, 0, "linux.timeOffsets needs a new time namespace (\"time\" without a path in "
                                   "linux.namespaces)");
  return 0;
}

static int
open_one (struct ocirt_ns_entry *e, enum ocirt_ns_type t, struct ocirt_err **err)
{
  int type;

  e->fd = open (e->path, O_RDONLY | O_CLOEXEC);
  if (e->fd < 0)
    return ocirt_err_make (err, errno, "open %s namespace path `%s`", NS_NAME (t), e->path);
  type = ioctl (e->fd, NS_GET_NSTYPE);
  if (type < 0)
    return ocirt_err_make (err, errno == ENOTTY ? 0 : errno, "%s namespace path `%s` is not a namespace file",
                           NS_NAME (t), e->path);
  if (type != ocirt_ns_clone_flag (t))
    {
      enum ocirt_ns_type other = ns_type_of_flag (type);
      return ocirt_err_make (err, 0, "namespace path `%s` is a %s namespace, not the %s namespace the config "
                                     "asks for",
                             e->path, other < OCIRT_NS__COUNT ? NS_NAME (other) : "unknown",
                             NS_NAME (t));
    }
  return 0;
}

int
ocirt_ns_open (struct ocirt_ns_plan *p, struct ocirt_err **err)
{
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    if (p->ns[t].present && p->ns[t].path != NULL && p->ns[t].fd < 0
        && open_one (&p->ns[t], (enum ocirt_ns_type) t, err) < 0)
      return -1;
  return 0;
}

void
ocirt_ns_plan_close (struct ocirt_ns_plan *p)
{
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    {
      if (p->ns[t].fd >= 0)
        close (p->ns[t].fd);
      if (p->ns[t].restore >= 0)
        close (p->ns[t].restore);
      p->ns[t].fd = p->ns[t].restore = -1;
    }
}

char *
ocirt_ns_time_offsets_text (const struct ocirt_linux *l)
{
  char *mono = l->has_monotonic ? xfmt ("monotonic %lld %u\n", (long long) l->monotonic_secs, l->monotonic_nsecs)
                                : xstrdup ("");
  char *boot = l->has_boottime ? xfmt ("boottime %lld %u\n", (long long) l->boottime_secs, l->boottime_nsecs)
                               : xstrdup ("");
  char *s = xfmt ("%s%s", mono, boot);

  free (mono);
  free (boot);
  return s;
}

static int
save_own (struct ocirt_ns_entry *e, enum ocirt_ns_type t, struct ocirt_err **err)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/self/ns/%s", ocirt_ns_proc_name (t));
  e->restore = open (path, O_RDONLY | O_CLOEXEC);
  if (e->restore < 0)
    return ocirt_err_make (err, errno, "open `%s`", path);
  return 0;
}

int
ocirt_ns_parent_enter (struct ocirt_ns_plan *p, const struct ocirt_spec *spec, struct ocirt_err **err)
{
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    {
      struct ocirt_ns_entry *e = &p->ns[t];

      if (!e->present || e->path == NULL || !joined_by_parent ((enum ocirt_ns_type) t))
        continue;
      if (save_own (e, (enum ocirt_ns_type) t, err) < 0)
        return -1;
      if (setns (e->fd, (int) NS_FLAG (t)) < 0)
        return ocirt_err_make (err, errno, "join %s namespace `%s`", NS_NAME (t),
                               e->path);
    }
  if (p->new_time)
    {
      cleanup_free char *offsets = NULL;

      if (save_own (&p->ns[OCIRT_NS_TIME], OCIRT_NS_TIME, err) < 0)
        return -1;
      if (unshare (CLONE_NEWTIME) < 0)
        return ocirt_err_make (err, errno, "unshare the time namespace");
      offsets = ocirt_ns_time_offsets_text (&spec->linux_);
      if (offsets[0] != '\0' && ocirt_write_file ("/proc/self/timens_offsets", offsets, err) < 0)
        return ocirt_err_wrap (err, "set linux.timeOffsets");
    }
  return 0;
}

int
ocirt_ns_parent_leave (struct ocirt_ns_plan *p, struct ocirt_err **err)
{
  int ret = 0;

  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    {
      struct ocirt_ns_entry *e = &p->ns[t];

      if (e->restore < 0)
        continue;
      if (setns (e->restore, (int) NS_FLAG (t)) < 0 && ret == 0)
        ret = ocirt_err_make (err, errno, "go back to the runtime's %s namespace",
                              NS_NAME (t));
      close (e->restore);
      e->restore = -1;
    }
  return ret;
}

/* In a user namespace the init is still the host's uid 0, which the namespace may not map: become
 * the namespace's root so that files it creates get a mapped owner. */
static int
become_ns_root (struct ocirt_err **err)
{
  if (setresgid (0, 0, 0) < 0)
    return ocirt_err_make (err, errno, "setresgid(0) in the user namespace (is container gid 0 mapped?)");
  if (setgroups (0, NULL) < 0 && errno != EPERM)
    return ocirt_err_make (err, errno, "setgroups in the user namespace");
  if (setresuid (0, 0, 0) < 0)
    return ocirt_err_make (err, errno, "setresuid(0) in the user namespace (is container uid 0 mapped?)");
  return 0;
}

int
ocirt_ns_child_enter (const struct ocirt_ns_plan *p, struct ocirt_err **err)
{
  if (p->join_user && setns (p->ns[OCIRT_NS_USER].fd, CLONE_NEWUSER) < 0)
    return ocirt_err_make (err, errno, "join user namespace `%s`", p->ns[OCIRT_NS_USER].path);
  if ((p->new_user || p->join_user) && become_ns_root (err) < 0)
    return -1;
  if (p->join_mount && setns (p->ns[OCIRT_NS_MOUNT].fd, CLONE_NEWNS) < 0)
    return ocirt_err_make (err, errno, "join mount namespace `%s`", p->ns[OCIRT_NS_MOUNT].path);
  if (p->unshare_flags != 0 && unshare ((int) p->unshare_flags) < 0)
    return ocirt_err_make (err, errno, "unshare the new namespaces in the joined user namespace");
  return 0;
}
