/* linux.maskedPaths and linux.readonlyPaths, in the container's mount namespace after
 * pivot_root. Every path is resolved inside the root with openat2(RESOLVE_IN_ROOT) and the mount
 * is made onto that fd with the new mount API, so a symlink swapped in by the container cannot
 * send the mount elsewhere. Paths that do not exist are ignored, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "security-internal.h"
#include "src/lib/linux/safe-path.h"

/* The container's root after pivot_root, opened once for all the paths: lookups from it see every
 * mount made since, as they cross mount points. */
static int
open_root (const char *what, struct ocirt_err **err)
{
  int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (root < 0)
    return ocirt_err_make (err, errno, "%s: open the container's root", what);
  return root;
}

/* O_PATH fd of path inside root, -1 with errno set. */
static int
open_in_root (int root, const char *path, int flags)
{
  return ocirt_in_root_open (root, path, flags | O_PATH, 0);
}

static int
move_onto (int tree, int target, const char *what, const char *path, struct ocirt_err **err)
{
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return ocirt_err_make (err, errno, "%s: mount over `%s`", what, path);
  return 0;
}

static int
readonly_one (int root, const char *path, struct ocirt_err **err)
{
  cleanup_close int target = open_in_root (root, path, 0);
  cleanup_close int tree = -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

  if (target < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ocirt_err_make (err, errno, "linux.readonlyPaths: open `%s`", path);
    }
  /* A read-only copy of the whole subtree at path, stacked on top of it. */
  tree = open_tree (target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (tree < 0)
    return ocirt_err_make (err, errno, "linux.readonlyPaths: bind `%s`", path);
  if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return ocirt_err_make (err, errno, "linux.readonlyPaths: make `%s` read-only", path);
  return move_onto (tree, target, "linux.readonlyPaths", path, err);
}

/* The container's /dev/null, checked to be the real device: a rootfs could ship a regular file
 * there, whose content would then show through every masked file. */
static int
open_dev_null (int root, struct ocirt_err **err)
{
  cleanup_close int fd = open_in_root (root, "/dev/null", O_NOFOLLOW);
  struct stat st;

  if (fd < 0)
    return ocirt_err_make (err, errno, "linux.maskedPaths: open /dev/null in the container");
  if (fstat (fd, &st) < 0)
    return ocirt_err_make (err, errno, "linux.maskedPaths: stat /dev/null");
  if (!S_ISCHR (st.st_mode) || major (st.st_rdev) != 1 || minor (st.st_rdev) != 3)
    return ocirt_err_make (err, 0, "linux.maskedPaths: /dev/null in the container is not the null device");
  return steal_fd (&fd);
}

static int
empty_ro_tmpfs (struct ocirt_err **err)
{
  cleanup_close int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  int mnt;

  if (fs < 0)
    return ocirt_err_make (err, errno, "linux.maskedPaths: fsopen tmpfs");
  if (fsconfig (fs, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return ocirt_err_make (err, errno, "linux.maskedPaths: create an empty tmpfs");
  mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return ocirt_err_make (err, errno, "linux.maskedPaths: fsmount tmpfs");
  return mnt;
}

static int
masked_one (int root, const char *path, int *dev_null, struct ocirt_err **err)
{
  cleanup_close int target = open_in_root (root, path, 0);
  cleanup_close int tree = -1;
  struct stat st;

  if (target < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ocirt_err_make (err, errno, "linux.maskedPaths: open `%s`", path);
    }
  if (fstat (target, &st) < 0)
    return ocirt_err_make (err, errno, "linux.maskedPaths: stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    tree = empty_ro_tmpfs (err);
  else
    {
      if (*dev_null < 0 && (*dev_null = open_dev_null (root, err)) < 0)
        return -1;
      tree = open_tree (*dev_null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
      if (tree < 0)
        return ocirt_err_make (err, errno, "linux.maskedPaths: bind /dev/null for `%s`", path);
    }
  if (tree < 0)
    return -1;
  return move_onto (tree, target, "linux.maskedPaths", path, err);
}

int
ocirt_readonly_paths_apply (char *const *paths, size_t n, struct ocirt_err **err)
{
  cleanup_close int root = -1;
  size_t i;

  if (n > 0 && (root = open_root ("linux.readonlyPaths", err)) < 0)
    return -1;
  for (i = 0; i < n; i++)
    if (readonly_one (root, paths[i], err) < 0)
      return -1;
  return 0;
}

int
ocirt_masked_paths_apply (char *const *paths, size_t n, struct ocirt_err **err)
{
  cleanup_close int root = -1;
  cleanup_close int dev_null = -1;
  size_t i;

  if (n > 0 && (root = open_root ("linux.maskedPaths", err)) < 0)
    return -1;
  for (i = 0; i < n; i++)
    if (masked_one (root, paths[i], &dev_null, err) < 0)
      return -1;
  return 0;
}
