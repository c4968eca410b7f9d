/* The rootfs mount: prepare (before the mounts), pivot_root, and the finishing touches. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount-plan.h"
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
