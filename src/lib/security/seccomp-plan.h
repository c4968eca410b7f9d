/* linux.seccomp as data: what seccomp.c hands to libseccomp. Pure, no libseccomp types, so the
 * unit tests check the mapping without compiling a filter. Action values are the kernel's
 * SECCOMP_RET_* (the same numbers libseccomp's SCMP_ACT_* use). */
#ifndef OCIRT_SECCOMP_PLAN_H
#define OCIRT_SECCOMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ocirt/spec.h"

struct ocirt_err;

#define OCIRT_SECCOMP_MAX_ARGS 6

/* Same numbering as libseccomp's enum scmp_compare (checked at compile time in seccomp.c). */
enum ocirt_seccomp_op
{
  OCIRT_SCMP_NE = 1,
  OCIRT_SCMP_LT = 2,
  OCIRT_SCMP_LE = 3,
  OCIRT_SCMP_EQ = 4,
  OCIRT_SCMP_GE = 5,
  OCIRT_SCMP_GT = 6,
  OCIRT_SCMP_MASKED_EQ = 7,
};

struct ocirt_seccomp_cond
{
  unsigned arg;
  enum ocirt_seccomp_op op;
  uint64_t datum_a; /* MASKED_EQ: the mask */
  uint64_t datum_b; /* MASKED_EQ: the value the masked argument must equal */
};

struct ocirt_seccomp_rule_plan
{
  const char *name; /* borrowed from the spec */
  uint32_t action;
  unsigned n_conds;
  struct ocirt_seccomp_cond conds[OCIRT_SECCOMP_MAX_ARGS * 4];
};

/* Action name (+ errnoRet) to its SECCOMP_RET_* value; errno defaults to EPERM for ERRNO and
 * TRACE; an errnoRet on an action that takes none is an error, as the spec requires. */
int ocirt_seccomp_action (const char *name, bool has_errno, uint32_t errno_ret, const char *where, uint32_t *out,
                          struct ocirt_err **err);
int ocirt_seccomp_operator (const char *name, enum ocirt_seccomp_op *out); /* -1 unknown */
/* linux.seccomp.flags to SECCOMP_FILTER_FLAG_* bits; unknown names are an error. */
int ocirt_seccomp_flags (char *const *names, size_t n, unsigned long *out, struct ocirt_err **err);
/* The rules, in config order, one per (syscall name, condition group). Rules whose action is the
 * default action are left out (libseccomp refuses them; they change nothing). Syscall names are
 * not resolved here: seccomp.c skips names unknown to libseccomp, as runc does. */
int ocirt_seccomp_rules_plan (const struct ocirt_seccomp *sc, uint32_t *default_action,
                              struct ocirt_seccomp_rule_plan **rules, size_t *n, bool *uses_notify,
                              struct ocirt_err **err);

/* The compiled-program cache (seccomp-cache.c). The key is the canonical text of everything that
 * shapes the program; load returns 0 on a hit (exact key match), -1 otherwise. */
struct sock_filter;
const char *ocirt_seccomp_cache_dir (void);
char *ocirt_seccomp_cache_key (const struct ocirt_seccomp *sc, const char *libseccomp_version);
int ocirt_seccomp_cache_load (const char *dir, const char *key, struct sock_filter **insns, size_t *n);
void ocirt_seccomp_cache_store (const char *dir, const char *key, const struct sock_filter *insns, size_t n);

/* Everything ocirt knows, for `ocirt features` and docs. */
const char *const *ocirt_seccomp_known_actions (size_t *n);
const char *const *ocirt_seccomp_known_operators (size_t *n);
const char *const *ocirt_seccomp_known_flags (size_t *n);
const char *const *ocirt_seccomp_known_archs (size_t *n);

#endif
