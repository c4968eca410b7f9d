/* libFuzzer target: `update --resources FILE` -> ocirt_resources_parse, then the cgroup area's pure
 * plan of file writes for it (as update makes it), against a host with every v1 and v2 controller
 * and against a v2-only one, so the v1 and v2 conversions both run. */
#include <stddef.h>
#include <stdint.h>

#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "src/lib/cgroup/cgroup-internal.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ocirt_err *err = NULL;
  struct ocirt_resources *r = ocirt_resources_parse ((const char *) data, size, "resources.json", &err);

  if (r != NULL)
    {
      const struct ocirt_cg_avail hosts[] = {
        { .v1 = ~0U, .v2 = ~0U, .has_v2 = true, .v2_is_unified_mount = true },
        { .v1 = 0, .v2 = ~0U, .has_v2 = true },
      };
      for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
        {
          struct ocirt_cg_plan plan = { 0 };
          if (ocirt_cg_plan_make (r, NULL, 0, &hosts[i], true, &plan, &err) == 0)
            ocirt_cg_plan_clear (&plan);
          ocirt_err_free (err);
          err = NULL;
        }
      ocirt_resources_free (r);
    }
  ocirt_err_free (err);
  return 0;
}
