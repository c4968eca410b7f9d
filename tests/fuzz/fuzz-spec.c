/* libFuzzer target: config.json text -> ocirt_spec_parse, then everything pure that create does
 * with a parsed spec before touching the system: validation (for create and for start), the
 * combined check, and the mount plan. Any ASan/UBSan report or crash is a bug. */
#include <stddef.h>
#include <stdint.h>

#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "src/lib/linux/mount-plan.h"

static void
ignore (void *ctx, const char *problem)
{
  (void) ctx;
  (void) problem;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ocirt_err *err = NULL;
  struct ocirt_spec *s = ocirt_spec_parse ((const char *) data, size, "config.json", &err);

  if (s != NULL)
    {
      struct ocirt_mount_plan plan = { 0 };

      ocirt_spec_validate (s, false, ignore, NULL);
      ocirt_spec_validate (s, true, ignore, NULL);
      if (ocirt_spec_check (s, false, &err) == 0
          && ocirt_mount_plan_build (s, "/fuzz/bundle", &plan, &err) == 0)
        ocirt_mount_plan_free (&plan);
      ocirt_spec_free (s);
    }
  ocirt_err_free (err);
  return 0;
}
