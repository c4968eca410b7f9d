/* /dev in the container: the spec's default devices, linux.devices, and the runtime-linux.md
 * symlinks. Nodes are made with mknod, or, in a user namespace (where mknod is refused), bind
 * mounted from the host's node of the same path, as runc does. Runs before pivot_root (the host's
 * nodes are still reachable) with every path resolved inside the rootfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount-plan.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "rootfs.h"
#include "safe-path.h"

static const struct ocirt_device default_devices[] = {
  { .type = 'c', .path = (char *) "/dev/null", .major = 1, .minor = 3, .has_file_mode = true, .file_mode = 0666 },
  { .type = 'c', .path = (char *) "/dev/zero", .major = 1, .minor = 5, .has_file_mode = true, .file_mode = 0666 },
  { .type = 'c', .path = (char *) "/dev/full", .major = 1, .minor = 7, .has_file_mode = true, .file_mode = 0666 },
  { .type = 'c', .path = (char *) "/dev/random", .major = 1, .minor = 8, .has_file_mode = true, .file_mode = 0666 },
  { .type = 'c', .path = (char *) "/dev/urandom", .major = 1, .minor = 9, .has_file_mode = true, .file_mode = 0666 },
  { .type = 'c', .path = (char *) "/dev/tty", .major = 5, .minor = 0, .has_file_mode = true, .file_mode = 0666 },
};

static mode_t
node_type (char t)
{
  switch (t)
    {
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default: /* 'c', 'u' */
      return S_IFCHR;
    }
}

/* An existing file at the device's path must be that very device (the spec's MUST). */
static int
check_existing (int pfd, const char *base, const struct ocirt_device *d, const char *path, struct ocirt_err **err)
{
  struct stat st;
  mode_t want = node_type (d->type);

  if (fstatat (pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return ocirt_err_make (err, errno, "device `%s`: stat the existing file", path);
  if ((st.st_mode & S_IFMT) != want
      || (want != S_IFIFO && st.st_rdev != makedev ((unsigned) d->major, (unsigned) d->minor)))
    return ocirt_err_make (err, 0, "device `%s`: a file that is not the requested device (%c %lld:%lld) is "
                                   "already there",
                           path, d->type, (long long) d->major, (long long) d->minor);
  return 0;
}

static int
bind_host_node (int pfd, const char *base, const char *path, struct ocirt_err **err)
{
  cleanup_close int tree = -1;
  cleanup_close int target = -1;
  int fd = openat (pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);

  if (fd < 0 && errno != EEXIST)
    return ocirt_err_make (err, errno, "device `%s`: create the bind target", path);
  if (fd >= 0)
    close (fd);
  target = openat (pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return ocirt_err_make (err, errno, "device `%s`: open the bind target", path);
  tree = open_tree (AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0)
    return ocirt_err_make (err, errno, "device `%s`: the host's node to bind (no mknod in a user namespace)", path);
  if (move_mount (tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return ocirt_err_make (err, errno, "device `%s`: bind the host's node", path);
  return 0;
}

/* Called with umask 0 (ocirt_devices_setup), so a new node has its mode exactly. owned_by_root:
 * a new node in pfd gets 0:0 (the init is root in its user ns, and pfd is not setgid). */
static int
make_node (int pfd, const char *base, const struct ocirt_device *d, const char *path, bool owned_by_root,
           struct ocirt_err **err)
{
  mode_t mode = (d->has_file_mode ? d->file_mode : 0666) & 07777;
  uid_t uid = d->has_uid ? d->uid : 0;
  gid_t gid = d->has_gid ? d->gid : 0;

  if (mknodat (pfd, base, node_type (d->type) | mode, makedev ((unsigned) d->major, (unsigned) d->minor)) == 0)
    {
      if (owned_by_root && uid == 0 && gid == 0)
        return 0;
    }
  else
    {
      if (errno != EEXIST)
        return ocirt_err_make (err, errno, "device `%s`: mknod", path);
      if (check_existing (pfd, base, d, path, err) < 0)
        return -1;
      /* an existing node keeps its own mode: set it exactly */
      if (fchmodat (pfd, base, mode, 0) < 0)
        return ocirt_err_make (err, errno, "device `%s`: chmod", path);
    }
  if (fchownat (pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return ocirt_err_make (err, errno, "device `%s`: chown", path);
  return 0;
}

/* A default device, in /dev (already open): no path to resolve. */
static int
create_default_device (int dev, bool dev_setgid, const struct ocirt_device *d, bool in_userns, struct ocirt_err **err)
{
  const char *base = d->path + strlen ("/dev/");

  if (in_userns)
    return bind_host_node (dev, base, d->path, err);
  return make_node (dev, base, d, d->path, !dev_setgid, err);
}

static int
create_device (int rootfd, const struct ocirt_device *d, bool in_userns, struct ocirt_err **err)
{
  cleanup_free char *path = ocirt_path_clean (d->path);
  cleanup_free char *parent = NULL;
  cleanup_close int pfd = -1;
  const char *base;

  parent = ocirt_path_split (path, &base);
  if (*base == '\0')
    return ocirt_err_make (err, 0, "device path `%s` names no file", d->path);
  pfd = ocirt_in_root_mkdir_p (rootfd, parent, 0755, err);
  if (pfd < 0)
    return ocirt_err_wrap (err, "device `%s`", path);
  if (in_userns && d->type != 'p')
    return bind_host_node (pfd, base, path, err);
  return make_node (pfd, base, d, path, false, err);
}

static int
dev_symlinks (int dev, struct ocirt_err **err)
{
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" },
    { "/proc/self/fd/0", "stdin" },
    { "/proc/self/fd/1", "stdout" },
    { "/proc/self/fd/2", "stderr" },
  };

  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat (links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
      return ocirt_err_make (err, errno, "symlink /dev/%s", links[i][1]);
  /* /dev/ptmx is the container's own devpts' multiplexer */
  if (unlinkat (dev, "ptmx", 0) < 0 && errno != ENOENT)
    return ocirt_err_make (err, errno, "remove /dev/ptmx");
  if (symlinkat ("pts/ptmx", dev, "ptmx") < 0)
    return ocirt_err_make (err, errno, "symlink /dev/ptmx");
  return 0;
}

static int
default_devices_setup (int rootfd, bool in_userns, struct ocirt_err **err)
{
  cleanup_close int dev = ocirt_in_root_mkdir_p (rootfd, "/dev", 0755, err);
  struct stat st;

  if (dev < 0)
    return -1;
  if (fstat (dev, &st) < 0)
    return ocirt_err_make (err, errno, "stat /dev");
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    if (create_default_device (dev, (st.st_mode & S_ISGID) != 0, &default_devices[i], in_userns, err) < 0)
      return -1;
  return dev_symlinks (dev, err);
}

int
ocirt_devices_setup (int rootfd, const struct ocirt_spec *spec, bool default_devs, bool in_userns,
                     struct ocirt_err **err)
{
  /* nodes get the modes asked for, whatever the caller's umask */
  mode_t old = umask (0);
  int r = 0;

  if (default_devs)
    r = default_devices_setup (rootfd, in_userns, err);
  if (r == 0 && spec->has_linux)
    for (size_t i = 0; i < spec->linux_.n_devices && r == 0; i++)
      r = create_device (rootfd, &spec->linux_.devices[i], in_userns, err);
  umask (old);
  return r;
}
