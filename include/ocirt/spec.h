/* The config.json model: typed structs for the Linux part of the OCI runtime spec (config.md,
 * config-linux.md). Hand-written; filled by src/lib/spec/parse.c from the JSON tree.
 *
 * Conventions: strings are NULL when absent; arrays are (pointer, n_ count); an optional scalar
 * has a `has_<name>` flag. Arrays of strings are also NULL-terminated (args and env can go to
 * execve as they are) and non-NULL when present, even empty. `line` fields keep where an object
 * stood in config.json so that later, semantic errors can still point at it; ocirt_spec_line()
 * gives the line of any other parsed value. */
#ifndef OCIRT_SPEC_H
#define OCIRT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ocirt_err;

struct ocirt_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct ocirt_keyval
{
  char *key;
  char *value;
};

struct ocirt_mount
{
  char *destination;
  char *source;
  char *type;
  char **options;
  size_t n_options;
  struct ocirt_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct ocirt_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  unsigned line;
};

struct ocirt_rlimit
{
  char *type; /* "RLIMIT_NOFILE" */
  uint64_t soft;
  uint64_t hard;
  unsigned line;
};

struct ocirt_capabilities
{
  /* each set: names like "CAP_CHOWN"; has_ tells an absent set from an empty one */
  char **bounding, **effective, **inheritable, **permitted, **ambient;
  size_t n_bounding, n_effective, n_inheritable, n_permitted, n_ambient;
  bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
};

struct ocirt_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
};

struct ocirt_scheduler
{
  char *policy; /* "SCHED_OTHER", ... */
  int32_t nice;
  int32_t priority;
  char **flags;
  size_t n_flags;
  uint64_t runtime, deadline, period;
  bool has_nice, has_priority;
};

struct ocirt_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height, console_width;
  struct ocirt_user user;
  char **args;
  size_t n_args;
  char **env;
  size_t n_env;
  char *cwd;
  bool has_capabilities;
  struct ocirt_capabilities capabilities;
  struct ocirt_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  char *selinux_label;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  bool has_scheduler;
  struct ocirt_scheduler scheduler;
  bool has_io_priority;
  char *io_priority_class; /* IOPRIO_CLASS_RT | _BE | _IDLE */
  int32_t io_priority;
  char *exec_cpu_affinity_initial; /* cpu list "0-3,7" */
  char *exec_cpu_affinity_final;
  unsigned line;
};

struct ocirt_hook
{
  char *path;
  char **args;
  size_t n_args;
  char **env;
  size_t n_env;
  bool has_timeout;
  int64_t timeout; /* seconds, > 0 */
};

enum ocirt_hook_kind
{
  OCIRT_HOOK_PRESTART = 0,
  OCIRT_HOOK_CREATE_RUNTIME,
  OCIRT_HOOK_CREATE_CONTAINER,
  OCIRT_HOOK_START_CONTAINER,
  OCIRT_HOOK_POSTSTART,
  OCIRT_HOOK_POSTSTOP,
  OCIRT_HOOK__COUNT,
};

struct ocirt_hooks
{
  struct ocirt_hook *list[OCIRT_HOOK__COUNT];
  size_t n[OCIRT_HOOK__COUNT];
};

enum ocirt_ns_type
{
  OCIRT_NS_PID = 0,
  OCIRT_NS_NETWORK,
  OCIRT_NS_MOUNT,
  OCIRT_NS_IPC,
  OCIRT_NS_UTS,
  OCIRT_NS_USER,
  OCIRT_NS_CGROUP,
  OCIRT_NS_TIME,
  OCIRT_NS__COUNT,
};

struct ocirt_namespace
{
  enum ocirt_ns_type type;
  char *path; /* NULL: create a new one */
  unsigned line;
};

struct ocirt_device
{
  char type; /* 'c', 'b', 'u', 'p' */
  char *path;
  int64_t major, minor;
  bool has_file_mode, has_uid, has_gid;
  uint32_t file_mode, uid, gid;
  unsigned line;
};

