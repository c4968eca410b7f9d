/* The container's filesystem, built by its init inside its new mount namespace:
 * rootfs.c (prepare, pivot_root, finish), mount-apply.c (one mount plan entry), devices.c (/dev).
 *
 * Order (init.c): ocirt_rootfs_prepare -> ocirt_mount_apply for each entry -> ocirt_devices_setup
 * -> ocirt_rootfs_pivot -> [security apply_rootfs] -> ocirt_rootfs_finish. Every path inside the
 * rootfs is resolved from rootfd with safe-path.h, never as a string under the rootfs path. */
#ifndef OCIRT_LINUX_ROOTFS_H
#define OCIRT_LINUX_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ocirt_err;
struct ocirt_spec;
struct ocirt_mount_op;

/* What mount-apply needs besides the entry. */
struct ocirt_mount_ctx
{
  int rootfd;               /* O_PATH of the rootfs (after its self bind mount) */
  bool in_userns;           /* sysfs/mqueue may need the bind fallback; no mknod */
  const char *proc_cgroup;  /* /proc/self/cgroup as read before the cgroup ns was unshared */
  const char *mountinfo;    /* /proc/self/mountinfo (read only when a cgroup mount needs it) */
  const char *mount_label;  /* SELinux context for new mounts, or NULL */
};

/* Makes every mount a recursive slave (nothing propagates back to the host), bind-mounts the
 * rootfs onto itself (pivot_root needs a mount point) and returns an O_PATH fd of it. */
int ocirt_rootfs_prepare (const char *rootfs, bool in_userns, int *rootfd, struct ocirt_err **err);
int ocirt_mount_apply (const struct ocirt_mount_op *op, const struct ocirt_mount_ctx *mc, struct ocirt_err **err);
/* In the runtime, before clone: the idmapped binds, or every bind when `all` (a user namespace,
 * or a joined mount namespace, where our paths may not lead), cloned (open_tree) with their flags and idmap set. The runtime reaches any
 * source and may idmap with any user namespace; the init, maybe root of a user namespace only,
 * just attaches the trees it inherits, and clones the rest itself. */
struct ocirt_mount_plan;
int ocirt_mount_prepare_binds (struct ocirt_mount_plan *plan, bool all, struct ocirt_err **err);
/* Default devices (unless dev_bind), linux.devices, /dev symlinks and /dev/ptmx. */
int ocirt_devices_setup (int rootfd, const struct ocirt_spec *spec, bool default_devices, bool in_userns,
                         struct ocirt_err **err);
/* tmpcopyup: what dir (inside rootfd) holds goes into the detached tmpfs before it covers it. */
int ocirt_copyup (int rootfd, const char *dir, int tmpfs, struct ocirt_err **err);
/* A container without a mount namespace of its own (the runtime's, or one joined by path) whose
 * mounts go into that one: the rootfs bound onto itself there, private (recursively), instead of
 * ocirt_rootfs_prepare (which would make every mount of the namespace a slave); its root is then
 * ocirt_rootfs_chroot's, since pivot_root would move the root of every process in the namespace.
 * The runtime notes the mount that was on the rootfs before (ocirt_rootfs_base) and detaches the
 * bind on top of it when the container goes (ocirt_rootfs_detach_shared). */
int ocirt_rootfs_prepare_shared (const char *rootfs, int *rootfd, struct ocirt_err **err);
int ocirt_rootfs_chroot (int rootfd, struct ocirt_err **err);
/* The id of the (top) mount at path (statx; unique since Linux 6.8). -1 with errno. */
int ocirt_mount_id (const char *path, uint64_t *id);
/* mntns: an fd of the joined mount namespace (a child joins it to look), or -1 for ours. */
int ocirt_rootfs_base (int mntns, const char *rootfs, uint64_t *base, struct ocirt_err **err);
/* Detaches the top mount on rootfs unless it is `base`; a rootfs that is gone is no error. */
int ocirt_rootfs_detach_shared (int mntns, const char *rootfs, uint64_t base, struct ocirt_err **err);
/* pivot_root(".", ".") + umount2(".", MNT_DETACH); no_pivot: MS_MOVE onto / and chroot. */
int ocirt_rootfs_pivot (int rootfd, bool no_pivot, struct ocirt_err **err);
/* After pivot: rootfsPropagation on "/", root.readonly. */
int ocirt_rootfs_finish (const struct ocirt_spec *spec, struct ocirt_err **err);

#endif
