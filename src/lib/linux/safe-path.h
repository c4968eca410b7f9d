/* Paths inside the container's rootfs, resolved through fds so that no symlink, ".." or magic
 * link in the rootfs can lead outside it: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) with the
 * rootfs as the root. Used for every mount target, device node and cwd made before pivot_root. */
#ifndef OCIRT_LINUX_SAFE_PATH_H
#define OCIRT_LINUX_SAFE_PATH_H

#include <stdbool.h>
#include <sys/types.h>

struct ocirt_err;

/* openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS from rootfd. path may start with "/".
 * Returns the fd, or -1 with errno set (no error object: callers decide what a miss means). */
int ocirt_in_root_open (int rootfd, const char *path, int flags, mode_t mode);

/* mkdir -p of path inside rootfd; returns an O_PATH|O_DIRECTORY fd of the last directory.
 * name is how messages call the path ("mount target", "cwd"). */
int ocirt_in_root_mkdir_p (int rootfd, const char *path, mode_t mode, struct ocirt_err **err);

/* Makes sure path exists inside rootfd as a directory (dir=true) or a regular file (created empty,
 * parents created), and returns an O_PATH fd of it: the thing to mount onto. */
int ocirt_in_root_mount_target (int rootfd, const char *path, bool dir, struct ocirt_err **err);

/* Splits "/a/b/c" into a newly allocated parent ("/a/b") and a pointer to the base name in path. */
char *ocirt_path_split (const char *path, const char **base);

#endif
