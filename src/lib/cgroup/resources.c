/* The pure mapping of linux.resources to cgroup file writes, for v1 hierarchies and cgroup v2.
 *
 * Each field group goes to the v1 hierarchy of its controller when one is mounted, otherwise to
 * the cgroup2 hierarchy when the controller is available there (so hugepageLimits work through
 * /sys/fs/cgroup/unified on a hybrid host), otherwise it is an error naming the field and the
 * controller. Values are converted the way runc and crun convert them; docs/cgroups.md has the
 * table. Nothing here touches the kernel: tests/unit/test-cgroup-resources.c covers it. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"

static const char *const ctrl_names[CG__COUNT] = {
  [CG_CPU] = "cpu",         [CG_CPUACCT] = "cpuacct", [CG_CPUSET] = "cpuset",         [CG_MEMORY] = "memory",
  [CG_DEVICES] = "devices", [CG_FREEZER] = "freezer", [CG_BLKIO] = "blkio",           [CG_IO] = "io",
  [CG_PIDS] = "pids",       [CG_HUGETLB] = "hugetlb", [CG_NET_CLS] = "net_cls",       [CG_NET_PRIO] = "net_prio",
  [CG_RDMA] = "rdma",       [CG_PERF_EVENT] = "perf_event", [CG_MISC] = "misc",
};

const char *
ocirt_cg_ctrl_name (enum ocirt_cg_ctrl c)
{
  return (unsigned) c < CG__COUNT ? ctrl_names[c] : "cgroup";
}

int
ocirt_cg_ctrl_from_name (const char *name)
{
  for (int i = 0; i < CG__COUNT; i++)
    if (strcmp (ctrl_names[i], name) == 0)
      return i;
  return -1;
}

uint64_t
ocirt_cg_shares_to_weight (uint64_t shares)
{
  double l, exponent;
  uint64_t w;

  /* The log-quadratic curve crun (1.23+) and runc (1.3+) use: it maps the v1 range 2..262144
   * onto 1..10000 and, unlike the older linear formula, keeps the default 1024 at the default
   * weight 100. */
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  l = log2 ((double) shares);
  exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  w = (uint64_t) ceil (pow (10, exponent));
  if (w < 1)
    w = 1;
  if (w > 10000)
    w = 10000;
  return w;
}

