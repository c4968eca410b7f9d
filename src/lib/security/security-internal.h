/* Internal interfaces of the security area (src/lib/security/). Each concern has a pure "plan"
 * part (validation, name tables, compilation; unit-tested in tests/unit/test-security-*.c) and a
 * thin "apply" part that touches the kernel in the container process. */
#ifndef OCIRT_SECURITY_INTERNAL_H
#define OCIRT_SECURITY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "ocirt/security.h"
#include "ocirt/spec.h"

struct ocirt_err;

/* ---- rlimits.c ---- */
struct ocirt_rlimit_plan
{
  int resource;     /* RLIMIT_* */
  const char *name; /* borrowed from the spec */
  struct rlimit lim;
};

/* Validates process.rlimits (known type, no duplicate, soft <= hard) into *out (n entries). */
int ocirt_rlimits_plan (const struct ocirt_rlimit *rl, size_t n, struct ocirt_rlimit_plan **out,
                        struct ocirt_err **err);
int ocirt_rlimits_apply (const struct ocirt_rlimit_plan *p, size_t n, struct ocirt_err **err);

/* ---- user.c ---- */
/* setgroups (unless the user namespace denies it), setresgid, setresuid keeping the permitted
 * capabilities (PR_SET_KEEPCAPS), then umask. */
int ocirt_user_apply (const struct ocirt_user *u, struct ocirt_err **err);

/* ---- caps.c ---- */
enum ocirt_cap_set
{
  OCIRT_CAP_BOUNDING = 0,
  OCIRT_CAP_EFFECTIVE,
  OCIRT_CAP_INHERITABLE,
  OCIRT_CAP_PERMITTED,
  OCIRT_CAP_AMBIENT,
  OCIRT_CAP__NSETS,
};

struct ocirt_cap_plan
{
  /* one bit per capability number; an absent set in the config is an empty set, as runc does */
  uint64_t sets[OCIRT_CAP__NSETS];
  int last_cap; /* the running kernel's CAP_LAST_CAP */
};

/* Capability names and numbers are in names.h (ocirt_capability_from_name/_name). */
/* /proc/sys/kernel/cap_last_cap, or OCIRT_CAPABILITY_LAST when unreadable. */
int ocirt_cap_last_running (void);
const char *ocirt_cap_set_name (enum ocirt_cap_set s); /* "bounding", ... */
/* Pure: names to bit sets. Unknown names are an error naming them; capabilities above last_cap
 * (known to ocirt, not to the running kernel) are skipped with a warning. */
int ocirt_caps_plan (const struct ocirt_capabilities *c, int last_cap, struct ocirt_cap_plan *out,
                     struct ocirt_err **err);
/* The capabilities this process holds (permitted and in its bounding set): all its init can
 * grant unless a user namespace gives it a full set. */
uint64_t ocirt_caps_held (void);
/* Pure: takes out of every set what is not in held, with a warning for each (config.md: a
 * capability that cannot be granted is logged as a warning, not a failure). */
void ocirt_caps_limit (struct ocirt_cap_plan *p, uint64_t held);
/* Drop what is not in the bounding set; needs CAP_SETPCAP, so before the uid change. */
int ocirt_caps_apply_bounding (const struct ocirt_cap_plan *p, struct ocirt_err **err);
/* After the uid change: make the permitted set effective again so the remaining privileged
 * steps (seccomp without NNP) still work. */
int ocirt_caps_raise_effective (const struct ocirt_cap_plan *p, struct ocirt_err **err);
/* Effective, permitted, inheritable, then ambient. */
int ocirt_caps_apply_final (const struct ocirt_cap_plan *p, struct ocirt_err **err);

