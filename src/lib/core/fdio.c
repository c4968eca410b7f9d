/* Small fd helpers (fdio.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/fdio.h"

int
ocirt_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          errno = EIO;
          return -1;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

int
ocirt_write_file (const char *path, const char *text, struct ocirt_err **err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (text);
  ssize_t n;

  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", path);
  n = write (fd, text, len);
  if (n != (ssize_t) len)
    return ocirt_err_make (err, n < 0 ? errno : EIO, "write `%s`", path);
  return 0;
}
