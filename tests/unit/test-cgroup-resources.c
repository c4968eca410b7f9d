/* The pure side of the cgroup area: resource plans for v1, v2 and hybrid hosts, the v1 -> v2
 * conversions, device rules (v1 text, and the eBPF program run through a small interpreter and
 * compared with the rule semantics), cgroupsPath cleaning, the state encoding, systemd paths. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/lib/cgroup/cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "tap.h"

#define V1_ALL                                                                                      \
  (CG_BIT (CG_CPU) | CG_BIT (CG_CPUACCT) | CG_BIT (CG_CPUSET) | CG_BIT (CG_MEMORY) | CG_BIT (CG_DEVICES)  \
   | CG_BIT (CG_FREEZER) | CG_BIT (CG_BLKIO) | CG_BIT (CG_PIDS))

/* This CI host: v1 controllers, cgroup2 at /sys/fs/cgroup/unified with hugetlb only. */
static const struct ocirt_cg_avail hybrid = { .v1 = V1_ALL, .v2 = CG_BIT (CG_HUGETLB), .has_v2 = true,
                                              .v2_is_unified_mount = true };
static const struct ocirt_cg_avail pure_v2 = { .v2 = CG_BIT (CG_CPU) | CG_BIT (CG_CPUSET) | CG_BIT (CG_MEMORY)
                                                     | CG_BIT (CG_IO) | CG_BIT (CG_PIDS) | CG_BIT (CG_HUGETLB),
                                               .has_v2 = true };
static const struct ocirt_cg_avail pure_v1 = { .v1 = V1_ALL | CG_BIT (CG_HUGETLB) | CG_BIT (CG_NET_CLS) };

static const struct ocirt_cg_write *
find (const struct ocirt_cg_plan *p, const char *file, size_t nth)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->w[i].file, file) == 0 && nth-- == 0)
      return &p->w[i];
  return NULL;
}

static const char *
value_of (const struct ocirt_cg_plan *p, const char *file)
{
  const struct ocirt_cg_write *w = find (p, file, 0);
  return w ? w->value : NULL;
}

/* Plans r and returns the error text (NULL on success). */
static char *
plan (const struct ocirt_resources *r, const struct ocirt_cg_avail *av, bool update, struct ocirt_cg_plan *p)
{
  cleanup_err struct ocirt_err *err = NULL;

  if (ocirt_cg_plan_make (r, NULL, 0, av, update, p, &err) < 0)
    return ocirt_err_text (err);
  return NULL;
}

static void
test_conversions (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  int64_t v;

  is_int (ocirt_cg_shares_to_weight (0), 0, "shares 0: unset");
  is_int (ocirt_cg_shares_to_weight (2), 1, "shares 2 -> weight 1");
  is_int (ocirt_cg_shares_to_weight (1024), 100, "shares 1024 (v1 default) -> weight 100 (v2 default)");
  is_int (ocirt_cg_shares_to_weight (262144), 10000, "shares 262144 -> weight 10000");
  is_int (ocirt_cg_shares_to_weight (512), 59, "shares 512 -> 59");
  is_int (ocirt_cg_shares_to_weight (4096), 303, "shares 4096 -> 303");
  is_int (ocirt_cg_blkio_to_io_weight (10), 1, "blkio 10 -> io 1");
  is_int (ocirt_cg_blkio_to_io_weight (1000), 10000, "blkio 1000 -> io 10000");
  is_int (ocirt_cg_blkio_to_io_weight (500), 4950, "blkio 500 -> io 4950");

  ok (ocirt_cg_swap_to_v2 (true, 200, true, 100, &v, &err) == 0 && v == 100, "swap 200 limit 100 -> swap.max 100");
  ok (ocirt_cg_swap_to_v2 (true, 100, true, 100, &v, &err) == 0 && v == 0, "swap == limit -> no swap (0)");
  ok (ocirt_cg_swap_to_v2 (true, -1, true, 100, &v, &err) == 0 && v == -1, "swap -1 -> max");
  ok (ocirt_cg_swap_to_v2 (false, 0, true, -1, &v, &err) == 0 && v == -1, "limit -1 without swap -> swap max");
  ok (ocirt_cg_swap_to_v2 (false, 0, true, 100, &v, &err) == 0 && v == -2, "no swap -> leave unset");
  ok (ocirt_cg_swap_to_v2 (true, 50, true, 100, &v, &err) < 0 && strstr (err->msg, "must be >=") != NULL,
      "swap < limit is an error");
  ocirt_err_free (err);
  err = NULL;
  ok (ocirt_cg_swap_to_v2 (true, 50, false, 0, &v, &err) < 0 && strstr (err->msg, "needs a memory limit") != NULL,
      "swap without limit is an error on v2");
}