/* ---- seccomp.c ---- */
struct ocirt_seccomp_plan;
/* Compiles linux.seccomp into a BPF program (libseccomp) plus the seccomp(2) flags. */
int ocirt_seccomp_plan (const struct ocirt_seccomp *sc, struct ocirt_seccomp_plan **out, struct ocirt_err **err);
void ocirt_seccomp_plan_free (struct ocirt_seccomp_plan *p);
bool ocirt_seccomp_plan_uses_notify (const struct ocirt_seccomp_plan *p);
/* The compiled program and the seccomp(2) flags (for tests). */
struct sock_filter;
const struct sock_filter *ocirt_seccomp_plan_program (const struct ocirt_seccomp_plan *p, size_t *n,
                                                      unsigned long *flags);
/* Loads the filter with seccomp(2); *notify_fd gets the listener fd when the filter notifies. */
int ocirt_seccomp_load (const struct ocirt_seccomp_plan *p, int *notify_fd, struct ocirt_err **err);

/* ---- sysctl.c ---- */
/* Which namespace a sysctl key belongs to: OCIRT_NS_IPC, OCIRT_NS_NETWORK, OCIRT_NS_UTS, or -1
 * when it is not namespaced (then the container may not set it). */
int ocirt_sysctl_namespace (const char *key);
/* Each key must be namespaced for a namespace the container creates (as runc validates). */
int ocirt_sysctl_validate (const struct ocirt_spec *spec, struct ocirt_err **err);
int ocirt_sysctl_apply (const struct ocirt_spec *spec, struct ocirt_err **err);

/* ---- masked.c ---- */
int ocirt_readonly_paths_apply (char *const *paths, size_t n, struct ocirt_err **err);
int ocirt_masked_paths_apply (char *const *paths, size_t n, struct ocirt_err **err);

/* ---- procattr.c ---- */
struct ocirt_sched_plan
{
  uint32_t policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
};
int ocirt_sched_plan (const struct ocirt_scheduler *s, struct ocirt_sched_plan *out, struct ocirt_err **err);
int ocirt_sched_apply (const struct ocirt_sched_plan *p, struct ocirt_err **err);
/* ioprio value (class << 13 | data) for ioprio_set. */
int ocirt_ioprio_plan (const char *cls, int32_t prio, int *out, struct ocirt_err **err);
int ocirt_ioprio_apply (int ioprio, struct ocirt_err **err);
int ocirt_oom_score_adj_apply (int32_t v, struct ocirt_err **err);
/* Parses "0-3,7" into a cpu_set_t sized for CPUs < 1024*8; the set is heap-allocated. */
int ocirt_cpulist_parse (const char *list, void **set, size_t *setsize, struct ocirt_err **err);
/* personality value for linux.personality. */
int ocirt_personality_plan (const struct ocirt_linux *l, unsigned long *out, struct ocirt_err **err);
int ocirt_personality_apply (unsigned long persona, struct ocirt_err **err);

/* ---- lsm.c ---- */
bool ocirt_apparmor_enabled (void);
bool ocirt_selinux_enabled (void);
/* Validation at prepare time: an AppArmor profile without AppArmor is an error, as runc. */
int ocirt_lsm_check (const struct ocirt_process *proc, struct ocirt_err **err);
/* Sets the labels the next execve takes: AppArmor profile, SELinux exec label. */
int ocirt_lsm_apply_exec (const struct ocirt_process *proc, struct ocirt_err **err);

/* ---- security.c: the prepared state ---- */
struct ocirt_security
{
  const struct ocirt_spec *spec;    /* borrowed: the caller keeps spec alive */
  const struct ocirt_process *proc; /* borrowed */
  bool is_init;                     /* proc is spec->process (not an exec) */

  struct ocirt_rlimit_plan *rlimits;
  size_t n_rlimits;

  struct ocirt_cap_plan caps;

  struct ocirt_seccomp_plan *seccomp; /* NULL: no filter */

  bool has_sched;
  struct ocirt_sched_plan sched;
  bool has_ioprio;
  int ioprio;
  void *affinity_final; /* cpu_set_t, NULL when not set */
  size_t affinity_size;
  bool has_personality;
  unsigned long personality;
};

#endif
