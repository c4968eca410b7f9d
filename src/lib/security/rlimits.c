/* process.rlimits: validation (plan) and setrlimit (apply); the names are in names.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ocirt/names.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

int
ocirt_rlimits_plan (const struct ocirt_rlimit *rl, size_t n, struct ocirt_rlimit_plan **out,
                    struct ocirt_err **err)
{
  struct ocirt_rlimit_plan *p;
  size_t i, j;

  *out = NULL;
  if (n == 0)
    return 0;
  p = xzalloc (n * sizeof *p);
  for (i = 0; i < n; i++)
    {
      int r = ocirt_rlimit_resource (rl[i].type);

      if (r < 0)
        {
          free (p);
          return ocirt_err_make (err, 0, "process.rlimits[%zu]: unknown rlimit type `%s` at line %u", i,
                                 rl[i].type, rl[i].line);
        }
      for (j = 0; j < i; j++)
        if (p[j].resource == r)
          {
            free (p);
            return ocirt_err_make (err, 0, "process.rlimits[%zu]: duplicate rlimit type `%s` at line %u", i,
                                   rl[i].type, rl[i].line);
          }
      if (rl[i].soft > rl[i].hard)
        {
          free (p);
          return ocirt_err_make (err, 0,
                                 "process.rlimits[%zu]: `%s` soft limit %llu is above its hard limit %llu at line %u",
                                 i, rl[i].type, (unsigned long long) rl[i].soft, (unsigned long long) rl[i].hard,
                                 rl[i].line);
        }
      p[i].resource = r;
      p[i].name = rl[i].type;
      /* The spec's uint64 maps 1:1 on rlim_t; UINT64_MAX is RLIM_INFINITY. */
      p[i].lim.rlim_cur = (rlim_t) rl[i].soft;
      p[i].lim.rlim_max = (rlim_t) rl[i].hard;
    }
  *out = p;
  return 0;
}

int
ocirt_rlimits_apply (const struct ocirt_rlimit_plan *p, size_t n, struct ocirt_err **err)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (setrlimit (p[i].resource, &p[i].lim) < 0)
      {
        int e = errno;
        const char *hint = "";

        if (e == EPERM && p[i].resource == RLIMIT_NOFILE)
          hint = " (above /proc/sys/fs/nr_open?)";
        return ocirt_err_make (err, e, "set rlimit `%s` to soft %llu, hard %llu%s", p[i].name,
                               (unsigned long long) p[i].lim.rlim_cur, (unsigned long long) p[i].lim.rlim_max, hint);
      }
  return 0;
}