uint64_t
ocirt_cg_blkio_to_io_weight (uint64_t weight)
{
  /* Linear map of blkio's 10..1000 onto io.weight's 1..10000, as runc and crun. */
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

int
ocirt_cg_swap_to_v2 (bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *out,
                     struct ocirt_err **err)
{
  /* OCI's swap is memory+swap (v1 memsw); v2's memory.swap.max counts swap alone. */
  *out = -2;
  if (has_limit && limit == -1 && (!has_swap || swap == 0))
    {
      *out = -1; /* unlimited memory: unlimited swap too, as runc */
      return 0;
    }
  if (!has_swap || swap == 0)
    return 0;
  if (swap == -1)
    {
      *out = -1;
      return 0;
    }
  if (swap < -1)
    return ocirt_err_make (err, 0, "linux.resources.memory.swap: invalid value %" PRId64, swap);
  if (!has_limit || limit <= 0)
    return ocirt_err_make (err, 0,
                           "linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2 "
                           "(swap counts memory+swap; memory.swap.max is derived from both)");
  if (swap < limit)
    return ocirt_err_make (err, 0,
                           "linux.resources.memory.swap (%" PRId64 ") must be >= linux.resources.memory.limit (%" PRId64
                           "): swap is the memory+swap limit",
                           swap, limit);
  *out = swap - limit;
  return 0;
}

struct planner
{
  struct ocirt_cg_plan *p;
  const struct ocirt_cg_avail *av;
  bool update;
};

static struct ocirt_cg_write *
add (struct planner *pl, enum ocirt_cg_ctrl ctrl, bool v2, const char *field, unsigned flags, const char *file,
     const char *fmt, ...) __attribute__ ((format (printf, 7, 8)));

static struct ocirt_cg_write *
add (struct planner *pl, enum ocirt_cg_ctrl ctrl, bool v2, const char *field, unsigned flags, const char *file,
     const char *fmt, ...)
{
  struct ocirt_cg_plan *p = pl->p;
  struct ocirt_cg_write *w;
  va_list ap;

  p->w = xrealloc (p->w, (p->n + 1) * sizeof *p->w);
  w = &p->w[p->n++];
  memset (w, 0, sizeof *w);
  w->ctrl = ctrl;
  w->v2 = v2;
  w->field = field;
  w->flags = flags;
  w->file = xstrdup (file);
  va_start (ap, fmt);
  if (vasprintf (&w->value, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (v2 && (unsigned) ctrl < CG__COUNT)
    p->v2_needed |= CG_BIT (ctrl);
  return w;
}

static void
set_alt (struct ocirt_cg_write *w, const char *file, const char *value)
{
  w->alt_file = xstrdup (file);
  w->alt_value = xstrdup (value);
}

/* Where the fields of one controller go: v1 when mounted, else v2 when available there.
 * v2c < 0: the controller has no cgroup v2 counterpart. */
static int
pick (struct planner *pl, enum ocirt_cg_ctrl v1c, int v2c, const char *field, bool *v2, struct ocirt_err **err)
{
  const struct ocirt_cg_avail *av = pl->av;

  *v2 = false; /* set on every path: the compiler cannot see that ocirt_err_make returns -1 */
  if (av->v1 & CG_BIT (v1c))
    return 0;
  if (v2c >= 0 && av->has_v2 && (av->v2 & CG_BIT (v2c)))
    {
      *v2 = true;
      return 0;
    }
  if (v2c < 0)
    return ocirt_err_make (err, 0,
                           "%s needs the cgroup v1 controller `%s`, which is not mounted on this host "
                           "(it has no cgroup v2 counterpart)",
                           field, ctrl_names[v1c]);
  if (!av->has_v2)
    return ocirt_err_make (err, 0, "%s needs the cgroup controller `%s`, which is not mounted on this host", field,
                           ctrl_names[v1c]);
  return ocirt_err_make (err, 0,
                         "%s needs the cgroup controller `%s`, which is neither mounted as cgroup v1 nor "
                         "available on the cgroup v2 hierarchy%s",
                         field, ctrl_names[v2c], av->v2_is_unified_mount ? " (" OCIRT_CG_ROOT "/unified)" : "");
}

static int
no_v2 (const char *field, const char *why, struct ocirt_err **err)
{
  return ocirt_err_make (err, 0, "%s has no cgroup v2 equivalent (%s)", field, why);
}

static const char *
v1_limit (int64_t v, char *buf, size_t len)
{
  snprintf (buf, len, "%" PRId64, v < 0 ? (int64_t) -1 : v);
  return buf;
}

static const char *
v2_limit (int64_t v, char *buf, size_t len)
{
  if (v < 0)
    return "max";
  snprintf (buf, len, "%" PRId64, v);
  return buf;
}

static int
plan_memory_v1 (struct planner *pl, const struct ocirt_memory *m, struct ocirt_err **err)
{
  char b[32];

  if (m->has_limit)
    add (pl, CG_MEMORY, false, "linux.resources.memory.limit", CGW_RETRY, "memory.limit_in_bytes", "%s",
         v1_limit (m->limit, b, sizeof b));
  if (m->has_swap && m->swap != 0)
    add (pl, CG_MEMORY, false, "linux.resources.memory.swap", CGW_RETRY, "memory.memsw.limit_in_bytes", "%s",
         v1_limit (m->swap, b, sizeof b));
  else if (m->has_limit && m->limit == -1)
    add (pl, CG_MEMORY, false, "linux.resources.memory.swap", CGW_RETRY | CGW_OPTIONAL,
         "memory.memsw.limit_in_bytes", "-1");
  if (m->has_reservation)
    add (pl, CG_MEMORY, false, "linux.resources.memory.reservation", 0, "memory.soft_limit_in_bytes", "%s",
         v1_limit (m->reservation, b, sizeof b));
  if (m->has_kernel && m->kernel != 0)
    add (pl, CG_MEMORY, false, "linux.resources.memory.kernel", CGW_DEPRECATED, "memory.kmem.limit_in_bytes", "%s",
         v1_limit (m->kernel, b, sizeof b));
  if (m->has_kernel_tcp && m->kernel_tcp != 0)
    add (pl, CG_MEMORY, false, "linux.resources.memory.kernelTCP", 0, "memory.kmem.tcp.limit_in_bytes", "%s",
         v1_limit (m->kernel_tcp, b, sizeof b));
  if (m->has_swappiness)
    add (pl, CG_MEMORY, false, "linux.resources.memory.swappiness", 0, "memory.swappiness", "%" PRIu64,
         m->swappiness);
  if (m->has_disable_oom_killer && (m->disable_oom_killer || pl->update))
    add (pl, CG_MEMORY, false, "linux.resources.memory.disableOOMKiller", 0, "memory.oom_control", "%d",
         m->disable_oom_killer ? 1 : 0);
  if (m->has_use_hierarchy)
    add (pl, CG_MEMORY, false, "linux.resources.memory.useHierarchy", 0, "memory.use_hierarchy", "%d",
         m->use_hierarchy ? 1 : 0);
  (void) err;
  return 0;
}

static int
plan_memory_v2 (struct planner *pl, const struct ocirt_memory *m, struct ocirt_err **err)
{
  char b[32];
  int64_t swap;

  if (ocirt_cg_swap_to_v2 (m->has_swap, m->swap, m->has_limit, m->limit, &swap, err) < 0)
    return -1;
  if (swap != -2)
    add (pl, CG_MEMORY, true, "linux.resources.memory.swap", 0, "memory.swap.max", "%s",
         v2_limit (swap, b, sizeof b));
  if (m->has_limit)
    add (pl, CG_MEMORY, true, "linux.resources.memory.limit", 0, "memory.max", "%s",
         v2_limit (m->limit, b, sizeof b));
  if (m->has_reservation)
    add (pl, CG_MEMORY, true, "linux.resources.memory.reservation", 0, "memory.low", "%s",
         v2_limit (m->reservation, b, sizeof b));
  if (m->has_kernel && m->kernel != 0)
    log_warning ("linux.resources.memory.kernel is ignored: cgroup v2 has no kernel memory limit "
                 "(kernel memory counts in memory.max)");
  if (m->has_kernel_tcp && m->kernel_tcp != 0)
    return no_v2 ("linux.resources.memory.kernelTCP", "TCP buffers count in memory.max", err);
  if (m->has_swappiness)
    return no_v2 ("linux.resources.memory.swappiness", "cgroup v2 has no per-cgroup swappiness", err);
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return no_v2 ("linux.resources.memory.disableOOMKiller", "the OOM killer cannot be disabled per cgroup", err);
  if (m->has_use_hierarchy && !m->use_hierarchy)
    return no_v2 ("linux.resources.memory.useHierarchy=false", "cgroup v2 accounting is always hierarchical", err);
  return 0;
}

static int
plan_memory (struct planner *pl, const struct ocirt_memory *m, struct ocirt_err **err)
{
  bool v2;

  if (m->has_swappiness && m->swappiness > 100)
    return ocirt_err_make (err, 0, "linux.resources.memory.swappiness: invalid value %" PRIu64 ": expected 0 to 100",
                           m->swappiness);
  if (m->has_limit && m->limit < -1)
    return ocirt_err_make (err, 0, "linux.resources.memory.limit: invalid value %" PRId64, m->limit);
  if (!(m->has_limit || m->has_swap || m->has_reservation || m->has_kernel || m->has_kernel_tcp
        || m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy))
    return 0;
  if (pick (pl, CG_MEMORY, CG_MEMORY, "linux.resources.memory", &v2, err) < 0)
    return -1;
  if (pl->update && m->has_check_before_update && m->check_before_update && m->has_limit && m->limit > 0)
    {
      pl->p->check_memory = true;
      pl->p->check_memory_limit = m->limit;
    }
  return v2 ? plan_memory_v2 (pl, m, err) : plan_memory_v1 (pl, m, err);
}

static int
plan_cpu_v1 (struct planner *pl, const struct ocirt_cpu *c)
{
  if (c->has_shares && c->shares != 0)
    add (pl, CG_CPU, false, "linux.resources.cpu.shares", CGW_VERIFY, "cpu.shares", "%" PRIu64, c->shares);
  if (c->has_period && c->period != 0)
    add (pl, CG_CPU, false, "linux.resources.cpu.period", CGW_RETRY, "cpu.cfs_period_us", "%" PRIu64, c->period);
  if (c->has_quota && c->quota != 0)
    add (pl, CG_CPU, false, "linux.resources.cpu.quota", CGW_RETRY, "cpu.cfs_quota_us", "%" PRId64,
         c->quota < 0 ? (int64_t) -1 : c->quota);
  if (c->has_burst)
    add (pl, CG_CPU, false, "linux.resources.cpu.burst", CGW_RETRY, "cpu.cfs_burst_us", "%" PRIu64, c->burst);
  if (c->has_realtime_period && c->realtime_period != 0)
    add (pl, CG_CPU, false, "linux.resources.cpu.realtimePeriod", CGW_RETRY, "cpu.rt_period_us", "%" PRIu64,
         c->realtime_period);
  if (c->has_realtime_runtime && c->realtime_runtime != 0)
    add (pl, CG_CPU, false, "linux.resources.cpu.realtimeRuntime", CGW_RETRY, "cpu.rt_runtime_us", "%" PRId64,
         c->realtime_runtime);
  if (c->has_idle)
    add (pl, CG_CPU, false, "linux.resources.cpu.idle", 0, "cpu.idle", "%" PRId64, c->idle);
  return 0;
}

static int
plan_cpu_v2 (struct planner *pl, const struct ocirt_cpu *c, struct ocirt_err **err)
{
  bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;

  if ((c->has_realtime_period && c->realtime_period != 0) || (c->has_realtime_runtime && c->realtime_runtime != 0))
    return no_v2 ("linux.resources.cpu.realtimePeriod/realtimeRuntime",
                  "cgroup v2 has no real-time group scheduling controls", err);
  if (c->has_shares && c->shares != 0)
    add (pl, CG_CPU, true, "linux.resources.cpu.shares", 0, "cpu.weight", "%" PRIu64,
         ocirt_cg_shares_to_weight (c->shares));
  if (quota)
    {
      char q[32];
      if (c->quota > 0)
        snprintf (q, sizeof q, "%" PRId64, c->quota);
      else
        strcpy (q, "max");
      if (period)
        add (pl, CG_CPU, true, "linux.resources.cpu.quota", 0, "cpu.max", "%s %" PRIu64, q, c->period);
      else
        add (pl, CG_CPU, true, "linux.resources.cpu.quota", 0, "cpu.max", "%s", q);
    }
  else if (period)
    add (pl, CG_CPU, true, "linux.resources.cpu.period", CGW_KEEP_QUOTA, "cpu.max", " %" PRIu64, c->period);
  if (c->has_burst)
    add (pl, CG_CPU, true, "linux.resources.cpu.burst", 0, "cpu.max.burst", "%" PRIu64, c->burst);
  if (c->has_idle)
    add (pl, CG_CPU, true, "linux.resources.cpu.idle", 0, "cpu.idle", "%" PRId64, c->idle);
  return 0;
}

static int
plan_cpu (struct planner *pl, const struct ocirt_cpu *c, struct ocirt_err **err)
{
  bool v2;

  if (c->has_quota && c->quota > 0 && c->has_burst && c->burst > (uint64_t) c->quota)
    return ocirt_err_make (err, 0,
                           "linux.resources.cpu.burst (%" PRIu64 ") must not be larger than linux.resources.cpu.quota (%" PRId64 ")",
                           c->burst, c->quota);
  if (c->has_idle && c->idle != 0 && c->idle != 1)
    return ocirt_err_make (err, 0, "linux.resources.cpu.idle: invalid value %" PRId64 ": expected 0 or 1", c->idle);
  if (!(c->has_shares || c->has_quota || c->has_burst || c->has_period || c->has_realtime_period
        || c->has_realtime_runtime || c->has_idle))
    return 0;
  if (pick (pl, CG_CPU, CG_CPU, "linux.resources.cpu", &v2, err) < 0)
    return -1;
  return v2 ? plan_cpu_v2 (pl, c, err) : plan_cpu_v1 (pl, c);
}

static int
plan_cpuset (struct planner *pl, const struct ocirt_cpu *c, struct ocirt_err **err)
{
  bool v2;

  if (c->cpus == NULL && c->mems == NULL)
    return 0;
  if (pick (pl, CG_CPUSET, CG_CPUSET, c->cpus ? "linux.resources.cpu.cpus" : "linux.resources.cpu.mems", &v2, err)
      < 0)
    return -1;
  if (c->cpus != NULL)
    add (pl, CG_CPUSET, v2, "linux.resources.cpu.cpus", 0, "cpuset.cpus", "%s", c->cpus);
  if (c->mems != NULL)
    add (pl, CG_CPUSET, v2, "linux.resources.cpu.mems", 0, "cpuset.mems", "%s", c->mems);
  return 0;
}

static int
plan_pids (struct planner *pl, int64_t limit, struct ocirt_err **err)
{
  bool v2;

  if (pick (pl, CG_PIDS, CG_PIDS, "linux.resources.pids.limit", &v2, err) < 0)
    return -1;
  /* -1 (or any negative) is "max"; 0 is a real limit, as the spec says. */
  if (limit < 0)
    add (pl, CG_PIDS, v2, "linux.resources.pids.limit", 0, "pids.max", "max");
  else
    add (pl, CG_PIDS, v2, "linux.resources.pids.limit", 0, "pids.max", "%" PRId64, limit);
  return 0;
}

static int
check_weight (const char *field, uint16_t w, struct ocirt_err **err)
{
  if (w != 0 && (w < 10 || w > 1000))
    return ocirt_err_make (err, 0, "%s: invalid value %u: expected 10 to 1000", field, (unsigned) w);
  return 0;
}

static void
plan_throttle_v1 (struct planner *pl, const char *field, const char *file, const struct ocirt_throttle_device *d,
                  size_t n)
{
  for (size_t i = 0; i < n; i++)
    add (pl, CG_BLKIO, false, field, 0, file, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor, d[i].rate);
}

static void
plan_throttle_v2 (struct planner *pl, const char *field, const char *key, const struct ocirt_throttle_device *d,
                  size_t n)
{
  for (size_t i = 0; i < n; i++)
    add (pl, CG_IO, true, field, 0, "io.max", "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major, d[i].minor, key,
         d[i].rate);
}

static int
plan_blkio_v1 (struct planner *pl, const struct ocirt_blkio *b)
{
  if (b->has_weight && b->weight != 0)
    {
      struct ocirt_cg_write *w = add (pl, CG_BLKIO, false, "linux.resources.blockIO.weight", 0, "blkio.weight", "%u",
                                      (unsigned) b->weight);
      set_alt (w, "blkio.bfq.weight", w->value); /* kernels without CFQ: BFQ's knob, same range */
    }
  if (b->has_leaf_weight && b->leaf_weight != 0)
    add (pl, CG_BLKIO, false, "linux.resources.blockIO.leafWeight", 0, "blkio.leaf_weight", "%u",
         (unsigned) b->leaf_weight);
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct ocirt_weight_device *d = &b->weight_device[i];
      if (d->has_weight)
        {
          struct ocirt_cg_write *w = add (pl, CG_BLKIO, false, "linux.resources.blockIO.weightDevice", 0,
                                          "blkio.weight_device", "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                                          (unsigned) d->weight);
          set_alt (w, "blkio.bfq.weight_device", w->value);
        }
      if (d->has_leaf_weight)
        add (pl, CG_BLKIO, false, "linux.resources.blockIO.weightDevice.leafWeight", 0, "blkio.leaf_weight_device",
             "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->leaf_weight);
    }
  plan_throttle_v1 (pl, "linux.resources.blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device",
                    b->throttle_read_bps, b->n_throttle_read_bps);
  plan_throttle_v1 (pl, "linux.resources.blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
                    b->throttle_write_bps, b->n_throttle_write_bps);
  plan_throttle_v1 (pl, "linux.resources.blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
                    b->throttle_read_iops, b->n_throttle_read_iops);
  plan_throttle_v1 (pl, "linux.resources.blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
                    b->throttle_write_iops, b->n_throttle_write_iops);
  return 0;
}

static int
plan_blkio_v2 (struct planner *pl, const struct ocirt_blkio *b, struct ocirt_err **err)
{
  char v[64];

  if (b->has_leaf_weight && b->leaf_weight != 0)
    return no_v2 ("linux.resources.blockIO.leafWeight", "cgroup v2's io controller has no leaf weight", err);
  if (b->has_weight && b->weight != 0)
    {
      /* BFQ's io.bfq.weight takes blkio's range as is; io.weight needs the conversion. */
      struct ocirt_cg_write *w = add (pl, CG_IO, true, "linux.resources.blockIO.weight", 0, "io.bfq.weight", "%u",
                                      (unsigned) b->weight);
      snprintf (v, sizeof v, "default %" PRIu64, ocirt_cg_blkio_to_io_weight (b->weight));
      set_alt (w, "io.weight", v);
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct ocirt_weight_device *d = &b->weight_device[i];
      struct ocirt_cg_write *w;
      if (d->has_leaf_weight)
        return no_v2 ("linux.resources.blockIO.weightDevice.leafWeight",
                      "cgroup v2's io controller has no leaf weight", err);
      if (!d->has_weight)
        continue;
      w = add (pl, CG_IO, true, "linux.resources.blockIO.weightDevice", 0, "io.bfq.weight",
               "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight);
      snprintf (v, sizeof v, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                ocirt_cg_blkio_to_io_weight (d->weight));
      set_alt (w, "io.weight", v);
    }
  plan_throttle_v2 (pl, "linux.resources.blockIO.throttleReadBpsDevice", "rbps", b->throttle_read_bps,
                    b->n_throttle_read_bps);
  plan_throttle_v2 (pl, "linux.resources.blockIO.throttleWriteBpsDevice", "wbps", b->throttle_write_bps,
                    b->n_throttle_write_bps);
  plan_throttle_v2 (pl, "linux.resources.blockIO.throttleReadIOPSDevice", "riops", b->throttle_read_iops,
                    b->n_throttle_read_iops);
  plan_throttle_v2 (pl, "linux.resources.blockIO.throttleWriteIOPSDevice", "wiops", b->throttle_write_iops,
                    b->n_throttle_write_iops);
  return 0;
}

static int
plan_blkio (struct planner *pl, const struct ocirt_blkio *b, struct ocirt_err **err)
{
  bool v2;

  if (check_weight ("linux.resources.blockIO.weight", b->has_weight ? b->weight : 0, err) < 0
      || check_weight ("linux.resources.blockIO.leafWeight", b->has_leaf_weight ? b->leaf_weight : 0, err) < 0)
    return -1;
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct ocirt_weight_device *d = &b->weight_device[i];
      if (!d->has_weight && !d->has_leaf_weight)
        return ocirt_err_make (err, 0, "linux.resources.blockIO.weightDevice[%zu]: needs weight or leafWeight", i);
      if (check_weight ("linux.resources.blockIO.weightDevice.weight", d->has_weight ? d->weight : 0, err) < 0
          || check_weight ("linux.resources.blockIO.weightDevice.leafWeight", d->has_leaf_weight ? d->leaf_weight : 0,
                           err)
                 < 0)
        return -1;
    }
  if (!(b->has_weight || b->has_leaf_weight || b->n_weight_device || b->n_throttle_read_bps
        || b->n_throttle_write_bps || b->n_throttle_read_iops || b->n_throttle_write_iops))
    return 0;
  if (pick (pl, CG_BLKIO, CG_IO, "linux.resources.blockIO", &v2, err) < 0)
    return -1;
  return v2 ? plan_blkio_v2 (pl, b, err) : plan_blkio_v1 (pl, b);
}

/* "2MB", "64KB", "1GB": digits then K, M or G then B. */
static bool
page_size_valid (const char *s)
{
  size_t i = 0;

  while (s[i] >= '0' && s[i] <= '9')
    i++;
  if (i == 0 || s[0] == '0')
    return false;
  return (s[i] == 'K' || s[i] == 'M' || s[i] == 'G') && s[i + 1] == 'B' && s[i + 2] == '\0';
}

static int
plan_hugetlb (struct planner *pl, const struct ocirt_resources *r, struct ocirt_err **err)
{
  bool v2;

  if (r->n_hugepage_limits == 0)
    return 0;
  if (pick (pl, CG_HUGETLB, CG_HUGETLB, "linux.resources.hugepageLimits", &v2, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct ocirt_hugepage_limit *h = &r->hugepage_limits[i];
      char file[96], rsvd[96];
      if (h->page_size == NULL || !page_size_valid (h->page_size))
        return ocirt_err_make (err, 0,
                               "linux.resources.hugepageLimits[%zu].pageSize: invalid page size `%s`: expected "
                               "<number><KB|MB|GB> such as 2MB",
                               i, h->page_size ? h->page_size : "");
      snprintf (file, sizeof file, v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", h->page_size);
      snprintf (rsvd, sizeof rsvd, v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
      add (pl, CG_HUGETLB, v2, "linux.resources.hugepageLimits", 0, file, "%" PRIu64, h->limit);
      /* Reservation accounting where the kernel has it (the spec prefers it); same limit. */
      add (pl, CG_HUGETLB, v2, "linux.resources.hugepageLimits", CGW_OPTIONAL, rsvd, "%" PRIu64, h->limit);
    }
  return 0;
}

static int
plan_network (struct planner *pl, const struct ocirt_resources *r, struct ocirt_err **err)
{
  bool v2;

  if (r->has_class_id)
    {
      if (pick (pl, CG_NET_CLS, -1, "linux.resources.network.classID", &v2, err) < 0)
        return -1;
      add (pl, CG_NET_CLS, false, "linux.resources.network.classID", 0, "net_cls.classid", "%" PRIu32, r->class_id);
    }
  if (r->n_net_priorities > 0)
    {
      if (pick (pl, CG_NET_PRIO, -1, "linux.resources.network.priorities", &v2, err) < 0)
        return -1;
      for (size_t i = 0; i < r->n_net_priorities; i++)
        add (pl, CG_NET_PRIO, false, "linux.resources.network.priorities", 0, "net_prio.ifpriomap", "%s %" PRIu32,
             r->net_priorities[i].name, r->net_priorities[i].priority);
    }
  return 0;
}

static int
plan_rdma (struct planner *pl, const struct ocirt_resources *r, struct ocirt_err **err)
{
  bool v2;

  if (r->n_rdma == 0)
    return 0;
  if (pick (pl, CG_RDMA, CG_RDMA, "linux.resources.rdma", &v2, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      const struct ocirt_rdma_limit *l = &r->rdma[i];
      char h[48] = "", o[48] = "";
      if (!l->has_hca_handles && !l->has_hca_objects)
        return ocirt_err_make (err, 0, "linux.resources.rdma.%s: needs hcaHandles or hcaObjects", l->device);
      if (l->has_hca_handles)
        snprintf (h, sizeof h, " hca_handle=%" PRIu32, l->hca_handles);
      if (l->has_hca_objects)
        snprintf (o, sizeof o, " hca_object=%" PRIu32, l->hca_objects);
      add (pl, CG_RDMA, v2, "linux.resources.rdma", 0, "rdma.max", "%s%s%s", l->device, h, o);
    }
  return 0;
}

static int
plan_unified (struct planner *pl, const struct ocirt_resources *r, struct ocirt_err **err)
{
  const struct ocirt_cg_avail *av = pl->av;

  if (r->n_unified == 0)
    return 0;
  if (!av->has_v2)
    return ocirt_err_make (err, 0, "linux.resources.unified needs cgroup v2, and this host has only cgroup v1");
  for (size_t i = 0; i < r->n_unified; i++)
    {
      const char *key = r->unified[i].key;
      const char *dot = strchr (key, '.');
      cleanup_free char *ctrl = NULL;
      int c;

      if (dot == NULL || dot == key || strchr (key, '/') != NULL || strcmp (key, "..") == 0)
        return ocirt_err_make (err, 0, "linux.resources.unified: invalid key `%s`: expected a cgroup v2 file name "
                                       "such as memory.high", key);
      ctrl = xstrndup (key, (size_t) (dot - key));
      if (strcmp (ctrl, "cgroup") == 0)
        {
          add (pl, CG__COUNT, true, "linux.resources.unified", 0, key, "%s", r->unified[i].value);
          continue;
        }
      c = ocirt_cg_ctrl_from_name (ctrl);
      if (c < 0 || !(av->v2 & CG_BIT (c)))
        return ocirt_err_make (err, 0,
                               "linux.resources.unified: key `%s` needs the cgroup v2 controller `%s`, which is not "
                               "available on the cgroup v2 hierarchy%s",
                               key, ctrl, av->v2_is_unified_mount ? " (" OCIRT_CG_ROOT "/unified)" : "");
      add (pl, (enum ocirt_cg_ctrl) c, true, "linux.resources.unified", 0, key, "%s", r->unified[i].value);
    }
  return 0;
}

static int
plan_devices (struct planner *pl, const struct ocirt_device_rule *rules, size_t n, struct ocirt_err **err)
{
  const struct ocirt_cg_avail *av = pl->av;

  for (size_t i = 0; i < n; i++)
    if (ocirt_cg_rule_check (&rules[i], i, err) < 0)
      return -1;
  if (n == 0)
    return 0;
  if (av->v1 & CG_BIT (CG_DEVICES))
    {
      for (size_t i = 0; i < n; i++)
        {
          cleanup_free char *text = ocirt_cg_rule_v1_text (&rules[i]);
          add (pl, CG_DEVICES, false, "linux.resources.devices", 0, rules[i].allow ? "devices.allow" : "devices.deny",
               "%s", text);
        }
      return 0;
    }
  if (av->has_v2)
    {
      pl->p->devices_bpf = true;
      return 0;
    }
  return ocirt_err_make (err, 0,
                         "linux.resources.devices needs the cgroup v1 controller `devices` or cgroup v2, and this host "
                         "has neither");
}

int
ocirt_cg_plan_make (const struct ocirt_resources *r, const struct ocirt_device_rule *rules, size_t n_rules,
                    const struct ocirt_cg_avail *av, bool update, struct ocirt_cg_plan *out, struct ocirt_err **err)
{
  struct planner pl = { .p = out, .av = av, .update = update };

  memset (out, 0, sizeof *out);
  /* runc's order: cpuset, devices, memory, cpu, pids, blkio, hugetlb, network, rdma; unified last
   * so that its raw values win. */
  if ((r != NULL && r->has_cpu && plan_cpuset (&pl, &r->cpu, err) < 0)
      || plan_devices (&pl, rules, n_rules, err) < 0
      || (r != NULL && r->has_memory && plan_memory (&pl, &r->memory, err) < 0)
      || (r != NULL && r->has_cpu && plan_cpu (&pl, &r->cpu, err) < 0)
      || (r != NULL && r->has_pids && plan_pids (&pl, r->pids_limit, err) < 0)
      || (r != NULL && r->has_blkio && plan_blkio (&pl, &r->blkio, err) < 0)
      || (r != NULL && plan_hugetlb (&pl, r, err) < 0)
      || (r != NULL && (r->has_network || r->has_class_id || r->n_net_priorities) && plan_network (&pl, r, err) < 0)
      || (r != NULL && plan_rdma (&pl, r, err) < 0)
      || (r != NULL && plan_unified (&pl, r, err) < 0))
    {
      ocirt_cg_plan_clear (out);
      return -1;
    }
  return 0;
}

void
ocirt_cg_plan_clear (struct ocirt_cg_plan *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      free (p->w[i].file);
      free (p->w[i].value);
      free (p->w[i].alt_file);
      free (p->w[i].alt_value);
    }
  free (p->w);
  memset (p, 0, sizeof *p);
}
