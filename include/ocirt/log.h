/* Leveled logger. Without --log everything goes to stderr as text; with --log FILE lines go to the
 * file in runc's format (text: logrus' `time="..." level=error msg="..."`, json:
 * {"level":"error","msg":"...","time":"RFC3339"}), which containerd and conmon parse.
 * Nothing the runtime says may land on the container's stdio: children log before they exec and
 * only through these calls, and the log fd is CLOEXEC. */
#ifndef OCIRT_LOG_H
#define OCIRT_LOG_H

#include <stdbool.h>

struct ocirt_err;

enum ocirt_log_level
{
  OCIRT_LOG_ERROR = 0,
  OCIRT_LOG_WARNING,
  OCIRT_LOG_INFO,
  OCIRT_LOG_DEBUG,
};

enum ocirt_log_format
{
  OCIRT_LOG_TEXT = 0,
  OCIRT_LOG_JSON,
};

/* path NULL: stderr. Returns -1 with *err when the file cannot be opened. */
int ocirt_log_init (const char *path, enum ocirt_log_format format, bool debug, struct ocirt_err **err);
void ocirt_log_close (void);
bool ocirt_log_debug_enabled (void);
/* True when --log names a file (errors then also go to stderr in plain form, as runc does). */
bool ocirt_log_to_file (void);
/* The log fd, or -1 when logging to stderr (used to keep it open across fork in children). */
int ocirt_log_fd (void);

void ocirt_log (enum ocirt_log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* A forked child of the runtime (the container's init) must not write to stderr, which is the
 * container's: it installs a hook that gets every line instead (and sends it to the parent over
 * its sync socket). NULL restores normal output. Added by the lifecycle engine. */
typedef void (*ocirt_log_hook_fn) (enum ocirt_log_level level, const char *msg, void *data);
void ocirt_log_set_hook (ocirt_log_hook_fn fn, void *data);

#define log_error(...) ocirt_log (OCIRT_LOG_ERROR, __VA_ARGS__)
#define log_warning(...) ocirt_log (OCIRT_LOG_WARNING, __VA_ARGS__)
#define log_info(...) ocirt_log (OCIRT_LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                              \
  do                                                                                                \
    {                                                                                               \
      if (ocirt_log_debug_enabled ())                                                               \
        ocirt_log (OCIRT_LOG_DEBUG, __VA_ARGS__);                                                   \
    }                                                                                               \
  while (0)

#endif
