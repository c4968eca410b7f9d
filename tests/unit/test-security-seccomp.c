/* linux.seccomp: actions, operators, flags, the runc rule for several conditions on one argument,
 * and compiling a filter with libseccomp (no loading: unprivileged). */
#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/security.h"
#include "ocirt/xalloc.h"
#include "src/lib/security/seccomp-plan.h"
#include "src/lib/security/security-internal.h"
#include "tap.h"

static void
test_actions (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  uint32_t a = 1;

  ok (ocirt_seccomp_action ("SCMP_ACT_ALLOW", false, 0, "x", &a, &err) == 0 && a == SECCOMP_RET_ALLOW, "ALLOW");
  ok (ocirt_seccomp_action ("SCMP_ACT_KILL", false, 0, "x", &a, &err) == 0 && a == SECCOMP_RET_KILL_THREAD,
      "KILL is KILL_THREAD");
  ok (ocirt_seccomp_action ("SCMP_ACT_KILL_PROCESS", false, 0, "x", &a, &err) == 0
          && a == SECCOMP_RET_KILL_PROCESS,
      "KILL_PROCESS");
  ok (ocirt_seccomp_action ("SCMP_ACT_TRAP", false, 0, "x", &a, &err) == 0 && a == SECCOMP_RET_TRAP, "TRAP");
  ok (ocirt_seccomp_action ("SCMP_ACT_LOG", false, 0, "x", &a, &err) == 0 && a == SECCOMP_RET_LOG, "LOG");
  ok (ocirt_seccomp_action ("SCMP_ACT_NOTIFY", false, 0, "x", &a, &err) == 0 && a == SECCOMP_RET_USER_NOTIF,
      "NOTIFY");
  ok (ocirt_seccomp_action ("SCMP_ACT_ERRNO", false, 0, "x", &a, &err) == 0 && a == (SECCOMP_RET_ERRNO | EPERM),
      "ERRNO defaults to EPERM");
  ok (ocirt_seccomp_action ("SCMP_ACT_ERRNO", true, ENOSYS, "x", &a, &err) == 0
          && a == (SECCOMP_RET_ERRNO | ENOSYS),
      "ERRNO with errnoRet");
  ok (ocirt_seccomp_action ("SCMP_ACT_TRACE", true, 42, "x", &a, &err) == 0 && a == (SECCOMP_RET_TRACE | 42),
      "TRACE with errnoRet");
  ok (ocirt_seccomp_action ("SCMP_ACT_TRACE", false, 0, "x", &a, &err) == 0 && a == (SECCOMP_RET_TRACE | EPERM),
      "TRACE defaults to EPERM");
  ok (err == NULL, "no error so far");
  {
    cleanup_err struct ocirt_err *e = NULL;
    is_int (ocirt_seccomp_action ("SCMP_ACT_ALLOW", true, 1, "linux.seccomp.syscalls[0]", &a, &e), -1,
            "errnoRet on ALLOW fails");
    is_str (e ? e->msg : NULL,
            "linux.seccomp.syscalls[0]: seccomp action `SCMP_ACT_ALLOW` does not take an errno return code",
            "message");
  }
  {
    cleanup_err struct ocirt_err *e = NULL;
    is_int (ocirt_seccomp_action ("SCMP_ACT_FOO", false, 0, "linux.seccomp.defaultAction", &a, &e), -1,
            "unknown action fails");
    is_str (e ? e->msg : NULL, "linux.seccomp.defaultAction: unknown seccomp action `SCMP_ACT_FOO`", "message");
  }
}

