/* The cgroup interface: one API, drivers for v1, v2 and hybrid hosts (src/lib/cgroup/).
 * The driver is picked by probing /sys/fs/cgroup once (statfs). Owned by the cgroups area; the
 * lifecycle engine calls only what is declared here. */
#ifndef OCIRT_CGROUP_H
#define OCIRT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ocirt_err;
struct ocirt_ctx;
struct ocirt_spec;
struct ocirt_resources;

struct ocirt_cgroup;

/* Resolve linux.cgroupsPath (or the default path for id), create the cgroup in every hierarchy
 * and apply linux.resources. A field whose controller is missing is an error naming both. */
int ocirt_cgroup_create (const struct ocirt_ctx *ctx, const char *id, const struct ocirt_spec *spec,
                         struct ocirt_cgroup **out, struct ocirt_err **err);
/* The path ocirt_cgroup_create will record for id and spec, resolved and checked (empty) without
 * making anything; *out NULL with the systemd driver. The engine records it before the cgroup
 * exists, so that a create killed while making it leaves a path `delete --force` can remove. */
int ocirt_cgroup_path_plan (const struct ocirt_ctx *ctx, const char *id, const struct ocirt_spec *spec, char **out,
                            struct ocirt_err **err);
/* For clone3 CLONE_INTO_CGROUP: an O_PATH|O_DIRECTORY fd of the container's cgroup2 cgroup (v2 and
 * hybrid hosts), or -1 when there is none (v1 only, no cgroup). Owned by the cgroup object. A
 * process cloned into it (in_v2 below) still has the v1 hierarchies of a hybrid host to join. */
int ocirt_cgroup_clone_fd (struct ocirt_cgroup *cg);
/* The runtime moves pid into every hierarchy (cgroup.procs), the cgroup2 one unless in_v2. */
int ocirt_cgroup_add_pid (struct ocirt_cgroup *cg, pid_t pid, bool in_v2, struct ocirt_err **err);
/* The calling process moves itself: "0" into each v1 hierarchy's `tasks` (and the cgroup2 one's
 * cgroup.procs unless in_v2). Much cheaper than add_pid (no wait for an RCU grace period), but
 * only for a single-threaded process with the credentials that may write the cgroup's files. */
int ocirt_cgroup_join_self (struct ocirt_cgroup *cg, bool in_v2, struct ocirt_err **err);
/* Whether this process made the container's directory in every hierarchy (its files are then the
 * runtime's own, writable by a clone of it in a new user ns before it changes credentials). */
bool ocirt_cgroup_made_here (const struct ocirt_cgroup *cg);
/* The path recorded in state.json, which ocirt_cgroup_load takes back. */
const char *ocirt_cgroup_path (const struct ocirt_cgroup *cg);
int ocirt_cgroup_load (const struct ocirt_ctx *ctx, const char *path, struct ocirt_cgroup **out,
                       struct ocirt_err **err);
int ocirt_cgroup_update (struct ocirt_cgroup *cg, const struct ocirt_resources *r, struct ocirt_err **err);
int ocirt_cgroup_freeze (struct ocirt_cgroup *cg, bool frozen, struct ocirt_err **err);
int ocirt_cgroup_is_frozen (struct ocirt_cgroup *cg, bool *frozen, struct ocirt_err **err);
int ocirt_cgroup_pids (struct ocirt_cgroup *cg, pid_t **pids, size_t *n, struct ocirt_err **err);
int ocirt_cgroup_kill_all (struct ocirt_cgroup *cg, int sig, struct ocirt_err **err);
/* Kill everything left, wait until empty (thawing first), remove every directory it created. */
int ocirt_cgroup_destroy (struct ocirt_cgroup *cg, struct ocirt_err **err);
void ocirt_cgroup_free (struct ocirt_cgroup *cg);
void ocirt_cgroup_freep (struct ocirt_cgroup **cg);
#define cleanup_cgroup __attribute__ ((cleanup (ocirt_cgroup_freep)))

/* ---- Container verbs of the cgroups area (src/lib/cgroup/ops.c), called by the thin CLI. ----
 * Each reads the container's state, takes its cgroup back from the recorded path and acts on it.
 * Errors keep runc's wording: "container not running", "container not paused". */

/* runc's `update` flags, as given (NULL when absent). */
struct ocirt_update_flags
{
  const char *memory, *memory_swap, *memory_reservation, *kernel_memory, *kernel_memory_tcp;
  const char *cpu_share, *cpu_period, *cpu_quota, *cpu_burst, *cpu_rt_period, *cpu_rt_runtime, *cpu_idle;
  const char *cpuset_cpus, *cpuset_mems, *pids_limit, *blkio_weight, *l3_cache_schema, *mem_bw_schema;
};
/* The resources those flags ask for (sizes like "512m" as runc); free with ocirt_resources_free. */
struct ocirt_resources *ocirt_update_flags_to_resources (const struct ocirt_update_flags *f, struct ocirt_err **err);
/* docker/go-units RAMInBytes: "512m", "1.5g", "100KiB", "1024" (binary units). */
int ocirt_parse_ram_bytes (const char *s, int64_t *out, struct ocirt_err **err);
/* Go durations: "5s", "100ms", "1m30s". */
int ocirt_parse_duration_ms (const char *s, unsigned *out, struct ocirt_err **err);
/* `ps --format table` filtering: ps's header, then its lines whose PID column is in pids. */
char *ocirt_ps_filter (const char *output, const pid_t *pids, size_t n, struct ocirt_err **err);

/* Freeze (created or running -> paused) and thaw (paused -> running), recorded in state.json. */
int ocirt_container_pause (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err);
int ocirt_container_resume (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err);
/* Apply r to a live container (devices are left as they are, as runc). */
int ocirt_container_update (const struct ocirt_ctx *ctx, const char *id, const struct ocirt_resources *r,
                            struct ocirt_err **err);
/* Host pids of every process of the container (none once it stopped). Caller frees *pids. */
int ocirt_container_pids (const struct ocirt_ctx *ctx, const char *id, pid_t **pids, size_t *n,
                          struct ocirt_err **err);
/* Runs the host's `ps` with ps_args (default -ef) and keeps the container's lines, as runc. */
int ocirt_container_ps_table (const struct ocirt_ctx *ctx, const char *id, char *const *ps_args, size_t n_args,
                              char **out, struct ocirt_err **err);
/* runc's event stream on stdout: {"type":"stats","id":ID,"data":{...}} every interval_ms and
 * {"type":"oom","id":ID} on OOM, until the container stops; stats_once: one stats line. */
int ocirt_container_events (const struct ocirt_ctx *ctx, const char *id, bool stats_once, unsigned interval_ms,
                            struct ocirt_err **err);

#endif
