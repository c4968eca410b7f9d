/* In-rootfs path resolution through openat2 (see safe-path.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "safe-path.h"

int
ocirt_in_root_open (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  return (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
}

char *
ocirt_path_split (const char *path, const char **base)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    {
      *base = path;
      return xstrdup ("/");
    }
  *base = slash + 1;
  if (slash == path)
    return xstrdup ("/");
  return xstrndup (path, (size_t) (slash - path));
}

/* Paths handed here are cleaned (ocirt_path_clean): absolute, no "." or "..", no trailing "/". */
int
ocirt_in_root_mkdir_p (int rootfd, const char *path, mode_t mode, struct ocirt_err **err)
{
  cleanup_free char *parent = NULL;
  cleanup_close int pfd = -1;
  const char *base;
  int fd;

  fd = ocirt_in_root_open (rootfd, path, O_PATH | O_DIRECTORY, 0);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return ocirt_err_make (err, errno, "open `%s` in the rootfs", path);
  parent = ocirt_path_split (path, &base);
  if (*base == '\0')
    return ocirt_err_make (err, ENOENT, "open `%s` in the rootfs", path);
  pfd = ocirt_in_root_mkdir_p (rootfd, parent, mode, err);
  if (pfd < 0)
    return -1;
  if (mkdirat (pfd, base, mode) < 0 && errno != EEXIST)
    return ocirt_err_make (err, errno, "mkdir `%s` in the rootfs", path);
  /* resolve again from the root: the new entry may be a symlink someone put there meanwhile */
  fd = ocirt_in_root_open (rootfd, path, O_PATH | O_DIRECTORY, 0);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s` in the rootfs", path);
  return fd;
}

int
ocirt_in_root_mount_target (int rootfd, const char *path, bool dir, struct ocirt_err **err)
{
  cleanup_free char *parent = NULL;
  cleanup_close int pfd = -1;
  const char *base;
  int fd;

  if (dir)
    return ocirt_in_root_mkdir_p (rootfd, path, 0755, err);
  fd = ocirt_in_root_open (rootfd, path, O_PATH, 0);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return ocirt_err_make (err, errno, "open `%s` in the rootfs", path);
  parent = ocirt_path_split (path, &base);
  pfd = ocirt_in_root_mkdir_p (rootfd, parent, 0755, err);
  if (pfd < 0)
    return -1;
  fd = openat (pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST)
    return ocirt_err_make (err, errno, "create `%s` in the rootfs", path);
  if (fd >= 0)
    close (fd);
  fd = ocirt_in_root_open (rootfd, path, O_PATH, 0);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s` in the rootfs", path);
  return fd;
}
