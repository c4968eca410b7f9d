/* Scheduler, ioPriority, CPU lists, personality and the seccomp agent's state JSON. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/security.h"
#include "ocirt/state.h"
#include "src/lib/security/security-internal.h"
#include "tap.h"

static void
test_sched (void)
{
  char *flags[] = { "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM" };
  struct ocirt_scheduler s = { .policy = "SCHED_FIFO", .priority = 10, .has_priority = true };
  struct ocirt_sched_plan p;

  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), 0, "FIFO 10");
    ok (p.policy == SCHED_FIFO && p.priority == 10, "policy and priority");
  }
  s.priority = 0;
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), -1, "FIFO needs a priority");
    is_str (err ? err->msg : NULL, "process.scheduler.priority: SCHED_FIFO needs a priority from 1 to 99, got 0",
            "message");
  }
  s = (struct ocirt_scheduler){ .policy = "SCHED_DEADLINE", .runtime = 10000000, .deadline = 30000000,
                                .period = 30000000, .flags = flags, .n_flags = 2 };
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), 0, "DEADLINE");
    ok (p.policy == 6 && p.runtime == 10000000 && p.deadline == 30000000 && p.flags == 3, "deadline parameters");
  }
  s.runtime = 40000000;
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), -1, "runtime above deadline");
  }
  s = (struct ocirt_scheduler){ .policy = "SCHED_OTHER", .nice = 5, .has_nice = true };
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), 0, "OTHER nice 5");
    is_int (p.nice, 5, "nice");
  }
  s.nice = 20;
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), -1, "nice 20 out of range");
  }
  s = (struct ocirt_scheduler){ .policy = "SCHED_WHATEVER" };
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_sched_plan (&s, &p, &err), -1, "unknown policy");
    is_str (err ? err->msg : NULL, "process.scheduler.policy: unknown policy `SCHED_WHATEVER`", "message");
  }
}

static void
test_ioprio (void)
{
  int v = 0;

  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_ioprio_plan ("IOPRIO_CLASS_IDLE", 4, &v, &err), 0, "IDLE 4");
    is_int (v, (3 << 13) | 4, "ioprio value");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    ocirt_ioprio_plan ("IOPRIO_CLASS_RT", 0, &v, &err);
    is_int (v, 1 << 13, "RT 0");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_ioprio_plan ("IOPRIO_CLASS_BE", 8, &v, &err), -1, "priority 8 out of range");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_ioprio_plan ("IOPRIO_CLASS_NONE", 0, &v, &err), -1, "unknown class");
  }
}

static void
test_cpulist (void)
{
  static const char *bad[] = { "", "a", "3-1", "1,", ",1", "1-", "0-99999", "1;2" };
  void *set = NULL;
  size_t size, i;

  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_cpulist_parse ("0-3,7", &set, &size, &err), 0, "0-3,7 parses");
    ok (CPU_ISSET_S (0, size, (cpu_set_t *) set) && CPU_ISSET_S (3, size, (cpu_set_t *) set)
            && !CPU_ISSET_S (4, size, (cpu_set_t *) set) && CPU_ISSET_S (7, size, (cpu_set_t *) set),
        "the right CPUs");
    is_int (CPU_COUNT_S (size, (cpu_set_t *) set), 5, "five CPUs");
    CPU_FREE (set);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      cleanup_err struct ocirt_err *err = NULL;
      is_int (ocirt_cpulist_parse (bad[i], &set, &size, &err), -1, "`%s` is refused", bad[i]);
    }
}

static void
test_personality (void)
{
  char *flags[] = { "ADDR_NO_RANDOMIZE" };
  struct ocirt_linux l = { .has_personality = true, .personality_domain = "LINUX32" };
  unsigned long v;

  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_personality_plan (&l, &v, &err), 0, "LINUX32");
    is_int (v, PER_LINUX32, "value");
  }
  l.personality_domain = "LINUX";
  {
    cleanup_err struct ocirt_err *err = NULL;
    ocirt_personality_plan (&l, &v, &err);
    is_int (v, PER_LINUX, "LINUX");
  }
  l.personality_flags = flags;
  l.n_personality_flags = 1;
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_personality_plan (&l, &v, &err), -1, "flags are refused");
  }
  l.n_personality_flags = 0;
  l.personality_domain = "BSD";
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (ocirt_personality_plan (&l, &v, &err), -1, "unknown domain");
  }
}

static void
test_notify_json (void)
{
  char *keys[] = { "k" }, *values[] = { "v" };
  struct ocirt_state st = { .oci_version = "1.3.0", .id = "c1", .status = OCIRT_STATUS_CREATING, .pid = 42,
                            .bundle = "/b", .annotation_keys = keys, .annotation_values = values,
                            .n_annotations = 1 };
  cleanup_free char *json = ocirt_seccomp_notify_state_json ("meta", 42, &st);

  is_str (json,
          "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":42,\"metadata\":\"meta\",\"state\":{"
          "\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\","
          "\"annotations\":{\"k\":\"v\"}}}",
          "container process state JSON");
}

int
main (void)
{
  test_sched ();
  test_ioprio ();
  test_cpulist ();
  test_personality ();
  test_notify_json ();
  return done_testing ();
}
