/* The security area's entry points (include/ocirt/security.h): prepare in the runtime before any
 * process exists (every name checked, the seccomp filter compiled), apply in the container. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

#define CAP_SYS_ADMIN_BIT (UINT64_C (1) << 21)

static int
prepare_process_attrs (struct ocirt_security *s, const struct ocirt_process *proc, struct ocirt_err **err)
{
  if (proc->has_scheduler)
    {
      if (ocirt_sched_plan (&proc->scheduler, &s->sched, err) < 0)
        return -1;
      s->has_sched = true;
    }
  if (proc->has_io_priority)
    {
      if (ocirt_ioprio_plan (proc->io_priority_class, proc->io_priority, &s->ioprio, err) < 0)
        return -1;
      s->has_ioprio = true;
    }
  if (proc->exec_cpu_affinity_initial && *proc->exec_cpu_affinity_initial)
    {
      void *set = NULL;
      size_t size;

      if (ocirt_cpulist_parse (proc->exec_cpu_affinity_initial, &set, &size, err) < 0)
        return ocirt_err_wrap (err, "process.execCPUAffinity.initial");
      CPU_FREE (set);
    }
  /* "final" only concerns processes joining the container; the spec excludes the init process. */
  if (!s->is_init && proc->exec_cpu_affinity_final && *proc->exec_cpu_affinity_final)
    if (ocirt_cpulist_parse (proc->exec_cpu_affinity_final, &s->affinity_final, &s->affinity_size, err) < 0)
      return ocirt_err_wrap (err, "process.execCPUAffinity.final");
  if (proc->has_oom_score_adj && (proc->oom_score_adj < -1000 || proc->oom_score_adj > 1000))
    return ocirt_err_make (err, 0, "process.oomScoreAdj: %d out of range (-1000 to 1000)", proc->oom_score_adj);
  return 0;
}

static bool
has_user_ns (const struct ocirt_spec *spec)
{
  for (size_t i = 0; spec->has_linux && i < spec->linux_.n_namespaces; i++)
    if (spec->linux_.namespaces[i].type == OCIRT_NS_USER)
      return true;
  return false;
}

static int
prepare (struct ocirt_security *s, const struct ocirt_spec *spec, const struct ocirt_process *proc,
         struct ocirt_err **err)
{
  if (ocirt_rlimits_plan (proc->rlimits, proc->n_rlimits, &s->rlimits, err) < 0)
    return -1;
  s->n_rlimits = proc->n_rlimits;
  /* No capabilities object keeps none, as runc does: the default config lists what to keep. */
  if (ocirt_caps_plan (proc->has_capabilities ? &proc->capabilities : NULL, ocirt_cap_last_running (), &s->caps,
                       err)
      < 0)
    return -1;
  /* without a user namespace (which gives a full set) the init has only what we hold: asking for
   * more is a warning (runtime-tools' process_capabilities on a host whose bounding set lacks
   * some), not capset's EPERM at start */
  if (!has_user_ns (spec))
    ocirt_caps_limit (&s->caps, ocirt_caps_held ());
  if (prepare_process_attrs (s, proc, err) < 0)
    return -1;
  if (ocirt_lsm_check (proc, err) < 0)
    return -1;
  if (!spec->has_linux)
    return 0;
  if (s->is_init && ocirt_sysctl_validate (spec, err) < 0)
    return -1;
  if (spec->linux_.has_personality)
    {
      if (ocirt_personality_plan (&spec->linux_, &s->personality, err) < 0)
        return -1;
      s->has_personality = true;
    }
  if (spec->linux_.has_seccomp && ocirt_seccomp_plan (&spec->linux_.seccomp, &s->seccomp, err) < 0)
    return -1;
  return 0;
}

int
ocirt_security_prepare (const struct ocirt_spec *spec, const struct ocirt_process *proc,
                        struct ocirt_security **out, struct ocirt_err **err)
{
  struct ocirt_security *s;

  *out = NULL;
  if (proc == NULL)
    return ocirt_err_make (err, 0, "security: no process to prepare");
  s = xzalloc (sizeof *s);
  s->spec = spec;
  s->proc = proc;
  s->is_init = proc == spec->process;
  if (prepare (s, spec, proc, err) < 0)
    {
      ocirt_security_free (s);
      return -1;
    }
  *out = s;
  return 0;
}

void
ocirt_security_free (struct ocirt_security *s)
{
  if (s == NULL)
    return;
  free (s->rlimits);
  ocirt_seccomp_plan_free (s->seccomp);
  if (s->affinity_final)
    CPU_FREE (s->affinity_final);
  free (s);
}

