/* The parent <-> init messages (see sync.h for the protocol). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ocirt/err.h"
#include "ocirt/log.h"
#include "sync.h"

const char *
ocirt_sync_name (enum ocirt_sync_type t)
{
  static const char *const names[] = { "EOF", "GO", "PID", "LOG", "ERROR", "READY", "HOOKS", "TTY" };

  return (unsigned) t < sizeof names / sizeof names[0] ? names[t] : "?";
}

int
ocirt_sync_send (int fd, enum ocirt_sync_type type, int32_t value, const char *text)
{
  struct ocirt_sync_msg m;
  size_t len = 0;
  ssize_t n;

  m.type = type;
  m.value = value;
  if (text != NULL)
    {
      len = strnlen (text, OCIRT_SYNC_TEXT_MAX);
      memcpy (m.text, text, len);
    }
  m.text[len] = '\0';
  do
    n = send (fd, &m, offsetof (struct ocirt_sync_msg, text) + len + 1, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

int
ocirt_sync_recv (int fd, struct ocirt_sync_msg *m, struct ocirt_err **err)
{
  ssize_t n;

  do
    n = recv (fd, m, sizeof *m, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno != ECONNRESET)
    return ocirt_err_make (err, errno, "read from the container init's sync socket");
  if (n <= 0)
    {
      m->type = OCIRT_SYNC_EOF;
      m->value = 0;
      m->text[0] = '\0';
      return 0;
    }
  if ((size_t) n < offsetof (struct ocirt_sync_msg, text))
    return ocirt_err_make (err, 0, "short message (%zd bytes) on the container init's sync socket", n);
  m->text[(size_t) n - offsetof (struct ocirt_sync_msg, text) < sizeof m->text
              ? (size_t) n - offsetof (struct ocirt_sync_msg, text)
              : OCIRT_SYNC_TEXT_MAX]
      = '\0';
  return 0;
}

void
ocirt_sync_send_err (int fd, const struct ocirt_err *e)
{
  ocirt_sync_send (fd, OCIRT_SYNC_ERROR, e ? e->errnum : 0, e ? e->msg : "unknown error in the container init");
}

void
ocirt_sync_log (int fd, int level, const char *fmt, ...)
{
  char buf[OCIRT_SYNC_TEXT_MAX];
  va_list ap;

  if (level == OCIRT_LOG_DEBUG && !ocirt_log_debug_enabled ())
    return;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  ocirt_sync_send (fd, OCIRT_SYNC_LOG, level, buf);
}
