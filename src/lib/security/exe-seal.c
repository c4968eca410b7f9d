/* CVE-2019-5736 defence: run the runtime from a sealed memfd copy of its binary, so that nothing a
 * container reaches through /proc/PID/exe (a runtime process in its namespaces, or itself after
 * executing /proc/self/exe through a "#!/proc/self/exe" script or a link) is the host's file. A
 * write to the memfd fails (F_SEAL_WRITE), and the host binary is never mapped by a process the
 * container can see. The copy costs one memfd of the binary's size per runtime process, for as
 * long as it lives. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/security.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define OCIRT_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool
is_sealed_fd (int fd)
{
  int seals = fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & OCIRT_SEALS) == OCIRT_SEALS;
}

bool
ocirt_exe_is_sealed (void)
{
  cleanup_close int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);

  return fd >= 0 && is_sealed_fd (fd);
}

/* No copy is needed when the binary cannot be written through any handle the container could
 * get: it already is a sealed memfd (we were re-executed), or it sits on a read-only mount, where
 * reopening /proc/PID/exe for writing fails with EROFS whoever asks. */
static bool
exe_is_safe (int fd)
{
  struct statvfs sv;

  return is_sealed_fd (fd) || (fstatvfs (fd, &sv) == 0 && (sv.f_flag & ST_RDONLY));
}

static int
sealed_copy (int src, struct ocirt_err **err)
{
  cleanup_close int mfd = -1;
  struct stat st;
  off_t off = 0;

  if (fstat (src, &st) < 0)
    return ocirt_err_make (err, errno, "stat /proc/self/exe");
  /* MFD_EXEC: with vm.memfd_noexec set, a memfd is not executable without it (Linux >= 6.3). */
  mfd = memfd_create ("ocirt", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("ocirt", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return ocirt_err_make (err, errno, "memfd_create for the sealed runtime binary");
  while (off < st.st_size)
    {
      ssize_t k = sendfile (mfd, src, &off, (size_t) (st.st_size - off));

      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        return ocirt_err_make (err, k < 0 ? errno : EIO, "copy the runtime binary into a memfd");
    }
  if (fcntl (mfd, F_ADD_SEALS, OCIRT_SEALS) < 0)
    return ocirt_err_make (err, errno, "seal the runtime binary's memfd");
  return steal_fd (&mfd);
}

int
ocirt_exe_reexec_sealed (char **argv, struct ocirt_err **err)
{
  cleanup_close int src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int mfd = -1;

  if (src < 0)
    return ocirt_err_make (err, errno, "open /proc/self/exe");
  if (exe_is_safe (src))
    return 0;
  mfd = sealed_copy (src, err);
  if (mfd < 0)
    return -1;
  syscall (SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
  return ocirt_err_make (err, errno, "re-execute the runtime from its sealed copy");
}