static void
test_operators_flags (void)
{
  enum ocirt_seccomp_op op;
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" };
  char *bad[] = { "SECCOMP_FILTER_FLAG_NOPE" };
  unsigned long f = 0;
  size_t n;

  ok (ocirt_seccomp_operator ("SCMP_CMP_MASKED_EQ", &op) == 0 && op == OCIRT_SCMP_MASKED_EQ, "MASKED_EQ");
  ok (ocirt_seccomp_operator ("SCMP_CMP_NE", &op) == 0 && op == OCIRT_SCMP_NE, "NE");
  ok (ocirt_seccomp_operator ("SCMP_CMP_LT", &op) == 0 && op == OCIRT_SCMP_LT, "LT");
  ok (ocirt_seccomp_operator ("SCMP_CMP_LE", &op) == 0 && op == OCIRT_SCMP_LE, "LE");
  ok (ocirt_seccomp_operator ("SCMP_CMP_EQ", &op) == 0 && op == OCIRT_SCMP_EQ, "EQ");
  ok (ocirt_seccomp_operator ("SCMP_CMP_GE", &op) == 0 && op == OCIRT_SCMP_GE, "GE");
  ok (ocirt_seccomp_operator ("SCMP_CMP_GT", &op) == 0 && op == OCIRT_SCMP_GT, "GT");
  is_int (ocirt_seccomp_operator ("SCMP_CMP_XX", &op), -1, "unknown operator");
  {
    cleanup_err struct ocirt_err *e = NULL;
    is_int (ocirt_seccomp_flags (flags, 4, &f, &e), 0, "known flags");
    is_int (f, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC | (1UL << 5),
            "flag bits");
  }
  {
    cleanup_err struct ocirt_err *e = NULL;
    is_int (ocirt_seccomp_flags (bad, 1, &f, &e), -1, "unknown flag");
    is_str (e ? e->msg : NULL, "linux.seccomp.flags[0]: unknown seccomp flag `SECCOMP_FILTER_FLAG_NOPE`",
            "message");
  }
  ocirt_seccomp_known_actions (&n);
  is_int (n, 9, "9 actions known");
  ocirt_seccomp_known_operators (&n);
  is_int (n, 7, "7 operators known");
  ocirt_seccomp_known_archs (&n);
  is_int (n, 23, "23 architectures known");
}

static void
test_rules (void)
{
  char *mkdir_names[] = { "mkdir", "mkdirat" };
  char *personality_name[] = { "personality" };
  char *getcwd_name[] = { "getcwd" };
  struct ocirt_seccomp_arg distinct[] = { { .index = 0, .value = 8, .op = "SCMP_CMP_EQ" },
                                          { .index = 1, .value = 0xff, .value_two = 0x10, .op = "SCMP_CMP_MASKED_EQ" } };
  struct ocirt_seccomp_arg same[] = { { .index = 0, .value = 0, .op = "SCMP_CMP_EQ" },
                                      { .index = 0, .value = 8, .op = "SCMP_CMP_EQ" },
                                      { .index = 0, .value = 0xffffffff, .op = "SCMP_CMP_EQ" } };
  struct ocirt_seccomp_rule rules[] = {
    { .names = mkdir_names, .n_names = 2, .action = "SCMP_ACT_ERRNO" },
    { .names = personality_name, .n_names = 1, .action = "SCMP_ACT_KILL", .args = distinct, .n_args = 2 },
    { .names = personality_name, .n_names = 1, .action = "SCMP_ACT_LOG", .args = same, .n_args = 3 },
    { .names = getcwd_name, .n_names = 1, .action = "SCMP_ACT_ALLOW" }, /* = default: dropped */
  };
  struct ocirt_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .syscalls = rules, .n_syscalls = 4 };
  cleanup_free struct ocirt_seccomp_rule_plan *p = NULL;
  cleanup_err struct ocirt_err *err = NULL;
  uint32_t def;
  size_t n;
  bool notify;

  is_int (ocirt_seccomp_rules_plan (&sc, &def, &p, &n, &notify, &err), 0, "rules plan");
  is_int (def, SECCOMP_RET_ALLOW, "default action");
  ok (!notify, "no notify");
  is_int (n, 6, "2 names + 1 AND rule + 3 OR rules; the default-action rule dropped");
  is_str (p[0].name, "mkdir", "first name");
  is_str (p[1].name, "mkdirat", "second name");
  is_int (p[0].action, SECCOMP_RET_ERRNO | EPERM, "ERRNO(EPERM)");
  is_int (p[0].n_conds, 0, "no conditions");
  is_int (p[2].n_conds, 2, "distinct indexes: one rule with both conditions");
  is_int (p[2].conds[1].op, OCIRT_SCMP_MASKED_EQ, "masked op");
  is_int (p[2].conds[1].datum_a, 0xff, "MASKED_EQ: value is the mask");
  is_int (p[2].conds[1].datum_b, 0x10, "MASKED_EQ: valueTwo is the value");
  ok (p[3].n_conds == 1 && p[4].n_conds == 1 && p[5].n_conds == 1, "same index: one rule per condition");
  is_int (p[5].conds[0].datum_a, 0xffffffff, "last condition value");
  is_int (p[5].action, SECCOMP_RET_LOG, "LOG");
}

