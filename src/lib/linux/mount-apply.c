/* Executes one mount plan entry inside the container's mount namespace, with the new mount API:
 * binds are open_tree clones whose flags are set (mount_setattr) while still detached, new
 * filesystems are fsopen/fsconfig/fsmount; both are attached with move_mount onto an fd of the
 * target resolved inside the rootfs (safe-path.h). mount(2) is left for "remount" and the two
 * superblock flags the new API cannot express (silent, iversion). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount-plan.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"
#include "rootfs.h"
#include "safe-path.h"

static int
setattr (int fd, unsigned flags, uint64_t set, uint64_t clr, uint64_t propagation)
{
  struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = propagation };

  return mount_setattr (fd, "", AT_EMPTY_PATH | flags, &a, sizeof a);
}

/* ro, nosuid, ... on a detached tree: top mount first, then the recursive r* options. */
static int
set_flags (int tree, const struct ocirt_mount_op *op, struct ocirt_err **err)
{
  const struct ocirt_mount_flags *f = &op->f;

  if ((f->attr_set | f->attr_clr) != 0 && setattr (tree, 0, f->attr_set, f->attr_clr, 0) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: set mount flags", op->destination);
  if ((f->rattr_set | f->rattr_clr) != 0 && setattr (tree, AT_RECURSIVE, f->rattr_set, f->rattr_clr, 0) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: set recursive mount flags", op->destination);
  return 0;
}

/* An idmapped mount: the detached tree's ids go through the user namespace the runtime made. */
static int
set_idmap (int tree, const struct ocirt_mount_op *op, struct ocirt_err **err)
{
  struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP };

  if (!op->idmapped)
    return 0;
  a.userns_fd = (uint64_t) op->userns_fd;
  if (mount_setattr (tree, "", AT_EMPTY_PATH | (op->idmap_recursive ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: idmap the mount (does its filesystem support idmapped "
                                       "mounts?)",
                           op->destination);
  return 0;
}

static int
set_propagation (int tree, const struct ocirt_mount_op *op, struct ocirt_err **err)
{
  if (op->f.propagation == 0)
    return 0;
  if (setattr (tree, op->f.propagation_recursive ? AT_RECURSIVE : 0, 0, 0, op->f.propagation) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: set mount propagation", op->destination);
  return 0;
}

static int
attach (int tree, int target, const struct ocirt_mount_op *op, struct ocirt_err **err)
{
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: attach", op->destination);
  return 0;
}

static int
bind_source (const char *source, bool recursive, const struct ocirt_mount_op *op, bool *is_dir,
             struct ocirt_err **err)
{
  struct stat st;
  int tree = open_tree (AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));

  if (tree < 0)
    return ocirt_err_make (err, errno, "mount `%s`: bind source `%s`", op->destination, source);
  if (fstat (tree, &st) < 0)
    {
      int e = errno;
      close (tree);
      return ocirt_err_make (err, e, "mount `%s`: stat bind source `%s`", op->destination, source);
    }
  *is_dir = S_ISDIR (st.st_mode);
  return tree;
}

/* Attaches a detached tree (made here or by the runtime) onto the target, made inside the rootfs. */
static int
attach_tree (int tree, bool is_dir, const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc,
             struct ocirt_err **err)
{
  cleanup_close int target = ocirt_in_root_mount_target (mc->rootfd, op->destination, is_dir, err);

  if (target < 0)
    return ocirt_err_wrap (err, "mount `%s`", op->destination);
  if (attach (tree, target, op, err) < 0)
    return -1;
  return set_propagation (tree, op, err);
}

static int
mount_bind (const struct ocirt_mount_op *op, const char *source, bool recursive, const struct ocirt_mount_ctx *mc,
            struct ocirt_err **err)
{
  cleanup_close int tree = -1;
  bool is_dir;

  tree = bind_source (source, recursive, op, &is_dir, err);
  if (tree < 0 || set_flags (tree, op, err) < 0 || set_idmap (tree, op, err) < 0)
    return -1;
  return attach_tree (tree, is_dir, op, mc, err);
}

static size_t
first_bind (const struct ocirt_mount_plan *plan)
{
  size_t i = 0;

  while (i < plan->n && plan->ops[i].kind != OCIRT_MOUNT_BIND)
    i++;
  return i;
}

int
ocirt_mount_prepare_binds (struct ocirt_mount_plan *plan, bool all, struct ocirt_err **err)
{
  for (size_t i = 0; i < plan->n; i++)
    {
      struct ocirt_mount_op *op = &plan->ops[i];
      int tree;

      if (op->kind != OCIRT_MOUNT_BIND)
        continue;
      /* The init, root over a copy of our mount namespace, clones the others itself, in their
       * turn: a tree cloned here is older than every mount the init makes, and mountinfo (in
       * creation order since Linux 6.8) would list it before them, out of the config's order
       * (runtime-tools' `mounts` program checks that order). */
      if (!all && !op->idmapped)
        continue;
      tree = bind_source (op->source, op->f.recursive, op, &op->source_is_dir, err);
      if (tree < 0 && (*err)->errnum == EPERM && i == first_bind (plan))
        {
          /* an unprivileged (rootless) runtime may not clone mounts: the init clones them in
           * its own user and mount namespaces instead */
          ocirt_err_freep (err);
          return 0;
        }
      if (tree < 0)
        return -1;
      op->tree_fd = tree;
      /* a clone of a shared host mount would be a peer of it: what the container mounts below
       * would show up on the host. A slave, as the rest of the container's tree. */
      if (setattr (tree, AT_RECURSIVE, 0, 0, MS_SLAVE) < 0)
        return ocirt_err_make (err, errno, "mount `%s`: make the bind a slave", op->destination);
      if (set_flags (tree, op, err) < 0 || set_idmap (tree, op, err) < 0)
        return -1;
    }
  return 0;
}

/* The kernel's own words about a failed fsconfig (read from the fs context), or NULL. */
static char *
fs_context_message (int fsfd)
{
  char buf[512];
  ssize_t n = read (fsfd, buf, sizeof buf - 1);

  if (n <= 2)
    return NULL;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return xstrdup (buf + 2); /* "e msg", "w msg", "i msg" */
}

static int
fs_error (int fsfd, int errnum, const struct ocirt_mount_op *op, const char *what, struct ocirt_err **err)
{
  cleanup_free char *msg = fs_context_message (fsfd);

  if (msg != NULL)
    return ocirt_err_make (err, errnum, "mount `%s` (type %s): %s: %s", op->destination, op->type, what, msg);
  return ocirt_err_make (err, errnum, "mount `%s` (type %s): %s", op->destination, op->type, what);
}

/* A new superblock of op->type with its options, as a detached mount. -1: *err set, or errno
 * EPERM left with *err unset when fallback_eperm (so the caller can bind instead). */
static int
new_fs (const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc, bool fallback_eperm, struct ocirt_err **err)
{
  cleanup_close int fsfd = fsopen (op->type, FSOPEN_CLOEXEC);
  cleanup_strv char **data = ocirt_mount_data_split (op->f.data);
  const char *sb[8];
  size_t nsb = ocirt_mount_sb_flag_names (op->f.ms_flags, sb);
  uint64_t attrs;
  int mfd;

  if (fsfd < 0 && errno == ENODEV)
    return ocirt_err_make (err, 0, "mount `%s`: unknown filesystem type `%s` (not in /proc/filesystems)",
                           op->destination, op->type);
  if (fsfd < 0)
    return ocirt_err_make (err, errno, "mount `%s`: open a `%s` filesystem context", op->destination, op->type);
  if (op->source != NULL && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", op->source, 0) < 0)
    return fs_error (fsfd, errno, op, "source", err);
  for (size_t i = 0; i < nsb; i++)
    if (fsconfig (fsfd, FSCONFIG_SET_FLAG, sb[i], NULL, 0) < 0)
      return fs_error (fsfd, errno, op, sb[i], err);
  for (size_t i = 0; data[i] != NULL; i++)
    {
      char *eq = strchr (data[i], '=');
      int r;

      if (eq != NULL)
        {
          *eq = '\0';
          r = fsconfig (fsfd, FSCONFIG_SET_STRING, data[i], eq + 1, 0);
          *eq = '=';
        }
      else
        r = fsconfig (fsfd, FSCONFIG_SET_FLAG, data[i], NULL, 0);
      if (r < 0)
        return fs_error (fsfd, errno, op, data[i], err);
    }
  if (mc->mount_label != NULL && fsconfig (fsfd, FSCONFIG_SET_STRING, "context", mc->mount_label, 0) < 0)
    return fs_error (fsfd, errno, op, "context (linux.mountLabel)", err);
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      if (errno == EPERM && fallback_eperm)
        return -1;
      return fs_error (fsfd, errno, op, "create", err);
    }
  /* a fresh mount has no submounts: the r* options mean the same as the plain ones */
  attrs = (op->f.attr_set | op->f.rattr_set) & ~(uint64_t) MOUNT_ATTR__ATIME;
  if (op->f.attr_clr & MOUNT_ATTR__ATIME)
    attrs |= op->f.attr_set & MOUNT_ATTR__ATIME;
  else
    attrs |= op->f.rattr_set & MOUNT_ATTR__ATIME;
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned) attrs);
  if (mfd < 0)
    return fs_error (fsfd, errno, op, "fsmount", err);
  return mfd;
}

/* In a user namespace sysfs and mqueue cannot be mounted fresh unless the container owns the
 * network / ipc namespace: bind the runtime's instead, as runc does. */
static const char *
eperm_fallback_source (const char *type)
{
  if (strcmp (type, "sysfs") == 0)
    return "/sys";
  if (strcmp (type, "mqueue") == 0)
    return "/dev/mqueue";
  return NULL;
}

static int
mount_fs (const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc, struct ocirt_err **err)
{
  const char *fallback = mc->in_userns ? eperm_fallback_source (op->type) : NULL;
  cleanup_close int mfd = new_fs (op, mc, fallback != NULL, err);
  cleanup_close int target = -1;

  if (mfd < 0 && *err == NULL && fallback != NULL)
    {
      if (mount_bind (op, fallback, true, mc, err) < 0)
        return ocirt_err_wrap (err, "a new %s is not permitted in this user namespace (its %s namespace is not "
                                    "the container's), so the runtime's `%s` is bound instead",
                               op->type, strcmp (op->type, "sysfs") == 0 ? "network" : "ipc", fallback);
      return 0;
    }
  if (mfd < 0 || set_idmap (mfd, op, err) < 0)
    return -1;
  if (op->f.tmpcopyup && ocirt_copyup (mc->rootfd, op->destination, mfd, err) < 0)
    return ocirt_err_wrap (err, "mount `%s`", op->destination);
  target = ocirt_in_root_mount_target (mc->rootfd, op->destination, true, err);
  if (target < 0)
    return ocirt_err_wrap (err, "mount `%s`", op->destination);
  if (attach (mfd, target, op, err) < 0)
    return -1;
  return set_propagation (mfd, op, err);
}

/* mount(2) onto the target through its /proc/self/fd magic link (resolved safely, so the
 * string path is never walked inside the rootfs). */
static int
mount_legacy (const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc, struct ocirt_err **err)
{
  cleanup_close int target = -1;
  unsigned long flags = op->f.ms_flags;
  bool is_dir = true;
  char path[64];
  struct stat st;

  if (op->f.bind)
    {
      flags |= MS_BIND | (op->f.recursive ? MS_REC : 0);
      if (op->source != NULL && stat (op->source, &st) == 0)
        is_dir = S_ISDIR (st.st_mode);
    }
  if (op->f.remount)
    flags |= MS_REMOUNT;
  target = op->f.remount ? ocirt_in_root_open (mc->rootfd, op->destination, O_PATH, 0)
                         : ocirt_in_root_mount_target (mc->rootfd, op->destination, is_dir, err);
  if (target < 0 && *err == NULL)
    return ocirt_err_make (err, errno, "mount `%s`: remount target", op->destination);
  if (target < 0)
    return ocirt_err_wrap (err, "mount `%s`", op->destination);
  snprintf (path, sizeof path, "/proc/self/fd/%d", target);
  if (mount (op->source, path, op->type, flags, op->f.data) < 0)
    return ocirt_err_make (err, errno, "mount `%s`%s%s%s", op->destination, op->type ? " (type " : "",
                           op->type ? op->type : "", op->type ? ")" : "");
  if (op->f.propagation != 0
      && mount (NULL, path, NULL, op->f.propagation | (op->f.propagation_recursive ? MS_REC : 0), NULL) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: set mount propagation", op->destination);
  return 0;
}

/* One hierarchy under the cgroup tmpfs: its directory, the co-mount symlinks, the bind. */
static int
cgroup_hierarchy (int tmpfs, const struct ocirt_cgroup_bind *b, const struct ocirt_mount_op *op,
                  struct ocirt_err **err)
{
  cleanup_close int tree = -1;
  cleanup_close int dir = -1;
  bool is_dir;

  if (mkdirat (tmpfs, b->name, 0755) < 0 && errno != EEXIST)
    return ocirt_err_make (err, errno, "mount `%s`: mkdir `%s`", op->destination, b->name);
  for (char **l = b->links; *l != NULL; l++)
    if (symlinkat (b->name, tmpfs, *l) < 0 && errno != EEXIST)
      return ocirt_err_make (err, errno, "mount `%s`: symlink `%s`", op->destination, *l);
  tree = bind_source (b->source, false, op, &is_dir, err);
  if (tree < 0 || set_flags (tree, op, err) < 0)
    return -1;
  dir = openat (tmpfs, b->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return ocirt_err_make (err, errno, "mount `%s`: open `%s`", op->destination, b->name);
  return attach (tree, dir, op, err);
}

/* v1 or hybrid host: a tmpfs at the destination holding every hierarchy; read-only once full. */
static int
cgroup_tmpfs (const struct ocirt_cgroup_bind *binds, size_t n, const struct ocirt_mount_op *op,
              const struct ocirt_mount_ctx *mc, struct ocirt_err **err)
{
  struct ocirt_mount_op tmp = *op;
  cleanup_close int tmpfs = -1;
  cleanup_close int target = -1;

  memset (&tmp.f, 0, sizeof tmp.f);
  tmp.f.attr_set = op->f.attr_set & ~(uint64_t) MOUNT_ATTR_RDONLY;
  tmp.f.data = (char *) "mode=755";
  tmp.type = (char *) "tmpfs";
  tmp.source = (char *) "tmpfs";
  tmpfs = new_fs (&tmp, mc, false, err);
  if (tmpfs < 0)
    return -1;
  target = ocirt_in_root_mount_target (mc->rootfd, op->destination, true, err);
  if (target < 0 || attach (tmpfs, target, op, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (cgroup_hierarchy (tmpfs, &binds[i], op, err) < 0)
      return -1;
  if ((op->f.attr_set & MOUNT_ATTR_RDONLY) && setattr (tmpfs, 0, MOUNT_ATTR_RDONLY, 0, 0) < 0)
    return ocirt_err_make (err, errno, "mount `%s`: make read-only", op->destination);
  return set_propagation (tmpfs, op, err);
}

/* type cgroup/cgroup2: the container's own cgroup directories, bound from the host's hierarchies
 * (so no hierarchy needs mounting from inside a user namespace), as runc shows them: on a v1 or
 * hybrid host a tmpfs with one directory per hierarchy plus symlinks for co-mounted controllers;
 * on a v2-only host the one bind goes straight to the destination. The entry's flags (ro, nosuid,
 * ...) go to every bind. */
static int
mount_cgroup (const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc, struct ocirt_err **err)
{
  struct ocirt_cgroup_bind *binds = NULL;
  size_t n = 0;
  int ret;

  if (ocirt_cgroup_binds_plan (mc->proc_cgroup, mc->mountinfo, &binds, &n, err) < 0)
    return ocirt_err_wrap (err, "mount `%s`", op->destination);
  if (n == 1 && binds[0].name[0] == '\0')
    ret = mount_bind (op, binds[0].source, false, mc, err);
  else
    ret = cgroup_tmpfs (binds, n, op, mc, err);
  ocirt_cgroup_binds_free (binds, n);
  return ret;
}

int
ocirt_mount_apply (const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc, struct ocirt_err **err)
{
  switch (op->kind)
    {
    case OCIRT_MOUNT_BIND:
      if (op->tree_fd >= 0)
        {
          int r = attach_tree (op->tree_fd, op->source_is_dir, op, mc, err);
          close (op->tree_fd); /* this process' copy; the runtime closes its own */
          return r;
        }
      return mount_bind (op, op->source, op->f.recursive, mc, err);
    case OCIRT_MOUNT_FS:
      return mount_fs (op, mc, err);
    case OCIRT_MOUNT_CGROUP:
      return mount_cgroup (op, mc, err);
    case OCIRT_MOUNT_LEGACY:
      return mount_legacy (op, mc, err);
    }
  return ocirt_err_make (err, 0, "mount `%s`: unknown mount kind", op->destination);
}
