/* Helpers behind the cleanup attributes of cleanup.h. They preserve errno so that a cleanup
 * running on an early return never clobbers the errno the caller is about to report. */
#include <errno.h>
#include <unistd.h>

#include "ocirt/cleanup.h"

void
ocirt_freep (void *p)
{
  int saved = errno;
  free (*(void **) p);
  errno = saved;
}

void
ocirt_closep (int *fd)
{
  int saved = errno;
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
  errno = saved;
}

void
ocirt_fclosep (FILE **f)
{
  int saved = errno;
  if (*f != NULL)
    fclose (*f);
  *f = NULL;
  errno = saved;
}

void
ocirt_closedirp (DIR **d)
{
  int saved = errno;
  if (*d != NULL)
    closedir (*d);
  *d = NULL;
  errno = saved;
}

void
ocirt_strvfreep (char ***v)
{
  int saved = errno;
  if (*v != NULL)
    {
      for (char **it = *v; *it != NULL; it++)
        free (*it);
      free (*v);
    }
  *v = NULL;
  errno = saved;
}