static int
plan_err (struct ocirt_seccomp *sc, const char *want, const char *what)
{
  cleanup_free struct ocirt_seccomp_rule_plan *p = NULL;
  cleanup_err struct ocirt_err *err = NULL;
  uint32_t def;
  size_t n;
  bool notify;

  is_int (ocirt_seccomp_rules_plan (sc, &def, &p, &n, &notify, &err), -1, "%s fails", what);
  is_str (err ? err->msg : NULL, want, "%s: message", what);
  return 0;
}

static void
test_rule_errors (void)
{
  char *write_name[] = { "write" };
  char *mkdir_name[] = { "mkdir" };
  struct ocirt_seccomp_arg bad_index[] = { { .index = 6, .value = 0, .op = "SCMP_CMP_EQ" } };
  struct ocirt_seccomp_arg bad_op[] = { { .index = 0, .value = 0, .op = "SCMP_CMP_FOO" } };
  struct ocirt_seccomp_rule notify_write = { .names = write_name, .n_names = 1, .action = "SCMP_ACT_NOTIFY" };
  struct ocirt_seccomp_rule r_index = { .names = mkdir_name, .n_names = 1, .action = "SCMP_ACT_KILL",
                                        .args = bad_index, .n_args = 1, .line = 12 };
  struct ocirt_seccomp_rule r_op = { .names = mkdir_name, .n_names = 1, .action = "SCMP_ACT_KILL", .args = bad_op,
                                     .n_args = 1, .line = 13 };
  struct ocirt_seccomp sc = { .default_action = "SCMP_ACT_NOTIFY" };

  plan_err (&sc,
            "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the runtime's own last "
            "syscalls would wait for an agent that has no fd yet)",
            "NOTIFY as default");
  sc.default_action = "SCMP_ACT_ALLOW";
  sc.default_errno_ret = 1;
  sc.has_default_errno_ret = true;
  plan_err (&sc, "linux.seccomp.defaultAction: seccomp action `SCMP_ACT_ALLOW` does not take an errno return code",
            "defaultErrnoRet with ALLOW");
  sc.has_default_errno_ret = false;
  sc.syscalls = &notify_write;
  sc.n_syscalls = 1;
  plan_err (&sc,
            "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for `write`: the container process needs it "
            "to hand the listener fd to the runtime",
            "NOTIFY on write");
  sc.syscalls = &r_index;
  plan_err (&sc, "linux.seccomp.syscalls[0].args[0]: index 6 out of range (0-5) at line 12", "arg index 6");
  sc.syscalls = &r_op;
  plan_err (&sc, "linux.seccomp.syscalls[0].args[0]: unknown seccomp operator `SCMP_CMP_FOO` at line 13",
            "unknown operator");
  sc.syscalls = NULL;
  sc.n_syscalls = 0;
  sc.listener_metadata = "x";
  plan_err (&sc, "linux.seccomp.listenerMetadata is set without linux.seccomp.listenerPath", "metadata alone");
}

