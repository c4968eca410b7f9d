/* Allocation wrappers that abort on OOM: ocirt is a short-lived process and every caller stays
 * simpler without an allocation-failure path. */
#ifndef OCIRT_XALLOC_H
#define OCIRT_XALLOC_H

#include <stddef.h>

void *xmalloc (size_t n);
void *xzalloc (size_t n);
void *xrealloc (void *p, size_t n);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
int xasprintf (char **out, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
char *xfmt (const char *fmt, ...) __attribute__ ((format (printf, 1, 2))); /* returns the new string */

#endif
