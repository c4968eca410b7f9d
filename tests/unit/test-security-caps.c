/* Capability names and the plan from config sets to bit sets. */
#include <stdlib.h>
#include <string.h>

#include "ocirt/names.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "src/lib/security/security-internal.h"
#include "tap.h"

#define BIT(n) (UINT64_C (1) << (n))

static void
test_names (void)
{
  is_int (ocirt_capability_from_name ("CAP_CHOWN"), 0, "CAP_CHOWN is 0");
  is_int (ocirt_capability_from_name ("CAP_SYS_ADMIN"), 21, "CAP_SYS_ADMIN is 21");
  is_int (ocirt_capability_from_name ("CAP_CHECKPOINT_RESTORE"), 40, "CAP_CHECKPOINT_RESTORE is 40");
  is_int (ocirt_capability_from_name ("cap_net_raw"), 13, "names match in any case, as runc");
  is_int (ocirt_capability_from_name ("CAP_TEST"), -1, "CAP_TEST is no capability");
  is_int (ocirt_capability_from_name ("NET_RAW"), -1, "the CAP_ prefix is required");
  is_str (ocirt_capability_name (39), "CAP_BPF", "39 is CAP_BPF");
  ok (ocirt_capability_name (41) == NULL, "no name past the last known");
  is_int (OCIRT_CAPABILITY_LAST, 40, "ocirt knows up to 40");
  ok (ocirt_cap_last_running () >= 30, "the running kernel's last cap is read");
}

static void
test_plan_sets (void)
{
  char *bnd[] = { "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE" };
  char *eff[] = { "CAP_KILL", "CAP_AUDIT_WRITE" };
  char *amb[] = { "CAP_NET_BIND_SERVICE" };
  struct ocirt_capabilities c = { 0 };
  struct ocirt_cap_plan p;
  cleanup_err struct ocirt_err *err = NULL;

  c.bounding = c.permitted = c.inheritable = bnd;
  c.n_bounding = c.n_permitted = c.n_inheritable = 3;
  c.effective = eff;
  c.n_effective = 2;
  c.ambient = amb;
  c.n_ambient = 1;
  c.has_bounding = c.has_permitted = c.has_inheritable = c.has_effective = c.has_ambient = true;
  is_int (ocirt_caps_plan (&c, 40, &p, &err), 0, "the spec's example plans");
  is_int (p.sets[OCIRT_CAP_BOUNDING], BIT (5) | BIT (10) | BIT (29), "bounding bits");
  is_int (p.sets[OCIRT_CAP_EFFECTIVE], BIT (5) | BIT (29), "effective bits");
  is_int (p.sets[OCIRT_CAP_AMBIENT], BIT (10), "ambient bits");
  is_int (p.last_cap, 40, "last cap kept");

  is_int (ocirt_caps_plan (NULL, 40, &p, &err), 0, "no capabilities object");
  ok (p.sets[0] == 0 && p.sets[1] == 0 && p.sets[2] == 0 && p.sets[3] == 0 && p.sets[4] == 0,
      "no capabilities object keeps none");
}

static void
test_plan_unknown (void)
{
  char *bad[] = { "CAP_KILL", "CAP_TEST" };
  struct ocirt_capabilities c = { 0 };
  struct ocirt_cap_plan p;
  cleanup_err struct ocirt_err *err = NULL;

  c.permitted = bad;
  c.n_permitted = 2;
  c.has_permitted = true;
  is_int (ocirt_caps_plan (&c, 40, &p, &err), -1, "an unknown name fails");
  is_str (err ? err->msg : NULL, "process.capabilities.permitted: unknown capability `CAP_TEST`",
          "the error names the set and the capability");
}

static void
test_plan_kernel_lacks (void)
{
  char *names[] = { "CAP_KILL", "CAP_BPF", "CAP_CHECKPOINT_RESTORE" };
  struct ocirt_capabilities c = { 0 };
  struct ocirt_cap_plan p;
  cleanup_err struct ocirt_err *err = NULL;

  c.bounding = c.permitted = c.effective = names;
  c.n_bounding = c.n_permitted = c.n_effective = 3;
  is_int (ocirt_caps_plan (&c, 38, &p, &err), 0, "caps above the kernel's last cap do not fail");
  is_int (p.sets[OCIRT_CAP_BOUNDING], BIT (5), "they are skipped");
  is_int (p.sets[OCIRT_CAP_EFFECTIVE], BIT (5), "in every set");
}

static void
test_plan_ungrantable (void)
{
  char *bnd[] = { "CAP_KILL" };
  char *eff[] = { "CAP_KILL", "CAP_CHOWN" };
  char *inh[] = { "CAP_KILL", "CAP_MKNOD" };
  char *amb[] = { "CAP_KILL", "CAP_CHOWN" };
  struct ocirt_capabilities c = { 0 };
  struct ocirt_cap_plan p;
  cleanup_err struct ocirt_err *err = NULL;

  c.bounding = bnd;
  c.n_bounding = 1;
  c.permitted = bnd;
  c.n_permitted = 1;
  c.effective = eff;
  c.n_effective = 2;
  c.inheritable = inh;
  c.n_inheritable = 2;
  c.ambient = amb;
  c.n_ambient = 2;
  is_int (ocirt_caps_plan (&c, 40, &p, &err), 0, "ungrantable caps only warn");
  is_int (p.sets[OCIRT_CAP_EFFECTIVE], BIT (5), "effective is cut to permitted");
  is_int (p.sets[OCIRT_CAP_INHERITABLE], BIT (5), "inheritable is cut to bounding");
  is_int (p.sets[OCIRT_CAP_AMBIENT], BIT (5), "ambient is cut to permitted and inheritable");
}

/* runtime-tools' process_capabilities: a cap the runtime does not hold (here CAP_SYS_RESOURCE,
 * out of a host's bounding set) is dropped from every set with a warning, not a capset EPERM. */
static void
test_limit_to_held (void)
{
  char *all[] = { "CAP_KILL", "CAP_SYS_RESOURCE", "CAP_CHOWN" };
  struct ocirt_capabilities c = { 0 };
  struct ocirt_cap_plan p;
  cleanup_err struct ocirt_err *err = NULL;
  uint64_t held = ~BIT (24);

  c.bounding = c.effective = c.inheritable = c.permitted = c.ambient = all;
  c.n_bounding = c.n_effective = c.n_inheritable = c.n_permitted = c.n_ambient = 3;
  is_int (ocirt_caps_plan (&c, 40, &p, &err), 0, "every set asks for CAP_SYS_RESOURCE");
  ocirt_caps_limit (&p, held);
  for (int set = 0; set < OCIRT_CAP__NSETS; set++)
    is_int (p.sets[set], BIT (0) | BIT (5), "%s", ocirt_cap_set_name ((enum ocirt_cap_set) set));
  ok ((ocirt_caps_held () & BIT (5)) != 0, "a root test runner holds CAP_KILL");
}

int
main (void)
{
  test_names ();
  test_plan_sets ();
  test_plan_unknown ();
  test_plan_kernel_lacks ();
  test_plan_ungrantable ();
  test_limit_to_held ();
  return done_testing ();
}