void
ocirt_security_freep (struct ocirt_security **s)
{
  ocirt_security_free (*s);
  *s = NULL;
}

bool
ocirt_security_uses_notify (const struct ocirt_security *s)
{
  return s && ocirt_seccomp_plan_uses_notify (s->seccomp);
}

int
ocirt_security_apply_rootfs (const struct ocirt_spec *spec, struct ocirt_err **err)
{
  if (!spec->has_linux)
    return 0;
  /* sysctl first: readonlyPaths usually holds /proc/sys. */
  if (ocirt_sysctl_apply (spec, err) < 0)
    return -1;
  if (ocirt_readonly_paths_apply (spec->linux_.readonly_paths, spec->linux_.n_readonly_paths, err) < 0)
    return -1;
  return ocirt_masked_paths_apply (spec->linux_.masked_paths, spec->linux_.n_masked_paths, err);
}

int
ocirt_security_apply_affinity_initial (const struct ocirt_process *proc, struct ocirt_err **err)
{
  void *set = NULL;
  size_t size;
  int r = 0;

  if (proc == NULL || proc->exec_cpu_affinity_initial == NULL || *proc->exec_cpu_affinity_initial == '\0')
    return 0;
  if (ocirt_cpulist_parse (proc->exec_cpu_affinity_initial, &set, &size, err) < 0)
    return ocirt_err_wrap (err, "process.execCPUAffinity.initial");
  if (sched_setaffinity (0, size, set) < 0)
    r = ocirt_err_make (err, errno, "process.execCPUAffinity.initial: sched_setaffinity `%s`",
                        proc->exec_cpu_affinity_initial);
  CPU_FREE (set);
  return r;
}

/* Everything that needs the runtime's privileges, before the uid change. */
static int
apply_privileged_attrs (const struct ocirt_security *s, const struct ocirt_process *proc, struct ocirt_err **err)
{
  /* Lowering oom_score_adj needs CAP_SYS_RESOURCE, as does raising a hard rlimit. */
  if (proc->has_oom_score_adj && ocirt_oom_score_adj_apply (proc->oom_score_adj, err) < 0)
    return -1;
  if (ocirt_rlimits_apply (s->rlimits, s->n_rlimits, err) < 0)
    return -1;
  if (s->has_sched && ocirt_sched_apply (&s->sched, err) < 0)
    return -1;
  if (s->has_ioprio && ocirt_ioprio_apply (s->ioprio, err) < 0)
    return -1;
  if (s->has_personality && ocirt_personality_apply (s->personality, err) < 0)
    return -1;
  if (s->affinity_final && sched_setaffinity (0, s->affinity_size, s->affinity_final) < 0)
    return ocirt_err_make (err, errno, "process.execCPUAffinity.final: sched_setaffinity `%s`",
                           proc->exec_cpu_affinity_final);
  /* LSM transitions are set before NNP, which restricts them. */
  return ocirt_lsm_apply_exec (proc, err);
}

int
ocirt_security_apply_process (const struct ocirt_security *s, const struct ocirt_process *proc,
                              int *notify_fd, struct ocirt_err **err)
{
  bool keeps_sys_admin = (s->caps.sets[OCIRT_CAP_EFFECTIVE] & CAP_SYS_ADMIN_BIT) != 0;
  /* Loading a filter needs NNP or CAP_SYS_ADMIN. Without NNP and without CAP_SYS_ADMIN kept, the
   * filter goes in while the runtime still has it, before the final capset (as runc does); the
   * filter then also sees capset, prctl and execve. */
  bool seccomp_early = s->seccomp && !proc->no_new_privileges && !keeps_sys_admin;

  *notify_fd = -1;
  if (apply_privileged_attrs (s, proc, err) < 0)
    return -1;
  if (ocirt_caps_apply_bounding (&s->caps, err) < 0)
    return -1;
  if (ocirt_user_apply (&proc->user, err) < 0)
    return -1;
  if (ocirt_caps_raise_effective (&s->caps, err) < 0)
    return -1;
  if (seccomp_early && ocirt_seccomp_load (s->seccomp, notify_fd, err) < 0)
    return -1;
  if (ocirt_caps_apply_final (&s->caps, err) < 0)
    goto fail;
  if (proc->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    {
      ocirt_err_make (err, errno, "process.noNewPrivileges: prctl PR_SET_NO_NEW_PRIVS");
      goto fail;
    }
  if (s->seccomp && !seccomp_early && ocirt_seccomp_load (s->seccomp, notify_fd, err) < 0)
    return -1;
  return 0;

fail:
  if (*notify_fd >= 0)
    close (*notify_fd);
  *notify_fd = -1;
  return -1;
}