struct ocirt_device_rule
{
  bool allow;
  char type; /* 'a', 'c', 'b'; 0 when absent (= all) */
  bool has_major, has_minor;
  int64_t major, minor;
  char *access; /* "rwm", NULL when absent */
};

struct ocirt_memory
{
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
  bool has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
  int64_t limit, reservation, swap, kernel, kernel_tcp;
  uint64_t swappiness;
  bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct ocirt_cpu
{
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime, has_realtime_period, has_idle;
  uint64_t shares, burst, period, realtime_period;
  int64_t quota, realtime_runtime, idle;
  char *cpus;
  char *mems;
};

struct ocirt_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct ocirt_throttle_device
{
  int64_t major, minor;
  uint64_t rate;
};

struct ocirt_blkio
{
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
  struct ocirt_weight_device *weight_device;
  size_t n_weight_device;
  struct ocirt_throttle_device *throttle_read_bps, *throttle_write_bps, *throttle_read_iops, *throttle_write_iops;
  size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;
};

struct ocirt_hugepage_limit
{
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct ocirt_net_priority
{
  char *name;
  uint32_t priority;
};

struct ocirt_rdma_limit
{
  char *device;
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles, hca_objects;
};

struct ocirt_resources
{
  struct ocirt_device_rule *devices;
  size_t n_devices;
  bool has_memory, has_cpu, has_pids, has_blkio, has_network;
  struct ocirt_memory memory;
  struct ocirt_cpu cpu;
  int64_t pids_limit; /* valid when has_pids */
  struct ocirt_blkio blkio;
  struct ocirt_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  bool has_class_id;
  uint32_t class_id;
  struct ocirt_net_priority *net_priorities;
  size_t n_net_priorities;
  struct ocirt_rdma_limit *rdma;
  size_t n_rdma;
  struct ocirt_keyval *unified;
  size_t n_unified;
};

struct ocirt_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  uint64_t value_two;
  char *op; /* "SCMP_CMP_EQ", ... */
};

struct ocirt_seccomp_rule
{
  char **names;
  size_t n_names;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct ocirt_seccomp_arg *args;
  size_t n_args;
  unsigned line;
};

struct ocirt_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  size_t n_architectures;
  char **flags;
  size_t n_flags;
  char *listener_path;
  char *listener_metadata;
  struct ocirt_seccomp_rule *syscalls;
  size_t n_syscalls;
};

struct ocirt_intel_rdt
{
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  char **schemata;
  size_t n_schemata;
  bool enable_monitoring;
};

struct ocirt_net_device
{
  char *host_name; /* the key */
  char *name;      /* NULL: keep host_name */
};

struct ocirt_linux
{
  struct ocirt_namespace *namespaces;
  size_t n_namespaces;
  struct ocirt_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct ocirt_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  bool has_time_offsets;
  bool has_monotonic, has_boottime;
  int64_t monotonic_secs, boottime_secs;
  uint32_t monotonic_nsecs, boottime_nsecs;
  struct ocirt_device *devices;
  size_t n_devices;
  struct ocirt_net_device *net_devices;
  size_t n_net_devices;
  char *cgroups_path;
  bool has_resources;
  struct ocirt_resources resources;
  bool has_intel_rdt;
  struct ocirt_intel_rdt intel_rdt;
  bool has_memory_policy;
  char *memory_policy_mode;
  char *memory_policy_nodes;
  char **memory_policy_flags;
  size_t n_memory_policy_flags;
  struct ocirt_keyval *sysctl;
  size_t n_sysctl;
  bool has_seccomp;
  struct ocirt_seccomp seccomp;
  char *rootfs_propagation;
  char **masked_paths;
  size_t n_masked_paths;
  char **readonly_paths;
  size_t n_readonly_paths;
  char *mount_label;
  bool has_personality;
  char *personality_domain; /* "LINUX" | "LINUX32" */
  char **personality_flags;
  size_t n_personality_flags;
};

