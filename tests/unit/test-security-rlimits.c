/* process.rlimits validation. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ocirt/names.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "src/lib/security/security-internal.h"
#include "tap.h"

static void
test_names (void)
{
  is_int (ocirt_rlimit_resource ("RLIMIT_NOFILE"), RLIMIT_NOFILE, "RLIMIT_NOFILE");
  is_int (ocirt_rlimit_resource ("RLIMIT_RTTIME"), RLIMIT_RTTIME, "RLIMIT_RTTIME");
  is_int (ocirt_rlimit_resource ("RLIMIT_MSGQUEUE"), RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE");
  is_int (ocirt_rlimit_resource ("RLIMIT_FOO"), -1, "unknown");
  is_int (ocirt_rlimit_resource ("nofile"), -1, "the full name is required");
}

static void
test_plan (void)
{
  struct ocirt_rlimit rl[] = {
    { .type = "RLIMIT_NOFILE", .soft = 1024, .hard = 4096, .line = 3 },
    { .type = "RLIMIT_CORE", .soft = UINT64_MAX, .hard = UINT64_MAX, .line = 4 },
  };
  cleanup_free struct ocirt_rlimit_plan *p = NULL;
  cleanup_err struct ocirt_err *err = NULL;

  is_int (ocirt_rlimits_plan (rl, 2, &p, &err), 0, "valid rlimits plan");
  is_int (p[0].resource, RLIMIT_NOFILE, "resource");
  is_int (p[0].lim.rlim_cur, 1024, "soft");
  is_int (p[0].lim.rlim_max, 4096, "hard");
  ok (p[1].lim.rlim_cur == RLIM_INFINITY, "UINT64_MAX is unlimited");
}

static void
expect_error (struct ocirt_rlimit *rl, size_t n, const char *want, const char *what)
{
  cleanup_free struct ocirt_rlimit_plan *p = NULL;
  cleanup_err struct ocirt_err *err = NULL;

  is_int (ocirt_rlimits_plan (rl, n, &p, &err), -1, "%s fails", what);
  ok (p == NULL, "%s: nothing planned", what);
  is_str (err ? err->msg : NULL, want, "%s: message", what);
}

static void
test_errors (void)
{
  struct ocirt_rlimit unknown[] = { { .type = "RLIMIT_FOO", .soft = 1, .hard = 1, .line = 7 } };
  struct ocirt_rlimit dup[] = { { .type = "RLIMIT_NOFILE", .soft = 1, .hard = 1, .line = 7 },
                                { .type = "RLIMIT_NOFILE", .soft = 2, .hard = 2, .line = 8 } };
  struct ocirt_rlimit soft_above[] = { { .type = "RLIMIT_NPROC", .soft = 10, .hard = 5, .line = 9 } };

  expect_error (unknown, 1, "process.rlimits[0]: unknown rlimit type `RLIMIT_FOO` at line 7", "unknown type");
  expect_error (dup, 2, "process.rlimits[1]: duplicate rlimit type `RLIMIT_NOFILE` at line 8", "duplicate type");
  expect_error (soft_above, 1,
                "process.rlimits[0]: `RLIMIT_NPROC` soft limit 10 is above its hard limit 5 at line 9",
                "soft above hard");
}

int
main (void)
{
  test_names ();
  test_plan ();
  test_errors ();
  return done_testing ();
}
