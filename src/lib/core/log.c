/* Leveled logger in runc's formats (see log.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ocirt/fdio.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"

static int log_fd = -1; /* -1: stderr */
static enum ocirt_log_format log_format = OCIRT_LOG_TEXT;
static bool log_debug_on;
static ocirt_log_hook_fn log_hook;
static void *log_hook_data;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
ocirt_log_init (const char *path, enum ocirt_log_format format, bool debug, struct ocirt_err **err)
{
  log_format = format;
  log_debug_on = debug;
  if (path == NULL || path[0] == '\0')
    return 0;
  log_fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return ocirt_err_make (err, errno, "open log file `%s`", path);
  return 0;
}

void
ocirt_log_close (void)
{
  if (log_fd >= 0)
    close (log_fd);
  log_fd = -1;
}

bool
ocirt_log_debug_enabled (void)
{
  return log_debug_on;
}

bool
ocirt_log_to_file (void)
{
  return log_fd >= 0;
}

int
ocirt_log_fd (void)
{
  return log_fd;
}

/* RFC 3339 with the local offset, as logrus writes it ("2006-01-02T15:04:05Z07:00"). */
static void
format_time (char *buf, size_t size)
{
  time_t now = time (NULL);
  struct tm tm;
  char off[40]; /* "+hh:mm"; sized for any long so that -Wformat-truncation stays quiet */

  localtime_r (&now, &tm);
  strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  if (tm.tm_gmtoff == 0)
    strcpy (off, "Z");
  else
    {
      long m = labs (tm.tm_gmtoff) / 60;
      snprintf (off, sizeof off, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', m / 60, m % 60);
    }
  strncat (buf, off, size - strlen (buf) - 1);
}

static char *
format_json (enum ocirt_log_level level, const char *msg, const char *when)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "level", level_names[level]);
  ocirt_jw_kstr (w, "msg", msg);
  ocirt_jw_kstr (w, "time", when);
  ocirt_jw_obj_close (w);
  return xfmt ("%s\n", ocirt_jw_text (w, NULL));
}

/* logrus' text formatter: time="..." level=error msg="..." with Go-style quoting. */
static char *
format_text (enum ocirt_log_level level, const char *msg, const char *when)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  ocirt_jw_str (w, msg);
  return xfmt ("time=\"%s\" level=%s msg=%s\n", when, level_names[level], ocirt_jw_text (w, NULL));
}

void
ocirt_log_set_hook (ocirt_log_hook_fn fn, void *data)
{
  log_hook = fn;
  log_hook_data = data;
}

void
ocirt_log (enum ocirt_log_level level, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *line = NULL;
  char when[64];
  int saved = errno;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    return;
  if (log_hook != NULL)
    {
      log_hook (level, msg, log_hook_data);
      errno = saved;
      return;
    }

  if (log_fd < 0)
    {
      /* Without --log: plain text on stderr, one line, for a person. */
      line = xfmt ("%s%s\n", level == OCIRT_LOG_ERROR ? "ocirt: " : "", msg);
      if (level != OCIRT_LOG_ERROR)
        {
          free (line);
          line = xfmt ("ocirt: %s: %s\n", level_names[level], msg);
        }
      (void) ocirt_write_all (STDERR_FILENO, line, strlen (line));
      errno = saved;
      return;
    }
  format_time (when, sizeof when);
  line = log_format == OCIRT_LOG_JSON ? format_json (level, msg, when) : format_text (level, msg, when);
  (void) ocirt_write_all (log_fd, line, strlen (line));
  errno = saved;
}
