/* The one error type of ocirt.
 *
 * Every fallible function returns int (0 ok, -1 on failure) or a pointer (NULL on failure) and takes
 * `struct ocirt_err **err` as its last parameter. It sets *err exactly once, where errno is fresh
 * (ocirt_err_make), and callers at layer boundaries add context with ocirt_err_wrap. The message is
 * printed once, at the top (src/cli/main.c). On success *err is left untouched. */
#ifndef OCIRT_ERR_H
#define OCIRT_ERR_H

#include <stdarg.h>

struct ocirt_err
{
  int errnum;  /* errno value, 0 when the failure is not a system error */
  char *msg;   /* full text, without the strerror suffix */
};

/* Make an error; returns -1 so that `return ocirt_err_make (err, errno, "open `%s`", p);` works.
 * When errnum != 0 the rendered message gets ": <strerror>" appended by ocirt_err_text. */
int ocirt_err_make (struct ocirt_err **err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int ocirt_err_makev (struct ocirt_err **err, int errnum, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 3, 0)));

/* Prefix context: "create container: <old message>". Returns -1. */
int ocirt_err_wrap (struct ocirt_err **err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* The message as printed: "msg: strerror(errnum)" (or just msg). Caller frees. */
char *ocirt_err_text (const struct ocirt_err *e);

void ocirt_err_free (struct ocirt_err *e);
void ocirt_err_freep (struct ocirt_err **e);
#define cleanup_err __attribute__ ((cleanup (ocirt_err_freep)))

#endif
