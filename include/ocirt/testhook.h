/* Fault injection for the hardening tests (tests/bats/faults.bats, issue 9).
 *
 * OCIRT_TEST_FAIL_AT ("phase") at a point of the lifecycle: when the environment variable
 * OCIRT_TEST_FAIL_AT names that phase, the process dies there at once, by SIGKILL, as if the
 * machine had killed it: no cleanup, no error message, locks dropped by the kernel. Phases in the
 * runtime are named after the step just done ("cgroup": the cgroup exists); those the container's
 * init runs start with "init-". The list is in tests/bats/faults.bats.
 *
 * Compiled only with -Dtest_hooks=true (config.h's OCIRT_TEST_HOOKS); otherwise the macro is
 * nothing, so release builds read no variable and carry no trace of it. */
#ifndef OCIRT_TESTHOOK_H
#define OCIRT_TESTHOOK_H

#ifdef OCIRT_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void
ocirt_test_fail_at (const char *phase)
{
  const char *want = getenv ("OCIRT_TEST_FAIL_AT");

  if (want == NULL || strcmp (want, phase) != 0)
    return;
  kill (getpid (), SIGKILL);
  /* still here: the init as pid 1 of its pid namespace, which ignores a SIGKILL from inside it;
   * a trap is a signal the kernel forces even there (the init dies of SIGILL) */
  __builtin_trap ();
}
#define OCIRT_TEST_FAIL_AT(phase) ocirt_test_fail_at (phase)
#else
#define OCIRT_TEST_FAIL_AT(phase) ((void) 0)
#endif

#endif
