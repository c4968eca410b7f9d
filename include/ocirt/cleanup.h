/* Cleanup attributes: every early return frees what the function owns.
 * Declare with a sentinel (NULL, -1) and move ownership out with steal_ptr / steal_fd. */
#ifndef OCIRT_CLEANUP_H
#define OCIRT_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

void ocirt_freep (void *p);
void ocirt_closep (int *fd);
void ocirt_fclosep (FILE **f);
void ocirt_closedirp (DIR **d);
void ocirt_strvfreep (char ***v);

#define cleanup_free __attribute__ ((cleanup (ocirt_freep)))
#define cleanup_close __attribute__ ((cleanup (ocirt_closep)))
#define cleanup_fclose __attribute__ ((cleanup (ocirt_fclosep)))
#define cleanup_closedir __attribute__ ((cleanup (ocirt_closedirp)))
#define cleanup_strv __attribute__ ((cleanup (ocirt_strvfreep)))

static inline void *
ocirt_steal_ptr (void *pp)
{
  void **p = (void **) pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_ptr(pp) ocirt_steal_ptr (pp)

static inline int
steal_fd (int *fd)
{
  int v = *fd;
  *fd = -1;
  return v;
}

#endif
