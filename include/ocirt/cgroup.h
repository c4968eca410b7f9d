/* The cgroup interface: one API, drivers for v1, v2 and hybrid hosts (src/lib/cgroup/).
 * The driver is picked by probing /sys/fs/cgroup once (statfs). Owned by the cgroups area; the
 * lifecycle engine calls only what is declared here. */
#ifndef OCIRT_CGROUP_H
#define OCIRT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
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
/* For clone3 CLONE_INTO_CGROUP: an O_PATH|O_DIRECTORY fd of the v2 cgroup, or -1 when the host
 * layout needs ocirt_cgroup_add_pid instead (v1, hybrid). Owned by the cgroup object. */
int ocirt_cgroup_clone_fd (struct ocirt_cgroup *cg);
int ocirt_cgroup_add_pid (struct ocirt_cgroup *cg, pid_t pid, struct ocirt_err **err);
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

#endif