static void
test_memory (void)
{
  struct ocirt_resources r = { .has_memory = true };
  struct ocirt_cg_plan p;
  cleanup_free char *e = NULL;
  const struct ocirt_cg_write *w;

  r.memory = (struct ocirt_memory) { .has_limit = true, .limit = 1 << 30, .has_swap = true, .swap = 2LL << 30,
                                     .has_reservation = true, .reservation = 1 << 29, .has_swappiness = true,
                                     .swappiness = 10, .has_disable_oom_killer = true, .disable_oom_killer = true };
  e = plan (&r, &hybrid, false, &p);
  is_str (e, NULL, "v1 memory plan");
  is_str (value_of (&p, "memory.limit_in_bytes"), "1073741824", "v1 limit");
  is_str (value_of (&p, "memory.memsw.limit_in_bytes"), "2147483648", "v1 swap is memsw as is");
  is_str (value_of (&p, "memory.soft_limit_in_bytes"), "536870912", "v1 reservation -> soft limit");
  is_str (value_of (&p, "memory.swappiness"), "10", "v1 swappiness");
  is_str (value_of (&p, "memory.oom_control"), "1", "v1 disableOOMKiller");
  w = find (&p, "memory.limit_in_bytes", 0);
  ok (w && (w->flags & CGW_RETRY) && !w->v2 && w->ctrl == CG_MEMORY, "limit may be retried after memsw");
  ocirt_cg_plan_clear (&p);

  r.memory.has_swappiness = r.memory.has_disable_oom_killer = false;
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (e, NULL, "v2 memory plan");
  is_str (value_of (&p, "memory.max"), "1073741824", "v2 limit -> memory.max");
  is_str (value_of (&p, "memory.swap.max"), "1073741824", "v2 swap.max = swap - limit");
  is_str (value_of (&p, "memory.low"), "536870912", "v2 reservation -> memory.low");
  ok (p.v2_needed & CG_BIT (CG_MEMORY), "v2 plan asks for the memory controller");
  ocirt_cg_plan_clear (&p);

  r.memory = (struct ocirt_memory) { .has_limit = true, .limit = -1 };
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (value_of (&p, "memory.max"), "max", "v2 limit -1 -> max");
  is_str (value_of (&p, "memory.swap.max"), "max", "v2 limit -1 -> swap max");
  ocirt_cg_plan_clear (&p);
  free (e);
  e = plan (&r, &hybrid, false, &p);
  is_str (value_of (&p, "memory.limit_in_bytes"), "-1", "v1 limit -1");
  w = find (&p, "memory.memsw.limit_in_bytes", 0);
  ok (w && strcmp (w->value, "-1") == 0 && (w->flags & CGW_OPTIONAL), "v1 limit -1 also lifts memsw (optional)");
  ocirt_cg_plan_clear (&p);

  r.memory = (struct ocirt_memory) { .has_swappiness = true, .swappiness = 60 };
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  ok (e && strstr (e, "linux.resources.memory.swappiness has no cgroup v2 equivalent"), "v2 swappiness: %s", e);
  r.memory = (struct ocirt_memory) { .has_swappiness = true, .swappiness = 101 };
  free (e);
  e = plan (&r, &hybrid, false, &p);
  ok (e && strstr (e, "expected 0 to 100"), "swappiness range: %s", e);

  r.memory = (struct ocirt_memory) { .has_limit = true, .limit = 1000, .has_check_before_update = true,
                                     .check_before_update = true };
  free (e);
  e = plan (&r, &hybrid, true, &p);
  ok (e == NULL && p.check_memory && p.check_memory_limit == 1000, "checkBeforeUpdate on update");
  ocirt_cg_plan_clear (&p);
}

