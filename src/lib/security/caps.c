/* process.capabilities through libcap: names to bit sets (plan, pure), then bounding set before
 * the uid change and the other four sets after it (apply), as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ocirt/names.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "security-internal.h"

#ifdef HAVE_CAPS
#include <sys/capability.h>
#endif

int
ocirt_cap_last_running (void)
{
  static int last = -1; /* the kernel's, fixed: read once per process */
  cleanup_close int fd = -1;
  char buf[16] = "";
  int v;

  if (last >= 0)
    return last;
  fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read (fd, buf, sizeof buf - 1) <= 0)
    return last = OCIRT_CAPABILITY_LAST;
  v = atoi (buf);
  if (v <= 0 || v > 63)
    return last = OCIRT_CAPABILITY_LAST;
  return last = v;
}

const char *
ocirt_cap_set_name (enum ocirt_cap_set s)
{
  static const char *const names[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };

  return names[s];
}

static int
names_to_bits (char *const *names, size_t n, enum ocirt_cap_set set, int last_cap, uint64_t *out,
               struct ocirt_err **err)
{
  size_t i;

  *out = 0;
  for (i = 0; i < n; i++)
    {
      int c = ocirt_capability_from_name (names[i]);

      if (c < 0)
        return ocirt_err_make (err, 0, "process.capabilities.%s: unknown capability `%s`", ocirt_cap_set_name (set),
                               names[i]);
      if (c > last_cap)
        {
          log_warning ("process.capabilities.%s: `%s` is not supported by the running kernel (last cap %d), "
                       "skipping it",
                       ocirt_cap_set_name (set), names[i], last_cap);
          continue;
        }
      *out |= UINT64_C (1) << c;
    }
  return 0;
}

/* Removes the capabilities of a set that the kernel cannot grant given the others (the spec: log,
 * do not fail). quiet: at debug level only; runc's default config (and so `ocirt spec`'s) asks for
 * ambient capabilities without inheritable ones, and a warning on every container is noise. */
static void
drop_ungrantable (struct ocirt_cap_plan *p, enum ocirt_cap_set set, uint64_t allowed, const char *why, bool quiet)
{
  uint64_t bad = p->sets[set] & ~allowed;
  int c;

  for (c = 0; bad && c < 64; c++)
    if (bad & (UINT64_C (1) << c))
      {
        const char *name = ocirt_capability_name (c) ? ocirt_capability_name (c) : "?";

        if (quiet)
          log_debug ("process.capabilities.%s: `%s` cannot be granted: %s, skipping it", ocirt_cap_set_name (set),
                     name, why);
        else
          log_warning ("process.capabilities.%s: `%s` cannot be granted: %s, skipping it",
                       ocirt_cap_set_name (set), name, why);
      }
  p->sets[set] &= allowed;
}

int
ocirt_caps_plan (const struct ocirt_capabilities *c, int last_cap, struct ocirt_cap_plan *out,
                 struct ocirt_err **err)
{
  memset (out, 0, sizeof *out);
  out->last_cap = last_cap;
  if (c == NULL)
    return 0;
  if (names_to_bits (c->bounding, c->n_bounding, OCIRT_CAP_BOUNDING, last_cap, &out->sets[OCIRT_CAP_BOUNDING], err)
          < 0
      || names_to_bits (c->effective, c->n_effective, OCIRT_CAP_EFFECTIVE, last_cap,
                        &out->sets[OCIRT_CAP_EFFECTIVE], err)
             < 0
      || names_to_bits (c->inheritable, c->n_inheritable, OCIRT_CAP_INHERITABLE, last_cap,
                        &out->sets[OCIRT_CAP_INHERITABLE], err)
             < 0
      || names_to_bits (c->permitted, c->n_permitted, OCIRT_CAP_PERMITTED, last_cap,
                        &out->sets[OCIRT_CAP_PERMITTED], err)
             < 0
      || names_to_bits (c->ambient, c->n_ambient, OCIRT_CAP_AMBIENT, last_cap, &out->sets[OCIRT_CAP_AMBIENT], err)
             < 0)
    return -1;
  /* capset(2): effective within permitted, inheritable within bounding; ambient within both
   * permitted and inheritable (PR_CAP_AMBIENT_RAISE). */
  drop_ungrantable (out, OCIRT_CAP_EFFECTIVE, out->sets[OCIRT_CAP_PERMITTED], "not in the permitted set", false);
  drop_ungrantable (out, OCIRT_CAP_INHERITABLE, out->sets[OCIRT_CAP_BOUNDING], "not in the bounding set", false);
  drop_ungrantable (out, OCIRT_CAP_AMBIENT, out->sets[OCIRT_CAP_PERMITTED] & out->sets[OCIRT_CAP_INHERITABLE],
                    "not in both the permitted and the inheritable sets", true);
  return 0;
}