static void
test_compile (void)
{
#ifdef HAVE_SECCOMP
  char *names[] = { "mkdir", "no_such_syscall_xyz", "mkdirat" };
  char *notify_names[] = { "getpid" };
  char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };
  char *bad_archs[] = { "SCMP_ARCH_VAX" };
  char *flags[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_LOG" };
  struct ocirt_seccomp_rule rules[] = {
    { .names = names, .n_names = 3, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = EPERM },
    { .names = notify_names, .n_names = 1, .action = "SCMP_ACT_NOTIFY" },
  };
  struct ocirt_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .architectures = archs, .n_architectures = 3,
                              .syscalls = rules, .n_syscalls = 1, .flags = flags, .n_flags = 2 };
  struct ocirt_seccomp_plan *p = NULL;

  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_seccomp_plan (&sc, &p, &err), 0, "compiles; an unknown syscall name is skipped");
    ok (p != NULL && !ocirt_seccomp_plan_uses_notify (p), "no listener");
    ocirt_seccomp_plan_free (p);
  }
  sc.n_syscalls = 2;
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_seccomp_plan (&sc, &p, &err), 0, "compiles with NOTIFY");
    ok (p != NULL && ocirt_seccomp_plan_uses_notify (p), "uses a listener");
    ocirt_seccomp_plan_free (p);
  }
  sc.architectures = bad_archs;
  sc.n_architectures = 1;
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_seccomp_plan (&sc, &p, &err), -1, "unknown architecture fails");
    is_str (err ? err->msg : NULL, "linux.seccomp.architectures[0]: unknown architecture `SCMP_ARCH_VAX`",
            "message");
  }
#else
  ok (1, "# SKIP built without libseccomp");
#endif
}

static void
test_cache (void)
{
#ifdef HAVE_SECCOMP
  char *names[] = { "mkdir", "mkdirat" };
  char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86" };
  struct ocirt_seccomp_rule rules[] = {
    { .names = names, .n_names = 2, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 28 },
  };
  struct ocirt_seccomp sc = { .default_action = "SCMP_ACT_ALLOW", .architectures = archs, .n_architectures = 2,
                              .syscalls = rules, .n_syscalls = 1 };
  char dir[] = "/tmp/ocirt-test-seccomp-cache-XXXXXX";
  struct ocirt_seccomp_plan *cold = NULL, *warm = NULL;
  const struct sock_filter *a, *b;
  size_t na, nb, n_files = 0;
  unsigned long fa, fb;
  cleanup_free char *k1 = NULL, *k2 = NULL, *k3 = NULL;
  cleanup_closedir DIR *d = NULL;
  struct dirent *e;

  k1 = ocirt_seccomp_cache_key (&sc, "2.5.4");
  k2 = ocirt_seccomp_cache_key (&sc, "2.5.4");
  is_str (k1, k2, "the key is stable");
  rules[0].errno_ret = 29;
  k3 = ocirt_seccomp_cache_key (&sc, "2.5.4");
  ok (strcmp (k1, k3) != 0, "errnoRet changes the key");
  free (k3);
  rules[0].errno_ret = 28;
  k3 = ocirt_seccomp_cache_key (&sc, "2.6.0");
  ok (strcmp (k1, k3) != 0, "the libseccomp version changes the key");

  ok (mkdtemp (dir) != NULL, "temp dir");
  ocirt_seccomp_set_cache_dir (dir);
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_seccomp_plan (&sc, &cold, &err), 0, "cold compile stores the program");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_seccomp_plan (&sc, &warm, &err), 0, "warm: taken from the cache");
  }
  a = ocirt_seccomp_plan_program (cold, &na, &fa);
  b = ocirt_seccomp_plan_program (warm, &nb, &fb);
  ok (na > 0 && na == nb && memcmp (a, b, na * sizeof *a) == 0 && fa == fb, "the same program and flags");
  d = opendir (dir);
  while (d && (e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      {
        struct sock_filter *insns = NULL;
        size_t n = 0;
        cleanup_free char *path = NULL;

        n_files++;
        ok (ocirt_seccomp_cache_load (dir, k3, &insns, &n) == -1, "another key misses");
        path = xfmt ("%s/%s", dir, e->d_name);
        chmod (path, 0620);
        ok (ocirt_seccomp_cache_load (dir, k1, &insns, &n) == -1, "a group-writable cache file is not trusted");
        unlink (path);
      }
  is_int (n_files, 1, "one file in the cache");
  rmdir (dir);
  ocirt_seccomp_set_cache_dir (NULL);
  ocirt_seccomp_plan_free (cold);
  ocirt_seccomp_plan_free (warm);
#else
  ok (1, "# SKIP built without libseccomp");
#endif
}

int
main (void)
{
  test_actions ();
  test_operators_flags ();
  test_rules ();
  test_rule_errors ();
  test_compile ();
  test_cache ();
  return done_testing ();
}