static void
test_cpu (void)
{
  struct ocirt_resources r = { .has_cpu = true };
  struct ocirt_cg_plan p;
  cleanup_free char *e = NULL;
  const struct ocirt_cg_write *w;

  r.cpu = (struct ocirt_cpu) { .has_shares = true, .shares = 512, .has_quota = true, .quota = 50000,
                               .has_period = true, .period = 100000, .has_burst = true, .burst = 1000,
                               .has_idle = true, .idle = 0, .cpus = (char *) "0", .mems = (char *) "0" };
  e = plan (&r, &hybrid, false, &p);
  is_str (e, NULL, "v1 cpu plan");
  is_str (value_of (&p, "cpu.shares"), "512", "v1 shares");
  is_str (value_of (&p, "cpu.cfs_quota_us"), "50000", "v1 quota");
  is_str (value_of (&p, "cpu.cfs_period_us"), "100000", "v1 period");
  is_str (value_of (&p, "cpu.cfs_burst_us"), "1000", "v1 burst");
  is_str (value_of (&p, "cpu.idle"), "0", "v1 idle");
  is_str (value_of (&p, "cpuset.cpus"), "0", "cpuset cpus");
  is_str (value_of (&p, "cpuset.mems"), "0", "cpuset mems");
  ok (strcmp (p.w[0].file, "cpuset.cpus") == 0, "cpuset comes first (runc's order)");
  w = find (&p, "cpu.shares", 0);
  ok (w && (w->flags & CGW_VERIFY), "shares are read back (the kernel clamps)");
  ocirt_cg_plan_clear (&p);

  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (e, NULL, "v2 cpu plan");
  is_str (value_of (&p, "cpu.weight"), "59", "v2 shares -> weight");
  is_str (value_of (&p, "cpu.max"), "50000 100000", "v2 quota + period -> cpu.max");
  is_str (value_of (&p, "cpu.max.burst"), "1000", "v2 burst");
  ocirt_cg_plan_clear (&p);

  r.cpu = (struct ocirt_cpu) { .has_quota = true, .quota = -1 };
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (value_of (&p, "cpu.max"), "max", "v2 quota -1 -> max");
  ocirt_cg_plan_clear (&p);
  r.cpu = (struct ocirt_cpu) { .has_period = true, .period = 20000 };
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  w = find (&p, "cpu.max", 0);
  ok (w && strcmp (w->value, " 20000") == 0 && (w->flags & CGW_KEEP_QUOTA), "v2 period alone keeps the quota");
  ocirt_cg_plan_clear (&p);

  r.cpu = (struct ocirt_cpu) { .has_realtime_runtime = true, .realtime_runtime = 1000 };
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  ok (e && strstr (e, "no cgroup v2 equivalent"), "v2 realtime: %s", e);
  r.cpu = (struct ocirt_cpu) { .has_quota = true, .quota = 1000, .has_burst = true, .burst = 2000 };
  free (e);
  e = plan (&r, &hybrid, false, &p);
  ok (e && strstr (e, "burst (2000) must not be larger"), "burst > quota: %s", e);
}

