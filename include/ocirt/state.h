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

#endif
