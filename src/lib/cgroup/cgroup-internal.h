/* Internals of the cgroup area (src/lib/cgroup/), shared by its files and its unit tests.
 *
 * Split: the pure "plan" (resources.c: spec resources -> list of file writes per hierarchy,
 * devices.c: device rules -> v1 rule text / v2 eBPF instructions, systemd.c: slice:prefix:name,
 * the path encoding below) never touches the kernel; cgroup.c, v1.c, v2.c and stats.c do. */
#ifndef OCIRT_CGROUP_INTERNAL_H
#define OCIRT_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocirt/cgroup.h"

struct ocirt_spec;
struct ocirt_resources;
struct ocirt_device_rule;

#define OCIRT_CG_ROOT "/sys/fs/cgroup"

/* Controllers, v1 and v2 names together. IO is the v2 name of v1's blkio. */
enum ocirt_cg_ctrl
{
  CG_CPU = 0,
  CG_CPUACCT,
  CG_CPUSET,
  CG_MEMORY,
  CG_DEVICES,
  CG_FREEZER,
  CG_BLKIO,
  CG_IO,
  CG_PIDS,
  CG_HUGETLB,
  CG_NET_CLS,
  CG_NET_PRIO,
  CG_RDMA,
  CG_PERF_EVENT,
  CG_MISC,
  CG__COUNT,
};
#define CG_BIT(c) (1u << (c))

const char *ocirt_cg_ctrl_name (enum ocirt_cg_ctrl c);
int ocirt_cg_ctrl_from_name (const char *name); /* -1 when unknown */

enum ocirt_cg_layout
{
  OCIRT_CG_V1 = 0,  /* only cgroup v1 hierarchies */
  OCIRT_CG_V2,      /* /sys/fs/cgroup is cgroup2 */
  OCIRT_CG_HYBRID,  /* v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified */
};
const char *ocirt_cg_layout_name (enum ocirt_cg_layout l);

/* Which controllers the plan may use: mounted as v1 hierarchies, and available on the cgroup2
 * hierarchy (its root's cgroup.controllers). has_v2: a cgroup2 hierarchy exists. */
struct ocirt_cg_avail
{
  unsigned v1;
  unsigned v2;
  bool has_v2;
  bool v2_is_unified_mount; /* hybrid: v2 lives at /sys/fs/cgroup/unified (messages say so) */
};

/* Flags of one write. */
enum
{
  CGW_OPTIONAL = 1 << 0,     /* skip silently when the file does not exist (e.g. hugetlb .rsvd) */
  CGW_RETRY = 1 << 1,        /* EINVAL may be an ordering problem: retry after the other writes */
  CGW_VERIFY = 1 << 2,       /* read back; the kernel clamps cpu.shares silently */
  CGW_DEPRECATED = 1 << 3,   /* the kernel may refuse (kernel memory): warn and go on */
  CGW_KEEP_QUOTA = 1 << 4,   /* cpu.max with only a period: keep the current quota (value is " P") */
};

/* One write: value into file in the container's cgroup of the hierarchy holding ctrl (v1) or
 * the cgroup2 one (v2). When file does not exist and alt_file is set, alt_value goes to alt_file
 * (blkio.weight vs blkio.bfq.weight). field names the spec field for messages. */
struct ocirt_cg_write
{
  enum ocirt_cg_ctrl ctrl;
  bool v2;
  const char *field;
  char *file;
  char *value;
  char *alt_file;
  char *alt_value;
  unsigned flags;
};

struct ocirt_cg_plan
{
  struct ocirt_cg_write *w;
  size_t n;
  unsigned v2_needed;      /* v2 controllers that must be enabled in the parents' subtree_control */
  bool devices_bpf;        /* devices go through an eBPF program (no v1 devices controller) */
  bool check_memory;       /* checkBeforeUpdate: refuse a limit below the current usage */
  int64_t check_memory_limit;
};

/* The plan for r (may be NULL: nothing but devices). rules/n_rules: the device rules to apply
 * (create: spec rules plus the defaults; update: none). Errors name the spec field and the
 * controller that is missing, or the value that is invalid. */
int ocirt_cg_plan_make (const struct ocirt_resources *r, const struct ocirt_device_rule *rules, size_t n_rules,
                        const struct ocirt_cg_avail *av, bool update, struct ocirt_cg_plan *out,
                        struct ocirt_err **err);
void ocirt_cg_plan_clear (struct ocirt_cg_plan *p);

/* Conversions used on cgroup v2 (docs/cgroups.md explains each). */
uint64_t ocirt_cg_shares_to_weight (uint64_t shares);    /* cpu.shares -> cpu.weight, 0 = unset */
uint64_t ocirt_cg_blkio_to_io_weight (uint64_t weight);  /* blkio.weight 10..1000 -> io.weight 1..10000 */
/* OCI swap (memory+swap) -> memory.swap.max; returns -1 with *err for impossible combinations.
 * *out: -1 = "max", -2 = leave unset, otherwise bytes. */
int ocirt_cg_swap_to_v2 (bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *out,
                         struct ocirt_err **err);

/* Devices (devices.c). */
/* The rules a container gets: spec rules, then runc's default allowed devices and one allow rule
 * for every linux.devices entry. Caller frees with ocirt_cg_rules_free. */
struct ocirt_device_rule *ocirt_cg_device_rules (const struct ocirt_spec *spec, size_t *n);
void ocirt_cg_rules_free (struct ocirt_device_rule *rules, size_t n);
/* v1 text "c 1:3 rwm" (type a when unset, * for unset numbers, rwm when access unset). */
char *ocirt_cg_rule_v1_text (const struct ocirt_device_rule *r);
int ocirt_cg_rule_check (const struct ocirt_device_rule *r, size_t index, struct ocirt_err **err);

