/* The state store: <root>/<id>/state.json plus a lock file per container.
 *
 * Writes are atomic (temp + fsync + rename) and mutating verbs hold the id's lock (flock on
 * <root>/<id>/lock... see state.c for the exact protocol). */
#ifndef OCIRT_STATE_H
#define OCIRT_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ocirt_err;
struct ocirt_spec;

enum ocirt_status
{
  OCIRT_STATUS_CREATING = 0,
  OCIRT_STATUS_CREATED,
  OCIRT_STATUS_RUNNING,
  OCIRT_STATUS_PAUSED,
  OCIRT_STATUS_STOPPED,
};

struct ocirt_state
{
  char *oci_version;
  char *id;
  enum ocirt_status status; /* as recorded; see ocirt_state_refresh for the live one */
  pid_t pid;
  uint64_t pid_start_time; /* field 22 of /proc/PID/stat at create: detects pid reuse */
  char *bundle;            /* absolute */
  char *rootfs;            /* absolute */
  char *created;           /* RFC3339Nano, UTC */
  char *owner;             /* "" as runc */
  char *cgroup_path;       /* absolute path of the container's cgroup (driver-relative), may be NULL */
  bool rootless;
  bool systemd_cgroup;
  char **annotation_keys;
  char **annotation_values;
  size_t n_annotations;
};

/* id rules: [A-Za-z0-9][A-Za-z0-9_.+-]*, at most 1024 bytes, no "/" and not "." or "..". */
int ocirt_id_validate (const char *id, struct ocirt_err **err);

const char *ocirt_status_name (enum ocirt_status s);

/* Layout: <root>/<id>/state.json, <root>/<id>/exec.fifo (while created), and a lock.
 * Errors keep runc's wording, which clients match: `container "ID" does not exist`,
 * `container with given ID already exists`. */

/* Take the id's exclusive lock (flock), blocking. *lock_fd is closed to release it. The lock lives
 * outside the state dir so that delete can remove the dir while holding it. */
int ocirt_state_lock (const char *root, const char *id, int *lock_fd, struct ocirt_err **err);
/* mkdir <root> (0700, parents too) and <root>/<id> exclusively; fails if the id exists. */
int ocirt_state_dir_create (const char *root, const char *id, struct ocirt_err **err);
/* Atomic: write <root>/<id>/state.json.tmp, fsync, rename. */
int ocirt_state_write (const char *root, const struct ocirt_state *st, struct ocirt_err **err);
int ocirt_state_read (const char *root, const char *id, struct ocirt_state **out, struct ocirt_err **err);
/* Sets st->status from the live system: stopped when the init pid is gone or its start time differs
 * (pid reuse); created while <root>/<id>/exec.fifo exists; otherwise the recorded running/paused. */
void ocirt_state_refresh (const char *root, struct ocirt_state *st);
/* Remove <root>/<id> and everything in it. */
int ocirt_state_remove (const char *root, const char *id, struct ocirt_err **err);
/* Every container under root, sorted by id; unreadable entries are skipped with a warning. */
int ocirt_state_list (const char *root, struct ocirt_state ***out, size_t *n, struct ocirt_err **err);
void ocirt_state_free (struct ocirt_state *st);
void ocirt_state_freep (struct ocirt_state **st);
#define cleanup_state __attribute__ ((cleanup (ocirt_state_freep)))
/* The spec's state JSON as `ocirt state` prints it (runc's fields and formatting). */
char *ocirt_state_to_json (const struct ocirt_state *st, bool pretty);
/* Field 22 (starttime) of /proc/PID/stat. */
int ocirt_proc_start_time (pid_t pid, uint64_t *out, struct ocirt_err **err);

#endif
