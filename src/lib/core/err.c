/* The error object: made where errno is fresh, wrapped at layer boundaries, printed once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/err.h"
#include "ocirt/xalloc.h"

int
ocirt_err_makev (struct ocirt_err **err, int errnum, const char *fmt, va_list ap)
{
  struct ocirt_err *e;
  char *msg = NULL;

  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  if (err == NULL)
    {
      free (msg);
      return -1;
    }
  /* A second error on the same slot keeps the first: the first failure is the cause. */
  if (*err != NULL)
    {
      free (msg);
      return -1;
    }
  e = xzalloc (sizeof *e);
  e->errnum = errnum;
  e->msg = msg;
  *err = e;
  return -1;
}

int
ocirt_err_make (struct ocirt_err **err, int errnum, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  ocirt_err_makev (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
ocirt_err_wrap (struct ocirt_err **err, const char *fmt, ...)
{
  char *prefix = NULL, *msg = NULL;
  va_list ap;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (asprintf (&msg, "%s: %s", prefix, (*err)->msg) < 0)
    abort ();
  free (prefix);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

char *
ocirt_err_text (const struct ocirt_err *e)
{
  if (e == NULL)
    return xstrdup ("unknown error");
  if (e->errnum == 0)
    return xstrdup (e->msg);
  return xfmt ("%s: %s", e->msg, strerror (e->errnum));
}

void
ocirt_err_free (struct ocirt_err *e)
{
  if (e == NULL)
    return;
  free (e->msg);
  free (e);
}

void
ocirt_err_freep (struct ocirt_err **e)
{
  ocirt_err_free (*e);
  *e = NULL;
}