/* A BPF_PROG_TYPE_CGROUP_DEVICE program emulating the v1 rule list (last matching rule wins,
 * anything unmatched is allowed as in a fresh v1 cgroup). insns: 8-byte bpf_insn array. */
struct ocirt_cg_bpf
{
  void *insns;
  size_t n;
};
int ocirt_cg_bpf_build (const struct ocirt_device_rule *rules, size_t n_rules, struct ocirt_cg_bpf *out,
                        struct ocirt_err **err);
void ocirt_cg_bpf_clear (struct ocirt_cg_bpf *p);
/* Load it and attach it to the cgroup2 directory dirfd, replacing the programs ocirt attached
 * before (BPF_F_ALLOW_MULTI). log: the verifier's message on failure. */
int ocirt_cg_bpf_attach (int dirfd, const struct ocirt_cg_bpf *p, struct ocirt_err **err);
/* Run the program's logic in C against one access (used by the unit tests to check the emitted
 * program means what the rule list means): type 'c'/'b', access one of 'r','w','m'. */
bool ocirt_cg_rules_allow (const struct ocirt_device_rule *rules, size_t n, char type, int64_t major,
                           int64_t minor, char access);

/* systemd.c: "slice:prefix:name". */
struct ocirt_cg_systemd_path
{
  char *slice;
  char *prefix;
  char *name;
};
int ocirt_cg_systemd_parse (const char *path, const char *id, struct ocirt_cg_systemd_path *out,
                            struct ocirt_err **err);
void ocirt_cg_systemd_clear (struct ocirt_cg_systemd_path *p);
/* Fails with the clear message when no systemd runs here; otherwise says the driver is missing. */
int ocirt_cg_systemd_create (const char *cgroups_path, const char *id, struct ocirt_err **err);

/* Paths (pure). */
/* Lexical clean as runc's CleanPath: absolute stays absolute, a relative path cannot climb out
 * with "..". Returns NULL with *err for characters ocirt cannot record (';', newline). */
char *ocirt_cg_clean_path (const char *path, struct ocirt_err **err);
/* state.json encoding of per-hierarchy paths: "<common>[;<name>=<path>]..." where name is a
 * hierarchy's directory under /sys/fs/cgroup (e.g. "memory", "unified"). */
char *ocirt_cg_encode_paths (const char *const *names, const char *const *paths, size_t n);
/* The path of hierarchy name in an encoded string, NULL when enc is malformed. */
char *ocirt_cg_decode_path (const char *enc, const char *name);

/* One hierarchy and the container's directory in it. */
struct ocirt_cg_hier
{
  char *name;      /* directory under /sys/fs/cgroup: "memory", "cpu,cpuacct", "systemd", "unified" or "" (v2) */
  char *mount;     /* absolute mount point */
  unsigned ctrls;  /* v1 controllers of this hierarchy; for v2 the available ones */
  bool v2;
  char *path;      /* the container's cgroup inside the hierarchy, "/a/b" */
  char *dir;       /* mount + path */
  char **created;  /* directories this process created, outermost first (rollback) */
  size_t n_created;
};

struct ocirt_cgroup
{
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *h;
  size_t n;
  char *encoded;   /* ocirt_cgroup_path */
  int clone_fd;
};

/* Host probing (cgroup.c); the result is cached for the process. */
int ocirt_cg_probe (enum ocirt_cg_layout *layout, struct ocirt_cg_hier **h, size_t *n, struct ocirt_err **err);
void ocirt_cg_hiers_free (struct ocirt_cg_hier *h, size_t n);
struct ocirt_cg_hier *ocirt_cg_hier_v2 (struct ocirt_cgroup *cg);
struct ocirt_cg_hier *ocirt_cg_hier_for (struct ocirt_cgroup *cg, enum ocirt_cg_ctrl c);

/* Small file helpers (cgroup.c). */
int ocirt_cg_write_file (const char *dir, const char *file, const char *value, struct ocirt_err **err);
void ocirt_cg_sleep_ms (long ms);
char *ocirt_cg_read_file (const char *dir, const char *file, struct ocirt_err **err);
int ocirt_cg_read_u64 (const char *dir, const char *file, uint64_t *out, struct ocirt_err **err);

/* v1.c */
int ocirt_cg_v1_cpuset_init (const char *dir, struct ocirt_err **err); /* copy cpus/mems from the parent */
int ocirt_cg_v1_freeze (const char *dir, bool frozen, struct ocirt_err **err);
int ocirt_cg_v1_is_frozen (const char *dir, bool *frozen, struct ocirt_err **err);
/* eventfd signalled on OOM in the memory cgroup dir (cgroup.event_control). */
int ocirt_cg_v1_oom_eventfd (const char *dir, struct ocirt_err **err);

/* v2.c */
int ocirt_cg_v2_enable (const char *mount, const char *path, unsigned wanted, unsigned required,
                        struct ocirt_err **err);
int ocirt_cg_v2_freeze (const char *dir, bool frozen, struct ocirt_err **err);
int ocirt_cg_v2_is_frozen (const char *dir, bool *frozen, struct ocirt_err **err);
unsigned ocirt_cg_v2_controllers (const char *dir);

/* Stats (stats.c): runc's `events --stats` data object. */
struct ocirt_jw;
int ocirt_cg_stats_write (struct ocirt_cgroup *cg, struct ocirt_jw *w, struct ocirt_err **err);

#endif
