/* linux.seccomp, the kernel side: the rule list of seccomp-plan.c compiled with libseccomp into a
 * classic BPF program in the runtime before clone (prepare), and loaded in the container with
 * seccomp(2) as the last step before execve. Loading it ourselves keeps the flags (LOG,
 * SPEC_ALLOW, TSYNC, WAIT_KILLABLE_RECV, NEW_LISTENER) independent of the libseccomp version. */
#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"
#include "seccomp-plan.h"
#include "security-internal.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct ocirt_seccomp_plan
{
  struct sock_filter *insns;
  size_t n_insns;
  unsigned long flags; /* SECCOMP_FILTER_FLAG_* */
  bool uses_notify;
};

void
ocirt_seccomp_plan_free (struct ocirt_seccomp_plan *p)
{
  if (p == NULL)
    return;
  free (p->insns);
  free (p);
}

const struct sock_filter *
ocirt_seccomp_plan_program (const struct ocirt_seccomp_plan *p, size_t *n, unsigned long *flags)
{
  *n = p->n_insns;
  *flags = p->flags;
  return p->insns;
}

bool
ocirt_seccomp_plan_uses_notify (const struct ocirt_seccomp_plan *p)
{
  return p && p->uses_notify;
}

int
ocirt_seccomp_load (const struct ocirt_seccomp_plan *p, int *notify_fd, struct ocirt_err **err)
{
  struct sock_fprog prog = { .len = (unsigned short) p->n_insns, .filter = p->insns };
  long ret;

  *notify_fd = -1;
  ret = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
  if (ret < 0)
    {
      int e = errno;

      if (e == EACCES)
        return ocirt_err_make (err, e, "load the seccomp filter (needs noNewPrivileges or CAP_SYS_ADMIN)");
      return ocirt_err_make (err, e, "load the seccomp filter (flags 0x%lx)", p->flags);
    }
  if (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
    *notify_fd = (int) ret;
  return 0;
}

#ifdef HAVE_SECCOMP
#include <seccomp.h>

_Static_assert ((int) OCIRT_SCMP_NE == (int) SCMP_CMP_NE && (int) OCIRT_SCMP_MASKED_EQ == (int) SCMP_CMP_MASKED_EQ
                    && (int) OCIRT_SCMP_GT == (int) SCMP_CMP_GT,
                "operator numbering follows libseccomp");

static void
ctx_release (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}

static int
add_archs (scmp_filter_ctx ctx, char *const *archs, size_t n, struct ocirt_err **err)
{
  size_t i, j, n_known;
  const char *const *known = ocirt_seccomp_known_archs (&n_known);

  for (i = 0; i < n; i++)
    {
      char lower[32];
      const char *tail;
      uint32_t token;
      int r;

      for (j = 0; j < n_known; j++)
        if (strcmp (known[j], archs[i]) == 0)
          break;
      if (j == n_known)
        return ocirt_err_make (err, 0, "linux.seccomp.architectures[%zu]: unknown architecture `%s`", i, archs[i]);
      tail = archs[i] + strlen ("SCMP_ARCH_");
      for (j = 0; tail[j] && j < sizeof lower - 1; j++)
        lower[j] = (char) tolower ((unsigned char) tail[j]);
      lower[j] = '\0';
      token = seccomp_arch_resolve_name (lower);
      if (token == 0)
        {
          /* Its syscalls then hit the bad-arch action (kill): the safe direction. */
          log_warning ("linux.seccomp.architectures: `%s` is not supported by this libseccomp, skipping it",
                       archs[i]);
          continue;
        }
      r = seccomp_arch_add (ctx, token);
      if (r < 0 && r != -EEXIST)
        return ocirt_err_make (err, -r, "linux.seccomp.architectures: add `%s`", archs[i]);
    }
  return 0;
}

static int
add_rules (scmp_filter_ctx ctx, const struct ocirt_seccomp_rule_plan *rules, size_t n, struct ocirt_err **err)
{
  size_t i;
  unsigned j;

  for (i = 0; i < n; i++)
    {
      struct scmp_arg_cmp conds[OCIRT_SECCOMP_MAX_ARGS * 4];
      int nr = seccomp_syscall_resolve_name (rules[i].name);
      int r;

      if (nr == __NR_SCMP_ERROR)
        {
          /* An old kernel/libseccomp or another architecture's syscall: runc skips these. */
          log_debug ("linux.seccomp: unknown syscall `%s`, skipping it", rules[i].name);
          continue;
        }
      for (j = 0; j < rules[i].n_conds; j++)
        {
          conds[j].arg = rules[i].conds[j].arg;
          conds[j].op = (enum scmp_compare) rules[i].conds[j].op;
          conds[j].datum_a = rules[i].conds[j].datum_a;
          conds[j].datum_b = rules[i].conds[j].datum_b;
        }
      r = seccomp_rule_add_array (ctx, rules[i].action, nr, rules[i].n_conds, conds);
      if (r < 0)
        return ocirt_err_make (err, -r, "linux.seccomp: add the rule for syscall `%s`", rules[i].name);
    }
  return 0;
}

/* libseccomp writes the program to an fd; a memfd keeps it off the filesystem. */
static int
export_bpf (scmp_filter_ctx ctx, struct ocirt_seccomp_plan *p, struct ocirt_err **err)
{
  cleanup_close int fd = memfd_create ("ocirt-seccomp", MFD_CLOEXEC);
  struct stat st;
  size_t done = 0;
  int r;

  if (fd < 0)
    return ocirt_err_make (err, errno, "memfd_create for the seccomp program");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return ocirt_err_make (err, -r, "linux.seccomp: compile the filter");
  if (fstat (fd, &st) < 0)
    return ocirt_err_make (err, errno, "fstat the seccomp program");
  if (st.st_size == 0 || st.st_size % sizeof (struct sock_filter) != 0
      || st.st_size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return ocirt_err_make (err, E2BIG, "linux.seccomp: compiled filter has an invalid size (%lld bytes)",
                           (long long) st.st_size);
  p->insns = xmalloc ((size_t) st.st_size);
  while (done < (size_t) st.st_size)
    {
      ssize_t k = pread (fd, (char *) p->insns + done, (size_t) st.st_size - done, (off_t) done);

      if (k <= 0)
        return ocirt_err_make (err, k < 0 ? errno : EIO, "read the seccomp program");
      done += (size_t) k;
    }
  p->n_insns = (size_t) st.st_size / sizeof (struct sock_filter);
  return 0;
}

static int compile (const struct ocirt_seccomp *sc, uint32_t def, const struct ocirt_seccomp_rule_plan *rules,
                    size_t n, struct ocirt_seccomp_plan *p, struct ocirt_err **err);
static void finish_flags (struct ocirt_seccomp_plan *p, bool notify);

int
ocirt_seccomp_plan (const struct ocirt_seccomp *sc, struct ocirt_seccomp_plan **out, struct ocirt_err **err)
{
  cleanup_free struct ocirt_seccomp_rule_plan *rules = NULL;
  cleanup_free char *key = NULL;
  struct ocirt_seccomp_plan *p;
  uint32_t def;
  size_t n;
  bool notify;

  *out = NULL;
  if (ocirt_seccomp_rules_plan (sc, &def, &rules, &n, &notify, err) < 0)
    return -1;
  p = xzalloc (sizeof *p);
  if (ocirt_seccomp_flags (sc->flags, sc->n_flags, &p->flags, err) < 0)
    {
      ocirt_seccomp_plan_free (p);
      return -1;
    }
  if (ocirt_seccomp_cache_dir () != NULL)
    {
      const struct scmp_version *v = seccomp_version ();
      char version[64];

      snprintf (version, sizeof version, "%u.%u.%u", v->major, v->minor, v->micro);
      key = ocirt_seccomp_cache_key (sc, version);
      if (ocirt_seccomp_cache_load (ocirt_seccomp_cache_dir (), key, &p->insns, &p->n_insns) == 0)
        {
          log_debug ("linux.seccomp: compiled filter taken from the cache");
          goto done;
        }
    }
  if (compile (sc, def, rules, n, p, err) < 0)
    {
      ocirt_seccomp_plan_free (p);
      return -1;
    }
  if (key)
    ocirt_seccomp_cache_store (ocirt_seccomp_cache_dir (), key, p->insns, p->n_insns);

done:
  finish_flags (p, notify);
  *out = p;
  return 0;
}

static int
compile (const struct ocirt_seccomp *sc, uint32_t def, const struct ocirt_seccomp_rule_plan *rules, size_t n,
         struct ocirt_seccomp_plan *p, struct ocirt_err **err)
{
  __attribute__ ((cleanup (ctx_release))) scmp_filter_ctx ctx = NULL;
  int r;

  ctx = seccomp_init (def);
  if (ctx == NULL)
    return ocirt_err_make (err, EINVAL, "linux.seccomp: create a filter with default action `%s`",
                           sc->default_action);
  /* NNP is the process config's business (noNewPrivileges), not the filter's. */
  r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (r < 0)
    return ocirt_err_make (err, -r, "linux.seccomp: clear the NNP attribute");
  if (add_archs (ctx, sc->architectures, sc->n_architectures, err) < 0)
    return -1;
  if (add_rules (ctx, rules, n, err) < 0)
    return -1;
  return export_bpf (ctx, p, err);
}

static void
finish_flags (struct ocirt_seccomp_plan *p, bool notify)
{
  p->uses_notify = notify;
  if (notify)
    {
      p->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* The kernel refuses TSYNC with a listener unless failures are reported as ESRCH. */
      if (p->flags & SECCOMP_FILTER_FLAG_TSYNC)
        p->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
  else if (p->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    {
      /* Only meaningful with a listener; the kernel rejects it without one. */
      log_debug ("linux.seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without a SCMP_ACT_NOTIFY rule, ignored");
      p->flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
}

#else /* !HAVE_SECCOMP */

int
ocirt_seccomp_plan (const struct ocirt_seccomp *sc, struct ocirt_seccomp_plan **out, struct ocirt_err **err)
{
  *out = NULL;
  return ocirt_err_make (err, ENOTSUP, "linux.seccomp: ocirt was built without libseccomp");
}

#endif
