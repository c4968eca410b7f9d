/* Small fd helpers shared by every area. */
#ifndef OCIRT_FDIO_H
#define OCIRT_FDIO_H

#include <stddef.h>

/* Write all of buf, retrying short writes and EINTR. Returns 0, or -1 with errno set. */
int ocirt_write_all (int fd, const void *buf, size_t len);

#endif
