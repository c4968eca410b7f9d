/* The security area's entry points (include/ocirt/security.h): prepare in the runtime before any
 * process exists, apply in the container. */
#include <errno.h>
#include <stdlib.h>

#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

/* Fields not applied yet fail loudly rather than being ignored. */
static int
check_unimplemented (const struct ocirt_spec *spec, const struct ocirt_process *proc, struct ocirt_err **err)
{
  const char *field = NULL;

  if (proc->has_capabilities)
    field = "process.capabilities";
  else if (proc->no_new_privileges)
    field = "process.noNewPrivileges";
  else if (proc->apparmor_profile)
    field = "process.apparmorProfile";
  else if (proc->selinux_label)
    field = "process.selinuxLabel";
  else if (proc->has_oom_score_adj)
    field = "process.oomScoreAdj";
  else if (proc->has_scheduler)
    field = "process.scheduler";
  else if (proc->has_io_priority)
    field = "process.ioPriority";
  else if (proc->exec_cpu_affinity_initial || proc->exec_cpu_affinity_final)
    field = "process.execCPUAffinity";
  else if (spec->has_linux && spec->linux_.has_seccomp)
    field = "linux.seccomp";
  else if (spec->has_linux && spec->linux_.n_sysctl > 0)
    field = "linux.sysctl";
  else if (spec->has_linux && spec->linux_.n_masked_paths > 0)
    field = "linux.maskedPaths";
  else if (spec->has_linux && spec->linux_.n_readonly_paths > 0)
    field = "linux.readonlyPaths";
  else if (spec->has_linux && spec->linux_.has_personality)
    field = "linux.personality";
  else if (spec->has_linux && spec->linux_.mount_label)
    field = "linux.mountLabel";
  if (field)
    return ocirt_err_make (err, ENOTSUP, "%s is not implemented yet", field);
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
  if (check_unimplemented (spec, proc, err) < 0)
    return -1;
  s = xzalloc (sizeof *s);
  s->spec = spec;
  s->proc = proc;
  s->is_init = proc == spec->process;
  if (ocirt_rlimits_plan (proc->rlimits, proc->n_rlimits, &s->rlimits, err) < 0)
    {
      ocirt_security_free (s);
      return -1;
    }
  s->n_rlimits = proc->n_rlimits;
  *out = s;
  return 0;
}

void
ocirt_security_free (struct ocirt_security *s)
{
  if (s == NULL)
    return;
  free (s->rlimits);
  free (s);
}

void
ocirt_security_freep (struct ocirt_security **s)
{
  ocirt_security_free (*s);
  *s = NULL;
}

int
ocirt_security_apply_rootfs (const struct ocirt_spec *spec, struct ocirt_err **err)
{
  return 0;
}

int
ocirt_security_apply_process (const struct ocirt_security *s, const struct ocirt_process *proc,
                              int *notify_fd, struct ocirt_err **err)
{
  *notify_fd = -1;
  /* Raising hard limits needs CAP_SYS_RESOURCE: before the uid change. */
  if (ocirt_rlimits_apply (s->rlimits, s->n_rlimits, err) < 0)
    return -1;
  if (ocirt_user_apply (&proc->user, err) < 0)
    return -1;
  return 0;
}