static void
test_pids_blkio (void)
{
  struct ocirt_throttle_device rbps = { .major = 8, .minor = 0, .rate = 1048576 };
  struct ocirt_weight_device wd = { .major = 8, .minor = 16, .has_weight = true, .weight = 500 };
  struct ocirt_resources r = { .has_pids = true, .pids_limit = 0 };
  struct ocirt_cg_plan p;
  cleanup_free char *e = NULL;
  const struct ocirt_cg_write *w;

  e = plan (&r, &hybrid, false, &p);
  is_str (value_of (&p, "pids.max"), "0", "pids 0 is a real limit");
  ocirt_cg_plan_clear (&p);
  r.pids_limit = -1;
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (value_of (&p, "pids.max"), "max", "pids -1 -> max");
  ocirt_cg_plan_clear (&p);

  r = (struct ocirt_resources) { .has_blkio = true };
  r.blkio = (struct ocirt_blkio) { .has_weight = true, .weight = 500, .weight_device = &wd, .n_weight_device = 1,
                                   .throttle_read_bps = &rbps, .n_throttle_read_bps = 1 };
  free (e);
  e = plan (&r, &hybrid, false, &p);
  is_str (e, NULL, "v1 blkio plan");
  w = find (&p, "blkio.weight", 0);
  ok (w && strcmp (w->value, "500") == 0 && w->alt_file && strcmp (w->alt_file, "blkio.bfq.weight") == 0,
      "blkio.weight, or BFQ's blkio.bfq.weight where CFQ is gone");
  is_str (value_of (&p, "blkio.weight_device"), "8:16 500", "weight device");
  is_str (value_of (&p, "blkio.throttle.read_bps_device"), "8:0 1048576", "throttle read bps");
  ocirt_cg_plan_clear (&p);
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (e, NULL, "v2 io plan");
  w = find (&p, "io.bfq.weight", 0);
  ok (w && strcmp (w->value, "500") == 0 && strcmp (w->alt_file, "io.weight") == 0
          && strcmp (w->alt_value, "default 4950") == 0,
      "v2 weight: io.bfq.weight as is, else io.weight converted");
  w = find (&p, "io.bfq.weight", 1);
  ok (w && strcmp (w->value, "8:16 500") == 0 && strcmp (w->alt_value, "8:16 4950") == 0, "v2 weight device");
  is_str (value_of (&p, "io.max"), "8:0 rbps=1048576", "v2 throttle -> io.max");
  ocirt_cg_plan_clear (&p);
  r.blkio.has_leaf_weight = true;
  r.blkio.leaf_weight = 100;
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  ok (e && strstr (e, "leafWeight has no cgroup v2 equivalent"), "v2 leaf weight: %s", e);
  r.blkio.leaf_weight = 5;
  free (e);
  e = plan (&r, &hybrid, false, &p);
  ok (e && strstr (e, "expected 10 to 1000"), "weight range: %s", e);
}

