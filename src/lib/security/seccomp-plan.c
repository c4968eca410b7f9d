/* linux.seccomp, the pure part: name tables for actions, operators, flags and architectures,
 * and the config turned into a flat list of libseccomp-shaped rules (unit-tested in
 * tests/unit/test-security-seccomp.c). seccomp.c compiles and loads that list. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "seccomp-plan.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const struct
{
  const char *name;
  uint32_t action; /* without errno */
  bool takes_errno;
} actions[] = {
  { "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, false },
  { "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, false },
  { "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false },
  { "SCMP_ACT_TRAP", SECCOMP_RET_TRAP, false },
  { "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, true },
  { "SCMP_ACT_TRACE", SECCOMP_RET_TRACE, true },
  { "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, false },
  { "SCMP_ACT_LOG", SECCOMP_RET_LOG, false },
  { "SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF, false },
};

static const struct
{
  const char *name;
  enum ocirt_seccomp_op op;
} operators[] = {
  { "SCMP_CMP_NE", OCIRT_SCMP_NE }, { "SCMP_CMP_LT", OCIRT_SCMP_LT }, { "SCMP_CMP_LE", OCIRT_SCMP_LE },
  { "SCMP_CMP_EQ", OCIRT_SCMP_EQ }, { "SCMP_CMP_GE", OCIRT_SCMP_GE }, { "SCMP_CMP_GT", OCIRT_SCMP_GT },
  { "SCMP_CMP_MASKED_EQ", OCIRT_SCMP_MASKED_EQ },
};

static const struct
{
  const char *name;
  unsigned long flag;
} filter_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

/* The spec's architecture names (libseccomp 2.6); libseccomp resolves the lower-case tail. */
static const char *const spec_archs[] = {
  "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",     "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",     "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_MIPS",    "SCMP_ARCH_MIPS64",     "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",    "SCMP_ARCH_PPC64",       "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
  "SCMP_ARCH_S390X",   "SCMP_ARCH_PARISC",     "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",         "SCMP_ARCH_SHEB",
};

/* Syscalls the container process itself makes after loading the filter to hand the listener fd
 * to the runtime: notifying on them would block it forever (nobody has the fd yet). */
static const char *const notify_forbidden[] = { "write", "sendmsg" };

#define N_OF(a) (sizeof (a) / sizeof ((a)[0]))

const char *const *
ocirt_seccomp_known_actions (size_t *n)
{
  static const char *names[N_OF (actions)];
  size_t i;

  for (i = 0; i < N_OF (actions); i++)
    names[i] = actions[i].name;
  *n = N_OF (actions);
  return names;
}

const char *const *
ocirt_seccomp_known_operators (size_t *n)
{
  static const char *names[N_OF (operators)];
  size_t i;

  for (i = 0; i < N_OF (operators); i++)
    names[i] = operators[i].name;
  *n = N_OF (operators);
  return names;
}

const char *const *
ocirt_seccomp_known_flags (size_t *n)
{
  static const char *names[N_OF (filter_flags)];
  size_t i;

  for (i = 0; i < N_OF (filter_flags); i++)
    names[i] = filter_flags[i].name;
  *n = N_OF (filter_flags);
  return names;
}

const char *const *
ocirt_seccomp_known_archs (size_t *n)
{
  *n = N_OF (spec_archs);
  return spec_archs;
}

int
ocirt_seccomp_action (const char *name, bool has_errno, uint32_t errno_ret, const char *where, uint32_t *out,
                      struct ocirt_err **err)
{
  size_t i;

  for (i = 0; i < N_OF (actions); i++)
    if (strcmp (actions[i].name, name) == 0)
      break;
  if (i == N_OF (actions))
    return ocirt_err_make (err, 0, "%s: unknown seccomp action `%s`", where, name);
  if (!actions[i].takes_errno)
    {
      if (has_errno)
        return ocirt_err_make (err, 0, "%s: seccomp action `%s` does not take an errno return code", where,
                               name);
      *out = actions[i].action;
      return 0;
    }
  if (has_errno && errno_ret > 0xffff)
    return ocirt_err_make (err, 0, "%s: errno return code %u out of range (0-65535)", where, errno_ret);
  *out = actions[i].action | (has_errno ? errno_ret : EPERM);
  return 0;
}

int
ocirt_seccomp_operator (const char *name, enum ocirt_seccomp_op *out)
{
  size_t i;

  for (i = 0; i < N_OF (operators); i++)
    if (strcmp (operators[i].name, name) == 0)
      {
        *out = operators[i].op;
        return 0;
      }
  return -1;
}

int
ocirt_seccomp_flags (char *const *names, size_t n, unsigned long *out, struct ocirt_err **err)
{
  size_t i, j;

  *out = 0;
  for (i = 0; i < n; i++)
    {
      for (j = 0; j < N_OF (filter_flags); j++)
        if (strcmp (filter_flags[j].name, names[i]) == 0)
          break;
      if (j == N_OF (filter_flags))
        return ocirt_err_make (err, 0, "linux.seccomp.flags[%zu]: unknown seccomp flag `%s`", i, names[i]);
      *out |= filter_flags[j].flag;
    }
  return 0;
}

/* One config rule (one syscall name) into libseccomp rules: all conditions in one rule (AND)
 * when every argument index is distinct, else one rule per condition (OR), as runc does since
 * libseccomp cannot AND two conditions on one argument. */
static int
plan_one (const struct ocirt_seccomp_rule *r, size_t ri, const char *name, uint32_t action,
          struct ocirt_seccomp_rule_plan **rules, size_t *n, struct ocirt_err **err)
{
  struct ocirt_seccomp_cond conds[OCIRT_SECCOMP_MAX_ARGS * 4];
  unsigned count[OCIRT_SECCOMP_MAX_ARGS] = { 0 };
  bool repeated = false;
  size_t i;

  if (r->n_args > N_OF (conds))
    return ocirt_err_make (err, 0, "linux.seccomp.syscalls[%zu]: too many args (%zu) at line %u", ri, r->n_args,
                           r->line);
  for (i = 0; i < r->n_args; i++)
    {
      enum ocirt_seccomp_op op;

      if (r->args[i].index >= OCIRT_SECCOMP_MAX_ARGS)
        return ocirt_err_make (err, 0, "linux.seccomp.syscalls[%zu].args[%zu]: index %u out of range (0-5) at line %u",
                               ri, i, r->args[i].index, r->line);
      if (r->args[i].op == NULL || ocirt_seccomp_operator (r->args[i].op, &op) < 0)
        return ocirt_err_make (err, 0, "linux.seccomp.syscalls[%zu].args[%zu]: unknown seccomp operator `%s` at line %u",
                               ri, i, r->args[i].op ? r->args[i].op : "", r->line);
      conds[i].arg = r->args[i].index;
      conds[i].op = op;
      conds[i].datum_a = r->args[i].value; /* MASKED_EQ: the mask */
      conds[i].datum_b = r->args[i].value_two;
      if (++count[r->args[i].index] > 1)
        repeated = true;
    }
  if (!repeated || r->n_args == 0)
    {
      struct ocirt_seccomp_rule_plan *p;

      *rules = xrealloc (*rules, (*n + 1) * sizeof **rules);
      p = &(*rules)[(*n)++];
      memset (p, 0, sizeof *p);
      p->name = name;
      p->action = action;
      p->n_conds = (unsigned) r->n_args;
      memcpy (p->conds, conds, r->n_args * sizeof conds[0]);
      return 0;
    }
  for (i = 0; i < r->n_args; i++)
    {
      struct ocirt_seccomp_rule_plan *p;

      *rules = xrealloc (*rules, (*n + 1) * sizeof **rules);
      p = &(*rules)[(*n)++];
      memset (p, 0, sizeof *p);
      p->name = name;
      p->action = action;
      p->n_conds = 1;
      p->conds[0] = conds[i];
    }
  return 0;
}

int
ocirt_seccomp_rules_plan (const struct ocirt_seccomp *sc, uint32_t *default_action,
                          struct ocirt_seccomp_rule_plan **rules, size_t *n, bool *uses_notify,
                          struct ocirt_err **err)
{
  size_t i, j, k;

  *rules = NULL;
  *n = 0;
  *uses_notify = false;
  if (sc->default_action == NULL)
    return ocirt_err_make (err, 0, "linux.seccomp.defaultAction: missing");
  if (ocirt_seccomp_action (sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret,
                            "linux.seccomp.defaultAction", default_action, err)
      < 0)
    return -1;
  if (*default_action == SECCOMP_RET_USER_NOTIF)
    return ocirt_err_make (err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action "
                                   "(the runtime's own last syscalls would wait for an agent that has no fd yet)");
  if (sc->listener_metadata && sc->listener_path == NULL)
    return ocirt_err_make (err, 0, "linux.seccomp.listenerMetadata is set without linux.seccomp.listenerPath");
  for (i = 0; i < sc->n_syscalls; i++)
    {
      const struct ocirt_seccomp_rule *r = &sc->syscalls[i];
      char where[64];
      uint32_t action;

      snprintf (where, sizeof where, "linux.seccomp.syscalls[%zu]", i);
      if (r->action == NULL)
        {
          ocirt_err_make (err, 0, "%s.action: missing at line %u", where, r->line);
          goto fail;
        }
      if (ocirt_seccomp_action (r->action, r->has_errno_ret, r->errno_ret, where, &action, err) < 0)
        goto fail;
      if (r->n_names == 0)
        {
          ocirt_err_make (err, 0, "%s.names: must have at least one entry at line %u", where, r->line);
          goto fail;
        }
      if (action == SECCOMP_RET_USER_NOTIF)
        {
          *uses_notify = true;
          for (j = 0; j < r->n_names; j++)
            for (k = 0; k < N_OF (notify_forbidden); k++)
              if (strcmp (r->names[j], notify_forbidden[k]) == 0)
                {
                  ocirt_err_make (err, 0,
                                  "%s: SCMP_ACT_NOTIFY cannot be used for `%s`: the container process needs it to "
                                  "hand the listener fd to the runtime",
                                  where, r->names[j]);
                  goto fail;
                }
        }
      /* libseccomp refuses a rule whose action is the default one; it would change nothing. */
      if (action == *default_action)
        continue;
      for (j = 0; j < r->n_names; j++)
        if (plan_one (r, i, r->names[j], action, rules, n, err) < 0)
          goto fail;
    }
  return 0;

fail:
  free (*rules);
  *rules = NULL;
  *n = 0;
  return -1;
}
