/* Small fd helpers shared by every area. */
#ifndef OCIRT_FDIO_H
#define OCIRT_FDIO_H

#include <stddef.h>

struct ocirt_err;

/* Write all of buf, retrying short writes and EINTR. Returns 0, or -1 with errno set. */
int ocirt_write_all (int fd, const void *buf, size_t len);

/* Write text to an existing file (a /proc or sysfs knob) in one write(2), as the kernel wants
 * those: a short write is an error. The error names the path. */
int ocirt_write_file (const char *path, const char *text, struct ocirt_err **err);

#endif