static void
test_hugetlb_network_unified (void)
{
  struct ocirt_hugepage_limit hl = { .page_size = (char *) "2MB", .limit = 4194304 };
  struct ocirt_keyval kv[] = { { (char *) "hugetlb.2MB.max", (char *) "1234" } };
  struct ocirt_keyval bad[] = { { (char *) "memory.high", (char *) "1234" } };
  struct ocirt_resources r = { .hugepage_limits = &hl, .n_hugepage_limits = 1 };
  struct ocirt_cg_plan p;
  cleanup_free char *e = NULL;
  const struct ocirt_cg_write *w;

  e = plan (&r, &hybrid, false, &p);
  is_str (e, NULL, "hugetlb on the hybrid host goes to cgroup2");
  w = find (&p, "hugetlb.2MB.max", 0);
  ok (w && w->v2 && strcmp (w->value, "4194304") == 0, "hugetlb.2MB.max on the unified hierarchy");
  w = find (&p, "hugetlb.2MB.rsvd.max", 0);
  ok (w && (w->flags & CGW_OPTIONAL), "reservation limit too, where the kernel has it");
  ok (p.v2_needed == CG_BIT (CG_HUGETLB), "only hugetlb must be enabled on cgroup2");
  ocirt_cg_plan_clear (&p);
  free (e);
  e = plan (&r, &pure_v1, false, &p);
  is_str (value_of (&p, "hugetlb.2MB.limit_in_bytes"), "4194304", "v1 hugetlb");
  ocirt_cg_plan_clear (&p);
  hl.page_size = (char *) "2M";
  free (e);
  e = plan (&r, &hybrid, false, &p);
  ok (e && strstr (e, "invalid page size `2M`"), "bad page size: %s", e);

  r = (struct ocirt_resources) { .has_network = true, .has_class_id = true, .class_id = 0x100001 };
  free (e);
  e = plan (&r, &hybrid, false, &p);
  ok (e && strstr (e, "linux.resources.network.classID needs the cgroup v1 controller `net_cls`"),
      "missing controller named: %s", e);
  free (e);
  e = plan (&r, &pure_v1, false, &p);
  is_str (value_of (&p, "net_cls.classid"), "1048577", "net_cls.classid");
  ocirt_cg_plan_clear (&p);

  r = (struct ocirt_resources) { .unified = kv, .n_unified = 1 };
  free (e);
  e = plan (&r, &hybrid, false, &p);
  w = find (&p, "hugetlb.2MB.max", 0);
  ok (e == NULL && w && w->v2 && strcmp (w->value, "1234") == 0, "unified key on the hybrid host");
  ocirt_cg_plan_clear (&p);
  free (e);
  e = plan (&r, &pure_v1, false, &p);
  ok (e && strstr (e, "needs cgroup v2"), "unified on v1: %s", e);
  r.unified = bad;
  free (e);
  e = plan (&r, &hybrid, false, &p);
  ok (e && strstr (e, "key `memory.high` needs the cgroup v2 controller `memory`"), "unified, controller absent: %s",
      e);
  free (e);
  e = plan (&r, &pure_v2, false, &p);
  is_str (value_of (&p, "memory.high"), "1234", "unified on v2");
  ocirt_cg_plan_clear (&p);
}

/* ---- devices ---- */

