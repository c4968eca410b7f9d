/* process.cwd, entered after pivot_root (CVE-2024-21626). A plain chdir follows magic links: with
 * cwd "/proc/self/fd/N" and N a runtime fd of a host directory, the process would start outside
 * the container. Here the path is resolved inside the root without magic links (safe-path.c),
 * created when missing, entered with fchdir, and the result checked with getcwd, which reports
 * a directory outside the root as unreachable. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/security.h"
#include "src/lib/linux/safe-path.h"

int
ocirt_security_chdir (const char *cwd, struct ocirt_err **err)
{
  cleanup_close int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd = -1;
  char buf[PATH_MAX];
  struct stat st;

  if (cwd == NULL || cwd[0] != '/')
    return ocirt_err_make (err, 0, "process.cwd `%s`: must be an absolute path", cwd ? cwd : "");
  if (rootfd < 0)
    return ocirt_err_make (err, errno, "open the container's root");
  fd = ocirt_in_root_open (rootfd, cwd, O_PATH, 0);
  if (fd < 0 && errno == ENOENT)
    fd = ocirt_in_root_mkdir_p (rootfd, cwd, 0755, err);
  if (fd < 0)
    {
      if (err && *err)
        return ocirt_err_wrap (err, "process.cwd `%s`", cwd);
      if (errno == ELOOP || errno == EXDEV)
        return ocirt_err_make (err, errno, "process.cwd `%s`: resolves through a magic link or out of the container",
                               cwd);
      return ocirt_err_make (err, errno, "process.cwd `%s`: open", cwd);
    }
  if (fstat (fd, &st) < 0)
    return ocirt_err_make (err, errno, "process.cwd `%s`: stat", cwd);
  if (!S_ISDIR (st.st_mode))
    return ocirt_err_make (err, ENOTDIR, "process.cwd `%s`: chdir", cwd);
  if (fchdir (fd) < 0)
    return ocirt_err_make (err, errno, "process.cwd `%s`: chdir", cwd);
  /* Outside the root, getcwd fails with ENOENT or answers "(unreachable)/...". */
  if (getcwd (buf, sizeof buf) == NULL || buf[0] != '/')
    return ocirt_err_make (err, 0, "process.cwd `%s`: the directory is outside the container", cwd);
  return 0;
}
