/* Allocation that aborts on OOM (see xalloc.h for why). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/xalloc.h"

static void *
check (void *p)
{
  if (p == NULL)
    {
      fputs ("ocirt: out of memory\n", stderr);
      abort ();
    }
  return p;
}

void *
xmalloc (size_t n)
{
  return check (malloc (n ? n : 1));
}

void *
xzalloc (size_t n)
{
  return check (calloc (1, n ? n : 1));
}

void *
xrealloc (void *p, size_t n)
{
  return check (realloc (p, n ? n : 1));
}

char *
xstrdup (const char *s)
{
  return check (strdup (s));
}

char *
xstrndup (const char *s, size_t n)
{
  return check (strndup (s, n));
}

int
xasprintf (char **out, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (out, fmt, ap);
  va_end (ap);
  if (r < 0)
    check (NULL);
  return r;
}

char *
xfmt (const char *fmt, ...)
{
  va_list ap;
  char *out = NULL;

  va_start (ap, fmt);
  if (vasprintf (&out, fmt, ap) < 0)
    check (NULL);
  va_end (ap);
  return out;
}
