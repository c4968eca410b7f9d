/* The rootfs mount: prepare (before the mounts), pivot_root, and the finishing touches. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-plan.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "rootfs.h"

int
ocirt_rootfs_prepare (const char *rootfs, bool in_userns, int *rootfd, struct ocirt_err **err)
{
  /* Slave, not private: the host's new mounts still show up below (as runc), but nothing the
   * container mounts goes back. No mount is shared any more, which pivot_root requires. */
  if (mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return ocirt_err_make (err, errno, "make the mount namespace a recursive slave");
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return ocirt_err_make (err, errno, "bind-mount the rootfs `%s` onto itself%s", rootfs,
                           errno == EACCES && in_userns
                               ? " (in a user namespace the container's root, a mapped host uid, must be able to "
                                 "reach it through every parent directory)"
                               : "");
  *rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*rootfd < 0)
    return ocirt_err_make (err, errno, "open the rootfs `%s`", rootfs);
  return 0;
}

int
ocirt_rootfs_prepare_shared (const char *rootfs, int *rootfd, struct ocirt_err **err)
{
  int e;

  /* Not the container's namespace: the propagation of nothing but this bind changes. Private,
   * so that what the container mounts below shows up in no other namespace. */
  if (mount (rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return ocirt_err_make (err, errno, "bind-mount the rootfs `%s` onto itself", rootfs);
  if (mount (NULL, rootfs, NULL, MS_PRIVATE | MS_REC, NULL) < 0)
    {
      e = errno;
      umount2 (rootfs, MNT_DETACH);
      return ocirt_err_make (err, e, "make the bind of the rootfs `%s` private", rootfs);
    }
  *rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*rootfd < 0)
    return ocirt_err_make (err, errno, "open the rootfs `%s`", rootfs);
  return 0;
}

int
ocirt_rootfs_chroot (int rootfd, struct ocirt_err **err)
{
  if (fchdir (rootfd) < 0)
    return ocirt_err_make (err, errno, "chdir to the rootfs");
  if (chroot (".") < 0)
    return ocirt_err_make (err, errno, "chroot into the rootfs");
  if (chdir ("/") < 0)
    return ocirt_err_make (err, errno, "chdir to / in the container");
  return 0;
}

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U /* Linux 6.8 */
#endif

int
ocirt_mount_id (const char *path, uint64_t *id)
{
  struct statx sx;

  if (statx (AT_FDCWD, path, 0, STATX_MNT_ID | STATX_MNT_ID_UNIQUE, &sx) < 0)
    return -1;
  if ((sx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE)) == 0)
    return errno = ENOTSUP, -1;
  *id = sx.stx_mnt_id;
  return 0;
}

/* On the rootfs: the top mount's id, and with detach, that mount detached unless it is base.
 * 0 or -errno. */
static int
shared_root_op (const char *rootfs, bool detach, uint64_t base, uint64_t *top)
{
  if (ocirt_mount_id (rootfs, top) < 0)
    return -errno;
  if (detach && *top != base && umount2 (rootfs, MNT_DETACH) < 0)
    return -errno;
  return 0;
}

/* shared_root_op here (mntns < 0), or in a child that joins the mount namespace mntns. */
static int
shared_root_op_in (int mntns, const char *rootfs, bool detach, uint64_t base, uint64_t *top)
{
  struct
  {
    int r;
    uint64_t top;
  } res = { -ECHILD, 0 };
  cleanup_close int rd = -1;
  int p[2];
  pid_t pid;

  if (mntns < 0)
    return shared_root_op (rootfs, detach, base, top);
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -errno;
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (p[0]);
      close (p[1]);
      return -e;
    }
  if (pid == 0)
    {
      res.r = setns (mntns, CLONE_NEWNS) < 0 ? -errno : shared_root_op (rootfs, detach, base, &res.top);
      (void) !write (p[1], &res, sizeof res);
      _exit (0);
    }
  close (p[1]);
  rd = p[0];
  if (read (rd, &res, sizeof res) != (ssize_t) sizeof res)
    res.r = -ECHILD;
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  *top = res.top;
  return res.r;
}

int
ocirt_rootfs_base (int mntns, const char *rootfs, uint64_t *base, struct ocirt_err **err)
{
  int r = shared_root_op_in (mntns, rootfs, false, 0, base);

  if (r < 0)
    return ocirt_err_make (err, -r, "find the mount on the rootfs `%s`%s", rootfs,
                           mntns >= 0 ? " in the joined mount namespace" : "");
  return 0;
}

int
ocirt_rootfs_detach_shared (int mntns, const char *rootfs, uint64_t base, struct ocirt_err **err)
{
  uint64_t top;
  int r = shared_root_op_in (mntns, rootfs, true, base, &top);

  if (r == -ENOENT)
    return 0;
  if (r < 0)
    return ocirt_err_make (err, -r, "detach the container's bind of the rootfs `%s`", rootfs);
  return 0;
}

int
ocirt_rootfs_pivot (int rootfd, bool no_pivot, struct ocirt_err **err)
{
  if (fchdir (rootfd) < 0)
    return ocirt_err_make (err, errno, "chdir to the rootfs");
  if (no_pivot)
    {
      /* --no-pivot (rootfs on a ramfs, where pivot_root cannot work): move it over / and chroot.
       * Weaker: a process with CAP_SYS_CHROOT can climb out of a chroot. */
      if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
        return ocirt_err_make (err, errno, "move the rootfs onto / (--no-pivot)");
      if (chroot (".") < 0)
        return ocirt_err_make (err, errno, "chroot into the rootfs (--no-pivot)");
    }
  else
    {
      /* new root and old root on the same directory: the old one ends up stacked on top of the
       * new one, and is detached right away. No directory needs making inside the rootfs. */
      if (syscall (SYS_pivot_root, ".", ".") < 0)
        return ocirt_err_make (err, errno, "pivot_root into the rootfs (--no-pivot works on a ramfs rootfs)");
      if (umount2 (".", MNT_DETACH) < 0)
        return ocirt_err_make (err, errno, "detach the old root");
    }
  if (chdir ("/") < 0)
    return ocirt_err_make (err, errno, "chdir to / in the container");
  return 0;
}

int
ocirt_rootfs_finish (const struct ocirt_spec *spec, struct ocirt_err **err)
{
  const char *prop = spec->has_linux ? spec->linux_.rootfs_propagation : NULL;

  if (prop != NULL && prop[0] != '\0')
    {
      long flags = ocirt_propagation_parse (prop);

      if (flags < 0)
        return ocirt_err_make (err, 0, "linux.rootfsPropagation: unknown value `%s`", prop);
      if (mount (NULL, "/", NULL, (unsigned long) flags, NULL) < 0)
        return ocirt_err_make (err, errno, "set linux.rootfsPropagation `%s` on /", prop);
    }
  if (spec->root_readonly)
    {
      struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };

      if (mount_setattr (AT_FDCWD, "/", 0, &a, sizeof a) < 0)
        return ocirt_err_make (err, errno, "make the rootfs read-only (root.readonly)");
    }
  return 0;
}
