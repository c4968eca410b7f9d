/* tmpcopyup: a new tmpfs gets what the directory it covers held (files, directories, symlinks,
 * device nodes and fifos, with their mode, owner and times), before it is attached. Both sides are
 * fds: the source directory was resolved inside the rootfs, the destination is the detached
 * tmpfs, so nothing here walks a path string. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "rootfs.h"
#include "safe-path.h"

static int copy_dir (int src, int dst, const char *shown, struct ocirt_err **err);

static int
copy_file (int src, int dst, const char *name, const struct stat *st, struct ocirt_err **err)
{
  cleanup_close int in = openat (src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = -1;
  off_t left = st->st_size;

  if (in < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: open `%s`", name);
  out = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: create `%s`", name);
  while (left > 0)
    {
      ssize_t n = sendfile (out, in, NULL, (size_t) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return ocirt_err_make (err, n < 0 ? errno : EIO, "tmpcopyup: copy `%s`", name);
      left -= n;
    }
  return 0;
}

static int
copy_symlink (int src, int dst, const char *name, const struct stat *st, struct ocirt_err **err)
{
  size_t cap = (size_t) st->st_size + 1;
  cleanup_free char *target = malloc (cap > 1 ? cap : 4096);
  ssize_t n;

  if (target == NULL)
    abort ();
  n = readlinkat (src, name, target, cap > 1 ? cap : 4096);
  if (n < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: readlink `%s`", name);
  target[n] = '\0';
  if (symlinkat (target, dst, name) < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: symlink `%s`", name);
  return 0;
}

/* Owner, mode (past the umask) and times of what was just made. */
static int
copy_attrs (int dst, const char *name, const struct stat *st, struct ocirt_err **err)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };

  /* EINVAL: an owner the container's user namespace does not map; the copy stays its root's */
  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
    return ocirt_err_make (err, errno, "tmpcopyup: chown `%s`", name);
  if (!S_ISLNK (st->st_mode) && fchmodat (dst, name, st->st_mode & 07777, 0) < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: chmod `%s`", name);
  if (utimensat (dst, name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: times of `%s`", name);
  return 0;
}

static int
copy_entry (int src, int dst, const char *name, struct ocirt_err **err)
{
  struct stat st;
  int r;

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: stat `%s`", name);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFREG:
      r = copy_file (src, dst, name, &st, err);
      break;
    case S_IFLNK:
      r = copy_symlink (src, dst, name, &st, err);
      break;
    case S_IFDIR:
      {
        cleanup_close int s = -1;
        cleanup_close int d = -1;

        if (mkdirat (dst, name, 0700) < 0)
          return ocirt_err_make (err, errno, "tmpcopyup: mkdir `%s`", name);
        s = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        d = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
          return ocirt_err_make (err, errno, "tmpcopyup: open directory `%s`", name);
        r = copy_dir (s, d, name, err);
        break;
      }
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
      r = mknodat (dst, name, st.st_mode, st.st_rdev);
      if (r < 0)
        return ocirt_err_make (err, errno, "tmpcopyup: mknod `%s`", name);
      break;
    default:
      return 0; /* sockets: nothing to copy */
    }
  if (r < 0)
    return -1;
  return copy_attrs (dst, name, &st, err);
}

static int
copy_dir (int src, int dst, const char *shown, struct ocirt_err **err)
{
  int fd = dup (src);
  cleanup_closedir DIR *d = NULL;
  struct dirent *de;

  if (fd < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: dup");
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return ocirt_err_make (err, errno, "tmpcopyup: read `%s`", shown);
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (src, dst, de->d_name, err) < 0)
        return -1;
    }
  if (errno != 0)
    return ocirt_err_make (err, errno, "tmpcopyup: read `%s`", shown);
  return 0;
}

int
ocirt_copyup (int rootfd, const char *dir, int tmpfs, struct ocirt_err **err)
{
  cleanup_close int src = -1;
  cleanup_close int dst = openat (tmpfs, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat st;

  if (dst < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: open the new tmpfs of `%s`", dir);
  src = ocirt_in_root_open (rootfd, dir, O_RDONLY | O_DIRECTORY, 0);
  if (src < 0 && errno == ENOENT)
    return 0; /* nothing there yet: nothing to copy */
  if (src < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: open `%s` in the rootfs", dir);
  if (fstat (src, &st) < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: stat `%s`", dir);
  /* the tmpfs root takes the covered directory's mode and owner, as runc */
  if ((fchown (dst, st.st_uid, st.st_gid) < 0 && errno != EINVAL) || fchmod (dst, st.st_mode & 07777) < 0)
    return ocirt_err_make (err, errno, "tmpcopyup: owner and mode of `%s`", dir);
  return copy_dir (src, dst, dir, err);
}