/* Runs a BPF_PROG_TYPE_CGROUP_DEVICE program on one access; -1 on an unknown instruction. */
static int
bpf_run (const struct ocirt_cg_bpf *prog, char type, uint32_t major, uint32_t minor, char access)
{
  const struct bpf_insn *in = prog->insns;
  uint32_t ctx[3];
  uint64_t r[11] = { 0 };
  uint32_t acc = access == 'r' ? BPF_DEVCG_ACC_READ : access == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;

  ctx[0] = (acc << 16) | (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  ctx[1] = major;
  ctx[2] = minor;
  for (size_t pc = 0; pc < prog->n; pc++)
    {
      const struct bpf_insn *i = &in[pc];
      switch (i->code)
        {
        case BPF_LDX | BPF_W | BPF_MEM:
          r[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU | BPF_MOV | BPF_X:
          r[i->dst_reg] = (uint32_t) r[i->src_reg];
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          r[i->dst_reg] = (uint32_t) r[i->dst_reg] & (uint32_t) i->imm;
          break;
        case BPF_ALU | BPF_RSH | BPF_K:
          r[i->dst_reg] = (uint32_t) r[i->dst_reg] >> i->imm;
          break;
        case BPF_JMP32 | BPF_JNE | BPF_K:
          if ((uint32_t) r[i->dst_reg] != (uint32_t) i->imm)
            pc += i->off;
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) r[0];
        default:
          return -1;
        }
    }
  return -1;
}

static void
test_devices (void)
{
  struct ocirt_device_rule spec_rules[] = {
    { .allow = false, .access = (char *) "rwm" },
    { .allow = true, .type = 'c', .has_major = true, .major = 10, .has_minor = true, .minor = 229,
      .access = (char *) "rw" },
    { .allow = true, .type = 'b', .has_major = true, .major = 8, .access = (char *) "r" },
    { .allow = false, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 3,
      .access = (char *) "w" },
  };
  struct ocirt_device dev = { .type = 'c', .path = (char *) "/dev/fuse2", .major = 10, .minor = 250 };
  struct ocirt_spec spec = { .has_linux = true };
  cleanup_err struct ocirt_err *err = NULL;
  struct ocirt_device_rule *rules;
  struct ocirt_cg_bpf prog = { 0 };
  struct ocirt_cg_plan p;
  size_t n;
  cleanup_free char *t1 = ocirt_cg_rule_v1_text (&spec_rules[0]);
  cleanup_free char *t2 = ocirt_cg_rule_v1_text (&spec_rules[1]);
  cleanup_free char *t3 = ocirt_cg_rule_v1_text (&spec_rules[2]);
  int mismatches = 0, unknown = 0;
  static const char types[] = { 'c', 'b' }, accs[] = { 'r', 'w', 'm' };
  static const uint32_t majors[] = { 1, 5, 8, 10, 136, 4000000000u }, minors[] = { 0, 1, 2, 3, 5, 7, 9, 229, 250 };

  is_str (t1, "a *:* rwm", "v1 text: deny all");
  is_str (t2, "c 10:229 rw", "v1 text: char device");
  is_str (t3, "b 8:* r", "v1 text: wildcard minor");

  spec.linux_.has_resources = true;
  spec.linux_.resources.devices = spec_rules;
  spec.linux_.resources.n_devices = 4;
  spec.linux_.devices = &dev;
  spec.linux_.n_devices = 1;
  rules = ocirt_cg_device_rules (&spec, &n);
  is_int (n, 4 + 11 + 1, "spec rules, then 11 defaults, then one per linux.devices node");
  ok (!rules[0].allow && rules[15].major == 10 && rules[15].minor == 250, "order kept");

  ok (ocirt_cg_rules_allow (rules, n, 'c', 1, 3, 'r'), "default /dev/null allowed (defaults come after)");
  ok (ocirt_cg_rules_allow (rules, n, 'c', 10, 229, 'w'), "spec allow rule");
  ok (ocirt_cg_rules_allow (rules, n, 'c', 10, 229, 'm'), "mknod allowed by the c *:* m default");
  ok (!ocirt_cg_rules_allow (rules, n, 'b', 8, 1, 'w'), "block 8:* is read-only");
  ok (ocirt_cg_rules_allow (rules, n, 'b', 8, 1, 'r'), "block 8:* readable");
  ok (!ocirt_cg_rules_allow (rules, n, 'c', 4, 1, 'r'), "everything else denied");
  ok (ocirt_cg_rules_allow (rules, n, 'c', 10, 250, 'w'), "linux.devices node allowed");

  ok (ocirt_cg_bpf_build (rules, n, &prog, &err) == 0, "eBPF program built (%zu instructions)", prog.n);
  for (size_t a = 0; a < sizeof types; a++)
    for (size_t b = 0; b < sizeof majors / sizeof majors[0]; b++)
      for (size_t c = 0; c < sizeof minors / sizeof minors[0]; c++)
        for (size_t d = 0; d < sizeof accs; d++)
          {
            int got = bpf_run (&prog, types[a], majors[b], minors[c], accs[d]);
            bool want = ocirt_cg_rules_allow (rules, n, types[a], majors[b], minors[c], accs[d]);
            if (got < 0)
              unknown++;
            else if ((got == 1) != want)
              mismatches++;
          }
  is_int (unknown, 0, "the interpreter knows every emitted instruction");
  is_int (mismatches, 0, "eBPF program == rule semantics on %zu accesses",
          sizeof types * (sizeof majors / sizeof majors[0]) * (sizeof minors / sizeof minors[0]) * sizeof accs);
  ocirt_cg_bpf_clear (&prog);

  ok (ocirt_cg_plan_make (NULL, rules, n, &hybrid, false, &p, &err) == 0, "devices plan on v1");
  ok (p.n == n && strcmp (p.w[0].file, "devices.deny") == 0 && strcmp (p.w[0].value, "a *:* rwm") == 0
          && strcmp (p.w[1].file, "devices.allow") == 0,
      "v1: devices.deny/devices.allow in order");
  ocirt_cg_plan_clear (&p);
  ok (ocirt_cg_plan_make (NULL, rules, n, &pure_v2, false, &p, &err) == 0 && p.devices_bpf && p.n == 0,
      "v2: devices become an eBPF program");
  ocirt_cg_plan_clear (&p);
  ocirt_cg_rules_free (rules, n);

  {
    struct ocirt_device_rule badr = { .allow = true, .type = 'x' };
    ok (ocirt_cg_plan_make (NULL, &badr, 1, &hybrid, false, &p, &err) < 0
            && strstr (err->msg, "invalid device type `x`"),
        "bad device type rejected");
  }
}

static void
test_paths (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  const char *names[] = { "unified", "cpu", "memory" };
  const char *paths[] = { "/c1", "/c1", "/process_api/x/c1" };
  cleanup_free char *enc = NULL, *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  char *s;

  s = ocirt_cg_clean_path ("/a/./b/../c//", &err);
  is_str (s, "/a/c", "absolute path cleaned");
  free (s);
  s = ocirt_cg_clean_path ("../../x/y", &err);
  is_str (s, "x/y", "relative path cannot climb out");
  free (s);
  s = ocirt_cg_clean_path ("c1", &err);
  is_str (s, "c1", "plain relative path (the default: the id)");
  free (s);
  s = ocirt_cg_clean_path ("/../..", &err);
  is_str (s, "/", "absolute .. stops at /");
  free (s);
  ok (ocirt_cg_clean_path ("/a;b", &err) == NULL && strstr (err->msg, "';'"), "';' rejected");

  enc = ocirt_cg_encode_paths (names, paths, 3);
  is_str (enc, "/c1;memory=/process_api/x/c1", "encoding lists only the differing hierarchy");
  a = ocirt_cg_decode_path (enc, "memory");
  b = ocirt_cg_decode_path (enc, "cpu");
  c = ocirt_cg_decode_path ("/x/y", "pids");
  d = ocirt_cg_decode_path ("x", "pids");
  is_str (a, "/process_api/x/c1", "decode override");
  is_str (b, "/c1", "decode common");
  is_str (c, "/x/y", "decode plain path");
  is_str (d, NULL, "relative recorded path is invalid");
}

static void
test_systemd (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  struct ocirt_cg_systemd_path p;

  ok (ocirt_cg_systemd_parse ("system.slice:cri-containerd:abc", "abc", &p, &err) == 0
          && strcmp (p.slice, "system.slice") == 0 && strcmp (p.prefix, "cri-containerd") == 0
          && strcmp (p.name, "abc") == 0,
      "slice:prefix:name parsed");
  ocirt_cg_systemd_clear (&p);
  ok (ocirt_cg_systemd_parse (NULL, "c9", &p, &err) == 0 && strcmp (p.name, "c9") == 0, "default unit");
  ocirt_cg_systemd_clear (&p);
  ok (ocirt_cg_systemd_parse ("/a/b", "c9", &p, &err) < 0 && strstr (err->msg, "slice:prefix:name"),
      "a cgroupfs path is refused with the expected form");
  ocirt_err_free (err);
  err = NULL;
  ok (ocirt_cg_systemd_parse ("foo:p:n", "c9", &p, &err) < 0 && strstr (err->msg, ".slice"), "slice must be .slice");
  ocirt_err_free (err);
  err = NULL;
  if (access ("/run/systemd/system", F_OK) != 0)
    ok (ocirt_cg_systemd_create ("system.slice:x:y", "y", &err) < 0
            && strstr (err->msg, "the systemd cgroup driver needs a running systemd"),
        "no systemd here: clear error");
  else
    ok (ocirt_cg_systemd_create ("system.slice:x:y", "y", &err) < 0 && strstr (err->msg, "not implemented"),
        "systemd runs: the driver says it is not implemented");
}

static void
test_cli_helpers (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  int64_t v = 0;
  unsigned ms = 0;
  pid_t pids[] = { 42, 7 };
  const char *ps = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                   "root           1       0  0 10:00 ?        00:00:01 init\n"
                   "root           7       1  0 10:00 ?        00:00:00 sleep 100\n"
                   "root          42       7  0 10:00 ?        00:00:00 sh\n"
                   "root         420       1  0 10:00 ?        00:00:00 other\n";
  cleanup_free char *filtered = NULL;
  struct ocirt_update_flags f = { .memory = "512m", .cpu_share = "100", .pids_limit = "-1", .cpuset_cpus = "0" };
  struct ocirt_resources *r;

  ok (ocirt_parse_ram_bytes ("512m", &v, &err) == 0 && v == 512LL << 20, "512m");
  ok (ocirt_parse_ram_bytes ("1.5GB", &v, &err) == 0 && v == 3LL << 29, "1.5GB");
  ok (ocirt_parse_ram_bytes ("100KiB", &v, &err) == 0 && v == 102400, "100KiB");
  ok (ocirt_parse_ram_bytes ("4096", &v, &err) == 0 && v == 4096, "plain bytes");
  ok (ocirt_parse_ram_bytes ("12x", &v, &err) < 0 && strstr (err->msg, "invalid size"), "bad size refused");
  ocirt_err_free (err);
  err = NULL;
  ok (ocirt_parse_duration_ms ("5s", &ms, &err) == 0 && ms == 5000, "5s");
  ok (ocirt_parse_duration_ms ("100ms", &ms, &err) == 0 && ms == 100, "100ms");
  ok (ocirt_parse_duration_ms ("1m30s", &ms, &err) == 0 && ms == 90000, "1m30s");
  ok (ocirt_parse_duration_ms ("10", &ms, &err) < 0 && strstr (err->msg, "missing unit"), "unit required");
  ocirt_err_free (err);
  err = NULL;

  filtered = ocirt_ps_filter (ps, pids, 2, &err);
  is_str (filtered,
          "UID          PID    PPID  C STIME TTY          TIME CMD\n"
          "root           7       1  0 10:00 ?        00:00:00 sleep 100\n"
          "root          42       7  0 10:00 ?        00:00:00 sh\n",
          "ps table keeps the header and the container's pids");
  ok (ocirt_ps_filter ("USER COMMAND\nroot x\n", pids, 2, &err) == NULL
          && strcmp (err->msg, "couldn't find PID field in ps output") == 0,
      "no PID column: runc's error");
  ocirt_err_free (err);
  err = NULL;

  r = ocirt_update_flags_to_resources (&f, &err);
  ok (r && r->has_memory && r->memory.limit == 512LL << 20 && !r->memory.has_swap, "--memory 512m");
  ok (r && r->has_cpu && r->cpu.has_shares && r->cpu.shares == 100 && strcmp (r->cpu.cpus, "0") == 0,
      "--cpu-share, --cpuset-cpus");
  ok (r && r->has_pids && r->pids_limit == -1, "--pids-limit -1");
  ocirt_resources_free (r);
  f = (struct ocirt_update_flags) { .memory = "-1" };
  r = ocirt_update_flags_to_resources (&f, &err);
  ok (r && r->memory.limit == -1 && r->memory.has_swap && r->memory.swap == -1,
      "--memory -1 lifts swap too (runc)");
  ocirt_resources_free (r);
  f = (struct ocirt_update_flags) { .cpu_quota = "abc" };
  ok (ocirt_update_flags_to_resources (&f, &err) == NULL && strstr (err->msg, "invalid value for --cpu-quota"),
      "bad number names the flag");
}

int
main (void)
{
  test_cli_helpers ();
  test_conversions ();
  test_memory ();
  test_cpu ();
  test_pids_blkio ();
  test_hugetlb_network_unified ();
  test_devices ();
  test_paths ();
  test_systemd ();
  return done_testing ();
}
