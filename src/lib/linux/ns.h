/* Namespaces: which are new, which are joined by path, and who does what (see
 * docs/design/process-model.md). The plan is pure; the rest applies it.
 *
 * Who does what:
 * - parent, before clone: joins every namespace given by path except user and mount (it is still
 *   host root, so setns works whatever owns the target; for pid and time this sets the namespace of
 *   the children only). A new time namespace is unshared here too, and timeOffsets written, because
 *   offsets can only be written before any process is in it. After clone the parent goes back.
 * - clone3: creates every other new namespace at once (the user namespace first, so that it owns
 *   the others), except cgroup.
 * - init: joins a user namespace given by path (then unshares the new ones itself, so they are
 *   owned by it, and forks once when a new pid namespace is needed), joins a mount namespace by
 *   path, and unshares the cgroup namespace after the parent has put it in its cgroup. */
#ifndef OCIRT_LINUX_NS_H
#define OCIRT_LINUX_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ocirt/names.h"
#include "ocirt/spec.h"

struct ocirt_err;

struct ocirt_ns_entry
{
  bool present; /* in linux.namespaces: new (path NULL) or joined */
  const char *path;
  int fd;       /* of path, once opened */
  int restore;  /* the parent's own namespace, to go back to after clone */
};

struct ocirt_ns_plan
{
  struct ocirt_ns_entry ns[OCIRT_NS__COUNT];
  uint64_t clone_flags;   /* CLONE_NEW* made by clone3 */
  uint64_t unshare_flags; /* CLONE_NEW* the init unshares after joining the user ns by path */
  bool fork_for_pid;      /* joined userns + new pid ns: the init forks the real init */
  bool new_cgroup;        /* the init unshares CLONE_NEWCGROUP once it is in its cgroup */
  bool new_time;          /* the parent unshares CLONE_NEWTIME before clone */
  bool new_user;
  bool join_user;
  bool new_mount;         /* a fresh mount namespace: the rootfs gets set up */
  bool join_mount;
};

/* Pure: duplicates, mappings without a user namespace and the reverse. */
int ocirt_ns_plan_build (const struct ocirt_spec *spec, struct ocirt_ns_plan *p, struct ocirt_err **err);
/* Opens every path and checks it is a namespace of the right type. */
int ocirt_ns_open (struct ocirt_ns_plan *p, struct ocirt_err **err);
void ocirt_ns_plan_close (struct ocirt_ns_plan *p);

/* Parent, right before clone / right after. */
int ocirt_ns_parent_enter (struct ocirt_ns_plan *p, const struct ocirt_spec *spec, struct ocirt_err **err);
int ocirt_ns_parent_leave (struct ocirt_ns_plan *p, struct ocirt_err **err);
/* Init, after GO: user and mount joins, becoming root in the user ns, unshares. Does not fork. */
int ocirt_ns_child_enter (const struct ocirt_ns_plan *p, struct ocirt_err **err);

/* Pure (unit-tested): the lines /proc/self/timens_offsets takes. */
char *ocirt_ns_time_offsets_text (const struct ocirt_linux *l);

#endif