struct ocirt_spec
{
  char *oci_version;
  char *root_path;
  bool root_readonly;
  struct ocirt_mount *mounts;
  size_t n_mounts;
  struct ocirt_process *process; /* NULL when absent (allowed at create) */
  char *hostname;
  char *domainname;
  bool has_hooks;
  struct ocirt_hooks hooks;
  struct ocirt_keyval *annotations;
  size_t n_annotations;
  bool has_linux;
  struct ocirt_linux linux_; /* `linux` is a predefined macro in GNU C */
  struct ocirt_spec_lines *lines; /* private: where each value stood (see ocirt_spec_line) */
};

/* Parse config.json text. name is the file name used in messages ("config.json").
 * Errors read "config.json: process.args: expected array of strings at line 12". */
struct ocirt_spec *ocirt_spec_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err);
struct ocirt_spec *ocirt_spec_parse_file (const char *path, struct ocirt_err **err);
/* Parse a bare `process` object (exec --process FILE). */
struct ocirt_process *ocirt_process_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err);
/* Parse a bare linux.resources object (update --resources FILE). */
struct ocirt_resources *ocirt_resources_parse (const char *buf, size_t len, const char *name,
                                               struct ocirt_err **err);

/* The line in config.json where a parsed value stood, 0 when unknown (or not parsed from text).
 * value is a string or string array of s (the pointer: s->process->cwd, s->process->args), the
 * address of any other scalar (&s->linux_.resources.memory.limit), an element of a struct array
 * (&s->mounts[2]), an embedded object (&s->process->user), s itself, or, for an object the model
 * flattens into its parent, the address of its has_ flag (&r->has_pids for resources.pids) or,
 * without one, of its first field (&s->root_path for root). Lets any area point at the line. */
unsigned ocirt_spec_line (const struct ocirt_spec *s, const void *value);

void ocirt_spec_free (struct ocirt_spec *s);
void ocirt_spec_freep (struct ocirt_spec **s);
void ocirt_process_free (struct ocirt_process *p);
void ocirt_resources_free (struct ocirt_resources *r);
#define cleanup_spec __attribute__ ((cleanup (ocirt_spec_freep)))

/* Validation of what the schema and spec require (validate.c). Collects every problem:
 * returns the number found (0 = valid) and calls report() for each with "path: message at line N".
 * at_start: also require `process` (the spec needs it only at start). */
typedef void (*ocirt_spec_report_fn) (void *ctx, const char *problem);
int ocirt_spec_validate (const struct ocirt_spec *s, bool at_start, ocirt_spec_report_fn report, void *ctx);
/* The same, turned into one error (the first problem) for create. */
int ocirt_spec_check (const struct ocirt_spec *s, bool at_start, struct ocirt_err **err);
/* Valid fields ocirt does not apply yet (linux.netDevices, linux.intelRdt, linux.memoryPolicy):
 * an error naming the field, so that create never ignores them silently. */
int ocirt_spec_check_supported (const struct ocirt_spec *s, struct ocirt_err **err);
/* The process checks (cwd, args, env, capabilities, rlimits, scheduler, ...) of a bare process
 * (exec --process): the first problem as an error "<name>: process.cwd: ...", without line. */
int ocirt_process_check (const struct ocirt_process *p, const char *name, struct ocirt_err **err);

/* `ocirt check BUNDLE`: parses BUNDLE/config.json and validates it for start, including that the
 * root filesystem directory exists. Reports each problem as "config.json: <path>: <what> at line N"
 * and returns how many there were, or -1 with *err when config.json cannot be read at all. */
int ocirt_bundle_check (const char *bundle, ocirt_spec_report_fn report, void *ctx, struct ocirt_err **err);

const char *ocirt_ns_type_name (enum ocirt_ns_type t); /* "pid", "network", ... */
int ocirt_ns_type_from_name (const char *name);        /* -1 when unknown */
const char *ocirt_hook_kind_name (enum ocirt_hook_kind k); /* "createRuntime" ... */

/* The default config.json, as `runc spec` writes it (default-spec.c); rootless: `runc spec --rootless`
 * for the calling user. */
char *ocirt_spec_default_json (bool rootless);
/* Write it to <bundle>/config.json (bundle NULL: the current directory); never overwrites. */
int ocirt_spec_write_default (const char *bundle, bool rootless, struct ocirt_err **err);

#endif
