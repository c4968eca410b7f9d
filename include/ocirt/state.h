/* The state store: <root>/<id>/state.json plus a lock file per container, <root>/.locks/<id>.
 *
 * Writes are atomic (temp + fsync + rename), so readers (`state`, `list`) never lock and never see
 * a partial file; mutating verbs hold the id's lock (flock on <root>/.locks/<id>; see state.c for
 * the protocol, docs/state.md for the layout). */
#ifndef OCIRT_STATE_H
#define OCIRT_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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
/* -1 when name is not one of the five status names. */
int ocirt_status_from_name (const char *name);

/* Layout: <root>/<id>/state.json, <root>/<id>/exec.fifo (while created), and the lock file
 * <root>/.locks/<id>. Errors keep runc's wording, which clients match: `container "ID" does not
 * exist`, `container with given ID already exists`. Every function taking an id validates it. */

/* Take the id's exclusive lock (flock), blocking; creates <root> (0700) and <root>/.locks as
 * needed. Release with ocirt_state_unlock. The lock lives outside the state dir so that delete
 * can remove the dir while holding it. */
int ocirt_state_lock (const char *root, const char *id, int *lock_fd, struct ocirt_err **err);
/* Release the lock taken by ocirt_state_lock and set *lock_fd to -1 (no-op when it is -1). When
 * <root>/<id> no longer exists (deleted, or a create that failed), the lock file is removed too,
 * while still held, so lock files do not pile up. Plain close(*lock_fd) is also correct but may
 * leave an empty lock file behind. */
void ocirt_state_unlock (const char *root, const char *id, int *lock_fd);
/* mkdir <root> (0700, parents too) and <root>/<id> exclusively; fails if the id exists. */
int ocirt_state_dir_create (const char *root, const char *id, struct ocirt_err **err);
/* Atomic: write <root>/<id>/state.json.tmp, fsync, rename. */
int ocirt_state_write (const char *root, const struct ocirt_state *st, struct ocirt_err **err);
int ocirt_state_read (const char *root, const char *id, struct ocirt_state **out, struct ocirt_err **err);
/* Sets st->status from the live system: stopped when the init pid is gone or its start time differs
 * (pid reuse); created while <root>/<id>/exec.fifo exists; otherwise the recorded running/paused. */
void ocirt_state_refresh (const char *root, struct ocirt_state *st);
/* Remove <root>/<id> and everything in it (never following symlinks). Call it holding the lock. */
int ocirt_state_remove (const char *root, const char *id, struct ocirt_err **err);
/* Every container under root, sorted by id; unreadable entries are skipped with a warning, ids
 * whose state.json does not exist yet (being created) silently. A missing root is an empty list.
 * owner is set from the state dir's owner (user name, or "#UID"), as `runc list` shows it.
 * ocirt_state_list_free frees the array. */
int ocirt_state_list (const char *root, struct ocirt_state ***out, size_t *n, struct ocirt_err **err);
/* The name of uid in a passwd file (name:password:uid:...; the first line with it), NULL when none. */
char *ocirt_passwd_name (FILE *passwd, uid_t uid);
void ocirt_state_list_free (struct ocirt_state **list, size_t n);
void ocirt_state_free (struct ocirt_state *st);
void ocirt_state_freep (struct ocirt_state **st);
#define cleanup_state __attribute__ ((cleanup (ocirt_state_freep)))
/* The spec's state JSON as `ocirt state` prints it (runc's fields and formatting: ociVersion, id,
 * pid (0 when stopped), status, bundle, rootfs, created, annotations (sorted, omitted when empty),
 * owner). No trailing newline. */
char *ocirt_state_to_json (const struct ocirt_state *st, bool pretty);
/* `list --format json`: an array of those (compact), "null" when n == 0, as runc. */
char *ocirt_state_list_json (struct ocirt_state *const *list, size_t n);
/* `list` table: ID PID STATUS BUNDLE CREATED OWNER, aligned as Go's tabwriter does for runc. */
char *ocirt_state_list_table (struct ocirt_state *const *list, size_t n);
/* The on-disk state.json (compact, every field) and its parser (name is used in messages). */
char *ocirt_state_serialize (const struct ocirt_state *st);
struct ocirt_state *ocirt_state_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err);
/* The time now as RFC3339Nano in UTC ("2006-01-02T15:04:05.999999999Z", trailing zeros trimmed as
 * Go does), for st->created. */
char *ocirt_rfc3339nano_now (void);
/* Field 22 (starttime) of /proc/PID/stat. */
int ocirt_proc_start_time (pid_t pid, uint64_t *out, struct ocirt_err **err);

#endif
