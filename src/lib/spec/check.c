/* `ocirt check BUNDLE`: parse and validate a bundle's config.json as create and start would,
 * reporting every problem instead of stopping at the first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"

struct prefixed
{
  ocirt_spec_report_fn report;
  void *ctx;
};

static void
with_file_name (void *ctx, const char *problem)
{
  struct prefixed *p = ctx;
  cleanup_free char *full = xfmt ("config.json: %s", problem);

  p->report (p->ctx, full);
}

static int
check_rootfs (const char *bundle, const struct ocirt_spec *s, ocirt_spec_report_fn report, void *ctx)
{
  cleanup_free char *path = NULL;
  cleanup_free char *msg = NULL;
  struct stat st;

  if (s->root_path == NULL || s->root_path[0] == '\0')
    return 0; /* reported by validation */
  path = s->root_path[0] == '/' ? xstrdup (s->root_path) : xfmt ("%s/%s", bundle, s->root_path);
  if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    return 0;
  if (stat (path, &st) == 0)
    msg = xfmt ("config.json: root.path: `%s` is not a directory at line %u", path,
                ocirt_spec_line (s, s->root_path));
  else
    msg = xfmt ("config.json: root.path: `%s`: %s at line %u", path, strerror (errno),
                ocirt_spec_line (s, s->root_path));
  report (ctx, msg);
  return 1;
}

int
ocirt_bundle_check (const char *bundle, ocirt_spec_report_fn report, void *ctx, struct ocirt_err **err)
{
  cleanup_free char *config = xfmt ("%s/config.json", bundle);
  cleanup_spec struct ocirt_spec *s = NULL;
  struct ocirt_err *perr = NULL;
  struct prefixed p = { report, ctx };
  struct stat st;
  int n;

  if (stat (config, &st) < 0)
    return ocirt_err_make (err, errno, "bundle `%s`: cannot read config.json: stat `%s`", bundle, config);
  s = ocirt_spec_parse_file (config, &perr);
  if (s == NULL)
    {
      /* a document that does not parse is one problem, not a failure of `check` itself */
      if (perr->errnum != 0)
        {
          *err = perr;
          return -1;
        }
      report (ctx, perr->msg);
      ocirt_err_free (perr);
      return 1;
    }
  n = ocirt_spec_validate (s, true, with_file_name, &p);
  return n + check_rootfs (bundle, s, report, ctx);
}