void
ocirt_caps_limit (struct ocirt_cap_plan *p, uint64_t held)
{
  for (int set = 0; set < OCIRT_CAP__NSETS; set++)
    drop_ungrantable (p, (enum ocirt_cap_set) set, held, "the runtime does not hold it", false);
}

#ifdef HAVE_CAPS

uint64_t
ocirt_caps_held (void)
{
  cap_t caps = cap_get_proc ();
  int last = ocirt_cap_last_running ();
  uint64_t held = 0;

  if (caps == NULL)
    return ~UINT64_C (0); /* unknown: let capset say */
  for (int c = 0; c <= last; c++)
    {
      cap_flag_value_t v = CAP_CLEAR;

      if (cap_get_flag (caps, (cap_value_t) c, CAP_PERMITTED, &v) == 0 && v == CAP_SET
          && cap_get_bound ((cap_value_t) c) > 0)
        held |= UINT64_C (1) << c;
    }
  cap_free (caps);
  return held;
}

int
ocirt_caps_apply_bounding (const struct ocirt_cap_plan *p, struct ocirt_err **err)
{
  int c;

  for (c = 0; c <= p->last_cap; c++)
    {
      if (p->sets[OCIRT_CAP_BOUNDING] & (UINT64_C (1) << c))
        continue;
      /* one prctl per capability: dropping one that is gone already succeeds (with CAP_SETPCAP);
       * only when the drop fails is it worth asking whether there was anything to drop */
      if (cap_drop_bound ((cap_value_t) c) < 0 && cap_get_bound ((cap_value_t) c) > 0)
        return ocirt_err_make (err, errno, "drop `%s` from the bounding set",
                               ocirt_capability_name (c) ? ocirt_capability_name (c) : "?");
    }
  return 0;
}

int
ocirt_caps_raise_effective (const struct ocirt_cap_plan *p, struct ocirt_err **err)
{
  cap_t caps = cap_get_proc ();
  int c, last = p->last_cap;

  if (caps == NULL)
    return ocirt_err_make (err, errno, "read the capabilities of the process");
  for (c = 0; c <= last; c++)
    {
      cap_flag_value_t v = CAP_CLEAR;
      cap_value_t cv = (cap_value_t) c;

      if (cap_get_flag (caps, cv, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
        cap_set_flag (caps, CAP_EFFECTIVE, 1, &cv, CAP_SET);
    }
  if (cap_set_proc (caps) < 0)
    {
      int e = errno;

      cap_free (caps);
      return ocirt_err_make (err, e, "make the permitted capabilities effective");
    }
  cap_free (caps);
  return 0;
}

int
ocirt_caps_apply_final (const struct ocirt_cap_plan *p, struct ocirt_err **err)
{
  static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_INHERITABLE, CAP_PERMITTED };
  static const enum ocirt_cap_set sets[] = { OCIRT_CAP_EFFECTIVE, OCIRT_CAP_INHERITABLE, OCIRT_CAP_PERMITTED };
  cap_t caps = cap_init ();
  size_t i;
  int c;

  if (caps == NULL)
    return ocirt_err_make (err, errno, "cap_init");
  for (i = 0; i < 3; i++)
    for (c = 0; c <= p->last_cap; c++)
      if (p->sets[sets[i]] & (UINT64_C (1) << c))
        {
          cap_value_t cv = (cap_value_t) c;

          cap_set_flag (caps, flags[i], 1, &cv, CAP_SET);
        }
  if (cap_set_proc (caps) < 0)
    {
      int e = errno;

      cap_free (caps);
      return ocirt_err_make (err, e, "set the effective, inheritable and permitted capabilities");
    }
  cap_free (caps);
  /* Ambient: start from empty (the runtime's own could survive a uid-0 exec). */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return ocirt_err_make (err, errno, "clear the ambient capabilities");
  for (c = 0; c <= p->last_cap; c++)
    if (p->sets[OCIRT_CAP_AMBIENT] & (UINT64_C (1) << c))
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) c, 0, 0) < 0)
        return ocirt_err_make (err, errno, "raise the ambient capability `%s`", ocirt_capability_name (c));
  return 0;
}

#else /* !HAVE_CAPS */

uint64_t
ocirt_caps_held (void)
{
  return ~UINT64_C (0);
}

int
ocirt_caps_apply_bounding (const struct ocirt_cap_plan *p, struct ocirt_err **err)
{
  return ocirt_err_make (err, ENOTSUP, "process.capabilities: ocirt was built without libcap");
}

int
ocirt_caps_raise_effective (const struct ocirt_cap_plan *p, struct ocirt_err **err)
{
  return ocirt_err_make (err, ENOTSUP, "process.capabilities: ocirt was built without libcap");
}

int
ocirt_caps_apply_final (const struct ocirt_cap_plan *p, struct ocirt_err **err)
{
  return ocirt_err_make (err, ENOTSUP, "process.capabilities: ocirt was built without libcap");
}

#endif
