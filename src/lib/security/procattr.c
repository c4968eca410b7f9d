/* Process attributes: oomScoreAdj, scheduler (incl. SCHED_DEADLINE through sched_setattr),
 * ioPriority (ioprio_set), execCPUAffinity and linux.personality. The plans are pure and
 * unit-tested; the apply functions are one syscall each. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

#ifndef SCHED_ISO
#define SCHED_ISO 4
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* The kernel's struct sched_attr (sched_setattr(2)), declared here: glibc has no wrapper and
 * <linux/sched/types.h> clashes with <sched.h> on older systems. */
struct ocirt_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

static const struct
{
  const char *name;
  uint32_t value;
} sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },   { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", SCHED_ISO },     { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const struct
{
  const char *name;
  uint64_t value;
} sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },        { "SCHED_FLAG_DL_OVERRUN", 0x04 },
  { "SCHED_FLAG_KEEP_POLICY", 0x08 },   { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

#define N_OF(a) (sizeof (a) / sizeof ((a)[0]))

int
ocirt_sched_plan (const struct ocirt_scheduler *s, struct ocirt_sched_plan *out, struct ocirt_err **err)
{
  size_t i, j;

  memset (out, 0, sizeof *out);
  if (s->policy == NULL)
    return ocirt_err_make (err, 0, "process.scheduler.policy: missing");
  for (i = 0; i < N_OF (sched_policies); i++)
    if (strcmp (sched_policies[i].name, s->policy) == 0)
      break;
  if (i == N_OF (sched_policies))
    return ocirt_err_make (err, 0, "process.scheduler.policy: unknown policy `%s`", s->policy);
  if (sched_policies[i].value == SCHED_ISO)
    return ocirt_err_make (err, ENOTSUP, "process.scheduler.policy: SCHED_ISO is not implemented by Linux");
  out->policy = sched_policies[i].value;
  for (i = 0; i < s->n_flags; i++)
    {
      for (j = 0; j < N_OF (sched_flags); j++)
        if (strcmp (sched_flags[j].name, s->flags[i]) == 0)
          break;
      if (j == N_OF (sched_flags))
        return ocirt_err_make (err, 0, "process.scheduler.flags[%zu]: unknown flag `%s`", i, s->flags[i]);
      out->flags |= sched_flags[j].value;
    }
  if (s->has_nice && (s->nice < -20 || s->nice > 19))
    return ocirt_err_make (err, 0, "process.scheduler.nice: %d out of range (-20 to 19)", s->nice);
  out->nice = s->has_nice ? s->nice : 0;
  if (s->has_priority && s->priority < 0)
    return ocirt_err_make (err, 0, "process.scheduler.priority: %d is negative", s->priority);
  out->priority = s->has_priority ? (uint32_t) s->priority : 0;
  if (out->policy == SCHED_FIFO || out->policy == SCHED_RR)
    {
      if (out->priority < 1 || out->priority > 99)
        return ocirt_err_make (err, 0, "process.scheduler.priority: %s needs a priority from 1 to 99, got %u",
                               s->policy, out->priority);
    }
  else if (out->priority != 0)
    return ocirt_err_make (err, 0, "process.scheduler.priority: must be 0 for %s, got %u", s->policy, out->priority);
  if (out->policy == SCHED_DEADLINE)
    {
      /* sched_setattr(2): runtime <= deadline <= period (a zero period means "= deadline"). */
      if (s->runtime == 0 || s->deadline == 0)
        return ocirt_err_make (err, 0, "process.scheduler: SCHED_DEADLINE needs runtime and deadline");
      if (s->runtime > s->deadline || (s->period != 0 && s->deadline > s->period))
        return ocirt_err_make (err, 0, "process.scheduler: SCHED_DEADLINE needs runtime <= deadline <= period");
    }
  else if (s->runtime || s->deadline || s->period)
    return ocirt_err_make (err, 0, "process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE");
  out->runtime = s->runtime;
  out->deadline = s->deadline;
  out->period = s->period;
  return 0;
}

int
ocirt_sched_apply (const struct ocirt_sched_plan *p, struct ocirt_err **err)
{
  struct ocirt_sched_attr attr = {
    .size = sizeof attr,
    .sched_policy = p->policy,
    .sched_flags = p->flags,
    .sched_nice = p->nice,
    .sched_priority = p->priority,
    .sched_runtime = p->runtime,
    .sched_deadline = p->deadline,
    .sched_period = p->period,
  };

  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return ocirt_err_make (err, errno, "process.scheduler: sched_setattr (policy %u, nice %d, priority %u)",
                           p->policy, p->nice, p->priority);
  return 0;
}

int
ocirt_ioprio_plan (const char *cls, int32_t prio, int *out, struct ocirt_err **err)
{
  int c;

  if (cls == NULL)
    return ocirt_err_make (err, 0, "process.ioPriority.class: missing");
  if (strcmp (cls, "IOPRIO_CLASS_RT") == 0)
    c = 1;
  else if (strcmp (cls, "IOPRIO_CLASS_BE") == 0)
    c = 2;
  else if (strcmp (cls, "IOPRIO_CLASS_IDLE") == 0)
    c = 3;
  else
    return ocirt_err_make (err, 0, "process.ioPriority.class: unknown class `%s`", cls);
  if (prio < 0 || prio > 7)
    return ocirt_err_make (err, 0, "process.ioPriority.priority: %d out of range (0-7)", prio);
  *out = (c << 13) | prio;
  return 0;
}

int
ocirt_ioprio_apply (int ioprio, struct ocirt_err **err)
{
  /* IOPRIO_WHO_PROCESS = 1, who 0 = this process; its children inherit it. */
  if (syscall (SYS_ioprio_set, 1, 0, ioprio) < 0)
    return ocirt_err_make (err, errno, "process.ioPriority: ioprio_set class %d priority %d", ioprio >> 13,
                           ioprio & 7);
  return 0;
}

int
ocirt_oom_score_adj_apply (int32_t v, struct ocirt_err **err)
{
  cleanup_close int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  char buf[16];
  int len;

  if (v < -1000 || v > 1000)
    return ocirt_err_make (err, 0, "process.oomScoreAdj: %d out of range (-1000 to 1000)", v);
  if (fd < 0)
    return ocirt_err_make (err, errno, "process.oomScoreAdj: open /proc/self/oom_score_adj");
  len = snprintf (buf, sizeof buf, "%d", v);
  if (write (fd, buf, (size_t) len) != len)
    return ocirt_err_make (err, errno, "process.oomScoreAdj: write %d", v);
  return 0;
}

int
ocirt_cpulist_parse (const char *list, void **setp, size_t *setsize, struct ocirt_err **err)
{
  const int max_cpus = 8192;
  size_t size = CPU_ALLOC_SIZE (max_cpus);
  cpu_set_t *set = CPU_ALLOC (max_cpus);
  const char *p = list;

  if (set == NULL)
    abort ();
  CPU_ZERO_S (size, set);
  while (*p)
    {
      char *end;
      long a, b;

      if (*p < '0' || *p > '9')
        goto bad;
      a = strtol (p, &end, 10);
      b = a;
      if (*end == '-')
        {
          p = end + 1;
          if (*p < '0' || *p > '9')
            goto bad;
          b = strtol (p, &end, 10);
        }
      if (a > b || b >= max_cpus)
        goto bad;
      for (; a <= b; a++)
        CPU_SET_S ((size_t) a, size, set);
      p = end;
      if (*p == ',')
        {
          p++;
          if (*p == '\0')
            goto bad;
        }
      else if (*p != '\0')
        goto bad;
    }
  if (CPU_COUNT_S (size, set) == 0)
    goto bad;
  *setp = set;
  *setsize = size;
  return 0;

bad:
  CPU_FREE (set);
  return ocirt_err_make (err, 0, "invalid CPU list `%s` (expected e.g. `0-3,7`)", list);
}

int
ocirt_personality_plan (const struct ocirt_linux *l, unsigned long *out, struct ocirt_err **err)
{
  if (l->personality_domain == NULL)
    return ocirt_err_make (err, 0, "linux.personality.domain: missing");
  if (strcmp (l->personality_domain, "LINUX") == 0)
    *out = PER_LINUX;
  else if (strcmp (l->personality_domain, "LINUX32") == 0)
    *out = PER_LINUX32;
  else
    return ocirt_err_make (err, 0, "linux.personality.domain: unknown domain `%s` (LINUX or LINUX32)",
                           l->personality_domain);
  if (l->n_personality_flags > 0)
    return ocirt_err_make (err, 0, "linux.personality.flags: unknown flag `%s` (no flags are supported)",
                           l->personality_flags[0]);
  return 0;
}

int
ocirt_personality_apply (unsigned long persona, struct ocirt_err **err)
{
  if (personality (persona) < 0)
    return ocirt_err_make (err, errno, "linux.personality: personality(0x%lx)", persona);
  return 0;
}
