/* The mount plan: config.json's `mounts` turned into an ordered list of operations, with runc's
 * option parsing. PURE: no syscalls, so every rule here has a unit test (tests/unit/test-mount-plan.c).
 * mount-apply.c executes the plan inside the container's mount namespace. */
#ifndef OCIRT_LINUX_MOUNT_PLAN_H
#define OCIRT_LINUX_MOUNT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ocirt_err;
struct ocirt_spec;
struct ocirt_mount;

/* What a list of mount options means. Options apply left to right: a later `rw` undoes `ro`. */
struct ocirt_mount_flags
{
  unsigned long ms_flags;  /* mount(2) flags as mount(8) computes them (legacy path, superblock flags) */
  uint64_t attr_set;       /* MOUNT_ATTR_* for the mount itself (fsmount / mount_setattr) */
  uint64_t attr_clr;
  uint64_t rattr_set;      /* MOUNT_ATTR_* from the recursive r* options (mount_setattr AT_RECURSIVE) */
  uint64_t rattr_clr;
  unsigned long propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE or 0 (the last one given) */
  bool propagation_recursive;
  bool bind;               /* bind or rbind */
  bool recursive;          /* rbind */
  bool remount;
  bool tmpcopyup;
  bool idmap, ridmap;
  char *data;              /* options the runtime does not know, comma-joined: the fs's own ("mode=755") */
};

enum ocirt_mount_kind
{
  OCIRT_MOUNT_BIND = 0, /* open_tree + mount_setattr + move_mount */
  OCIRT_MOUNT_FS,       /* fsopen + fsconfig + fsmount + move_mount */
  OCIRT_MOUNT_CGROUP,   /* type cgroup/cgroup2: the container's own cgroup dirs, read-only as configured */
  OCIRT_MOUNT_LEGACY,   /* mount(2): remount, or flags the new API cannot express (silent, iversion) */
};

struct ocirt_mount_op
{
  enum ocirt_mount_kind kind;
  char *destination; /* cleaned, absolute inside the container */
  char *source;      /* binds: absolute host path (relative ones resolved against the bundle) */
  char *type;        /* "proc", "tmpfs", ... ("bind" or "none" for binds, may be NULL) */
  struct ocirt_mount_flags f;
  unsigned line;     /* of the entry in config.json, for messages */
  /* idmap / ridmap / uidMappings: the mount's own mappings, or the container's user namespace ones
   * (borrowed pointers). The runtime turns them into userns_fd before clone (-1 until then). */
  bool idmapped;
  bool idmap_recursive;
  const struct ocirt_id_mapping *uid_map, *gid_map;
  size_t n_uid_map, n_gid_map;
  int userns_fd;
  /* binds: the detached tree the runtime cloned from the source before clone (flags and idmap
   * set), so that the container's root needs no access to the source; -1 until then */
  int tree_fd;
  bool source_is_dir;
};

struct ocirt_mount_plan
{
  struct ocirt_mount_op *ops;
  size_t n;
  bool dev_mounted; /* an entry mounts /dev: then the default devices go there (unless it is a bind) */
  bool dev_bind;    /* /dev is a bind mount from the host: leave it alone, as runc does */
};

/* Parses one entry's options. Unknown options end up in f->data. Never fails for unknown options;
 * fails for a combination that cannot work (e.g. two propagation kinds is fine, last wins). */
int ocirt_mount_flags_parse (char *const *options, size_t n, struct ocirt_mount_flags *f, struct ocirt_err **err);
void ocirt_mount_flags_free (struct ocirt_mount_flags *f);

/* The whole plan for spec->mounts. bundle is absolute. Errors name the entry's destination. */
int ocirt_mount_plan_build (const struct ocirt_spec *spec, const char *bundle, struct ocirt_mount_plan *plan,
                            struct ocirt_err **err);
void ocirt_mount_plan_free (struct ocirt_mount_plan *plan);

/* "a//b/./c/../d/" -> "/a/b/d". A relative path is taken as relative to "/" (the spec's rule for
 * mount destinations). ".." never climbs above "/". Returns a new string. */
char *ocirt_path_clean (const char *path);

/* Splits a data string at commas that are not inside double quotes ("context=\"a,b\",size=1k").
 * Returns a NULL-terminated vector (empty when data is NULL or ""). */
char **ocirt_mount_data_split (const char *data);

/* Superblock flags of ms_flags that fsconfig understands as flag parameters, in a fixed order:
 * fills names (at most 8) and returns how many. */
size_t ocirt_mount_sb_flag_names (unsigned long ms_flags, const char **names);

/* rootfsPropagation ("shared", "rslave", ...) to mount(2) flags; -1 when unknown. */
long ocirt_propagation_parse (const char *name);

/* Pure (unit-tested): the bind mounts a cgroup mount becomes. From /proc/self/cgroup and
 * /proc/self/mountinfo: for each hierarchy the host path of the container's cgroup directory and
 * the name it gets under the mount point ("cpu,cpuacct", "systemd", "unified"; "" when a cgroup2-only
 * host mounts it straight at the destination) and the symlinks co-mounted controllers get. */
struct ocirt_cgroup_bind
{
  char *source;
  char *name;
  char **links; /* NULL-terminated: "cpu", "cpuacct" -> name */
};
int ocirt_cgroup_binds_plan (const char *proc_cgroup, const char *mountinfo, struct ocirt_cgroup_bind **out,
                             size_t *n, struct ocirt_err **err);
void ocirt_cgroup_binds_free (struct ocirt_cgroup_bind *b, size_t n);

#endif
