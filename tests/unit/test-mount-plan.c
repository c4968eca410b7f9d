/* The lifecycle engine's pure logic: mount options, mount plan, path cleaning, data splitting,
 * cgroup bind planning, namespace plan and timens offsets text. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "src/lib/linux/mount-plan.h"
#include "src/lib/linux/ns.h"
#include "tap.h"

static void
flags_of (const char *const *opts, size_t n, struct ocirt_mount_flags *f)
{
  cleanup_err struct ocirt_err *err = NULL;

  ok (ocirt_mount_flags_parse ((char *const *) opts, n, f, &err) == 0, "parse %zu options (first: %s)", n,
      n ? opts[0] : "-");
}

static void
test_flags (void)
{
  struct ocirt_mount_flags f;

  {
    const char *o[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
    flags_of (o, 4, &f);
    is_int (f.ms_flags, MS_NOSUID | MS_STRICTATIME, "tmpfs options: ms flags");
    is_int (f.attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME, "tmpfs options: attributes set");
    is_int (f.attr_clr, MOUNT_ATTR__ATIME, "tmpfs options: the atime field is cleared to be set");
    is_str (f.data, "mode=755,size=65536k", "unknown options become the data string, in order");
    ok (!f.bind && !f.remount, "not a bind, not a remount");
    ocirt_mount_flags_free (&f);
  }
  {
    const char *o[] = { "ro", "rw" };
    flags_of (o, 2, &f);
    is_int (f.ms_flags, 0, "ro then rw: rw");
    is_int (f.attr_set, 0, "ro then rw: nothing set");
    is_int (f.attr_clr, MOUNT_ATTR_RDONLY, "ro then rw: read-only cleared");
    ok (f.data == NULL, "no data");
  }
  {
    const char *o[] = { "rbind", "ro", "rprivate" };
    flags_of (o, 3, &f);
    ok (f.bind && f.recursive, "rbind: recursive bind");
    is_int (f.attr_set, MOUNT_ATTR_RDONLY, "rbind,ro: ro on the top mount only");
    is_int (f.rattr_set, 0, "rbind,ro: nothing recursive");
    is_int (f.propagation, MS_PRIVATE, "rprivate: private");
    ok (f.propagation_recursive, "rprivate: recursive");
  }
  {
    const char *o[] = { "bind", "rro", "rnosuid", "rnoatime", "shared", "slave" };
    flags_of (o, 6, &f);
    ok (f.bind && !f.recursive, "bind: not recursive");
    is_int (f.rattr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME, "r* options: recursive set");
    is_int (f.rattr_clr, MOUNT_ATTR__ATIME, "rnoatime clears the atime field");
    is_int (f.propagation, MS_SLAVE, "last propagation wins");
    ok (!f.propagation_recursive, "slave is not recursive");
  }
  {
    const char *o[] = { "noatime", "atime" };
    flags_of (o, 2, &f);
    is_int (f.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME, "noatime then atime: relatime");
    is_int (f.ms_flags, 0, "noatime then atime: no MS_NOATIME");
  }
  {
    const char *o[] = { "strictatime", "norelatime" };
    flags_of (o, 2, &f);
    is_int (f.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME, "norelatime keeps strictatime");
  }
  {
    const char *o[] = { "nodev", "dev", "noexec", "nodiratime", "nosymfollow", "suid" };
    flags_of (o, 6, &f);
    is_int (f.attr_set, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
            "nodev,dev,noexec,nodiratime,nosymfollow,suid: set");
    is_int (f.attr_clr, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, "dev and suid cleared");
  }
  {
    const char *o[] = { "sync", "dirsync", "mand", "lazytime", "silent", "iversion", "remount", "defaults" };
    const char *names[8];
    flags_of (o, 8, &f);
    is_int (f.ms_flags, MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME | MS_SILENT | MS_I_VERSION,
            "superblock flags");
    is_int (f.attr_set, 0, "superblock flags are no mount attributes");
    ok (f.remount, "remount");
    is_int (ocirt_mount_sb_flag_names (f.ms_flags | MS_RDONLY, names), 5, "five fsconfig flags");
    is_str (names[0], "ro", "ro first");
    is_str (names[4], "lazytime", "lazytime last");
  }
  {
    const char *o[] = { "async", "nolazytime", "nomand", "loud", "noiversion" };
    flags_of (o, 5, &f);
    is_int (f.ms_flags, 0, "the clearing superblock options");
  }
  {
    const char *o[] = { "tmpcopyup", "idmap", "ridmap" };
    flags_of (o, 3, &f);
    ok (f.tmpcopyup && f.idmap && f.ridmap && f.data == NULL, "runtime extensions are not data");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    char *o[] = { (char *) "ro,nosuid" };
    ok (ocirt_mount_flags_parse (o, 1, &f, &err) < 0, "an option with a comma is refused");
    ok (err && strstr (err->msg, "ro,nosuid"), "the error names it");
  }
}

static void
test_paths (void)
{
  const struct
  {
    const char *in, *out;
  } cases[] = {
    { "/proc", "/proc" },        { "proc", "/proc" },     { "//a/./b/", "/a/b" },   { "/a/../b", "/b" },
    { "/../../etc", "/etc" },    { "/", "/" },            { "", "/" },              { "a/b/../../..", "/" },
    { "/dev/shm/.", "/dev/shm" }, { "/x/..y/z", "/x/..y/z" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *c = ocirt_path_clean (cases[i].in);
      is_str (c, cases[i].out, "clean \"%s\"", cases[i].in);
    }
}

static void
test_data_split (void)
{
  cleanup_strv char **a = ocirt_mount_data_split ("mode=755,size=1k");
  cleanup_strv char **b = ocirt_mount_data_split ("context=\"a,b\",x");
  cleanup_strv char **c = ocirt_mount_data_split (NULL);
  cleanup_strv char **d = ocirt_mount_data_split (",,a,");

  ok (a[0] && a[1] && !a[2], "two items");
  is_str (a[1], "size=1k", "second item");
  is_str (b[0], "context=\"a,b\"", "commas inside quotes stay");
  is_str (b[1], "x", "then the next");
  ok (c[0] == NULL, "NULL: empty");
  ok (d[0] && !d[1], "empty items are dropped");
  is_str (d[0], "a", "the one item");
}

static struct ocirt_mount
mnt (const char *dest, const char *type, const char *src, char **opts, size_t n)
{
  struct ocirt_mount m;

  memset (&m, 0, sizeof m);
  m.destination = (char *) dest;
  m.type = (char *) type;
  m.source = (char *) src;
  m.options = opts;
  m.n_options = n;
  m.line = 7;
  return m;
}

static void
test_plan (void)
{
  char *bind_opts[] = { (char *) "rbind", (char *) "ro" };
  char *none[] = { NULL };
  char *silent[] = { (char *) "silent" };
  struct ocirt_mount ms[] = {
    mnt ("/proc", "proc", "proc", none, 0),
    mnt ("data", "none", "vol", bind_opts, 2),
    mnt ("/sys/fs/cgroup", "cgroup", "cgroup", none, 0),
    mnt ("/dev", "tmpfs", "tmpfs", none, 0),
    mnt ("/etc/hosts", "bind", "/etc/hosts", none, 0),
    mnt ("/q", "tmpfs", NULL, silent, 1),
  };
  struct ocirt_spec spec;
  struct ocirt_mount_plan plan;
  cleanup_err struct ocirt_err *err = NULL;

  memset (&spec, 0, sizeof spec);
  spec.mounts = ms;
  spec.n_mounts = sizeof ms / sizeof ms[0];
  ok (ocirt_mount_plan_build (&spec, "/b", &plan, &err) == 0, "plan builds");
  is_int (plan.n, 6, "one op per entry");
  is_int (plan.ops[0].kind, OCIRT_MOUNT_FS, "proc: a new filesystem");
  is_str (plan.ops[0].source, "proc", "proc: source");
  is_int (plan.ops[1].kind, OCIRT_MOUNT_BIND, "rbind: a bind");
  is_str (plan.ops[1].destination, "/data", "relative destination taken from /");
  is_str (plan.ops[1].source, "/b/vol", "relative bind source taken from the bundle");
  is_int (plan.ops[2].kind, OCIRT_MOUNT_CGROUP, "cgroup type");
  ok (plan.dev_mounted && !plan.dev_bind, "/dev is a tmpfs");
  is_int (plan.ops[4].kind, OCIRT_MOUNT_BIND, "type bind without options: a bind");
  ok (!plan.ops[4].f.recursive, "type bind: not recursive");
  is_int (plan.ops[5].kind, OCIRT_MOUNT_LEGACY, "silent needs mount(2)");
  is_str (plan.ops[5].source, "tmpfs", "no source: the type");
  ocirt_mount_plan_free (&plan);

  {
    struct ocirt_mount bad[] = { mnt ("/x", NULL, "/y", none, 0) };
    spec.mounts = bad;
    spec.n_mounts = 1;
    ok (ocirt_mount_plan_build (&spec, "/b", &plan, &err) < 0, "no type and no bind: refused");
    ok (err && strstr (err->msg, "`/x`") && strstr (err->msg, "bind"), "the error names the mount: %s",
        err ? err->msg : "");
    ocirt_err_freep (&err);
  }
  {
    char *cu[] = { (char *) "tmpcopyup" };
    struct ocirt_mount bad[] = { mnt ("/x", "proc", "proc", cu, 1) };
    spec.mounts = bad;
    spec.n_mounts = 1;
    ok (ocirt_mount_plan_build (&spec, "/b", &plan, &err) < 0 && strstr (err->msg, "tmpcopyup needs type tmpfs"),
        "tmpcopyup on something else than a tmpfs fails clearly");
    ocirt_err_freep (&err);
  }
  {
    char *im[] = { (char *) "rbind", (char *) "ridmap" };
    struct ocirt_id_mapping map = { 0, 1000, 10 };
    struct ocirt_mount ok1[] = { mnt ("/i", "bind", "/s", im, 2) };
    spec.mounts = ok1;
    spec.n_mounts = 1;
    ok (ocirt_mount_plan_build (&spec, "/b", &plan, &err) < 0 && strstr (err->msg, "idmap needs"),
        "idmap without any mappings: an error");
    ocirt_err_freep (&err);
    spec.has_linux = true;
    spec.linux_.uid_mappings = spec.linux_.gid_mappings = &map;
    spec.linux_.n_uid_mappings = spec.linux_.n_gid_mappings = 1;
    ok (ocirt_mount_plan_build (&spec, "/b", &plan, &err) == 0, "ridmap with the container's mappings");
    ok (plan.ops[0].idmapped && plan.ops[0].idmap_recursive && plan.ops[0].uid_map == &map, "recursive, borrowed");
    is_int (plan.ops[0].userns_fd, -1, "no fd yet");
    ocirt_mount_plan_free (&plan);
    ok1[0].uid_mappings = &map;
    ok1[0].n_uid_mappings = 1;
    ok (ocirt_mount_plan_build (&spec, "/b", &plan, &err) < 0 && strstr (err->msg, "go together"),
        "uidMappings without gidMappings refused");
    ocirt_err_freep (&err);
    spec.has_linux = false;
  }
  is_int (ocirt_propagation_parse ("rslave"), MS_SLAVE | MS_REC, "rslave");
  is_int (ocirt_propagation_parse ("private"), MS_PRIVATE, "private");
  is_int (ocirt_propagation_parse ("bogus"), -1, "unknown propagation");
}

static const char hybrid_cgroup[] = "9:name=systemd:/\n8:pids:/c1\n2:cpu,cpuacct:/c1\n1:memory:/x/c1\n0::/c1\n";
static const char hybrid_mountinfo[]
    = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
      "35 31 0:32 /x /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime shared:5 - cgroup cgroup rw,pids\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n";

static void
test_cgroup_binds (void)
{
  struct ocirt_cgroup_bind *b = NULL;
  size_t n = 0;
  cleanup_err struct ocirt_err *err = NULL;

  ok (ocirt_cgroup_binds_plan (hybrid_cgroup, hybrid_mountinfo, &b, &n, &err) == 0, "hybrid host");
  is_int (n, 5, "four v1 hierarchies and the unified one");
  if (n == 5)
    {
      is_str (b[0].name, "systemd", "named hierarchy: its dir");
      is_str (b[0].source, "/sys/fs/cgroup/systemd", "path / is the mount point");
      is_str (b[1].source, "/sys/fs/cgroup/pids/c1", "pids source");
      is_str (b[2].name, "cpu,cpuacct", "co-mounted: the mount's name");
      ok (b[2].links[0] && b[2].links[1] && !b[2].links[2], "two links");
      is_str (b[2].links[0], "cpu", "cpu -> cpu,cpuacct");
      is_str (b[3].source, "/sys/fs/cgroup/memory/c1", "mount root /x is taken off the path");
      is_str (b[4].name, "unified", "cgroup2 in a hybrid layout: its dir");
      is_str (b[4].source, "/sys/fs/cgroup/unified/c1", "cgroup2 source");
    }
  ocirt_cgroup_binds_free (b, n);

  ok (ocirt_cgroup_binds_plan ("0::/a/b\n", "50 1 0:5 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", &b, &n,
                               &err)
          == 0,
      "v2-only host");
  ok (n == 1 && b[0].name[0] == '\0', "one bind, straight at the destination");
  is_str (n ? b[0].source : NULL, "/sys/fs/cgroup/a/b", "v2 source");
  ocirt_cgroup_binds_free (b, n);

  ok (ocirt_cgroup_binds_plan ("0::/a\n", "22 27 0:21 / /proc rw - proc proc rw\n", &b, &n, &err) < 0,
      "no hierarchy mounted: an error");
}

static void
test_ns_plan (void)
{
  struct ocirt_namespace nss[] = {
    { OCIRT_NS_PID, NULL, 1 },   { OCIRT_NS_NETWORK, (char *) "/run/netns/x", 2 },
    { OCIRT_NS_MOUNT, NULL, 3 }, { OCIRT_NS_CGROUP, NULL, 4 },
    { OCIRT_NS_TIME, NULL, 5 },
  };
  struct ocirt_spec spec;
  struct ocirt_ns_plan p;
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *offsets = NULL;

  memset (&spec, 0, sizeof spec);
  spec.has_linux = true;
  spec.linux_.namespaces = nss;
  spec.linux_.n_namespaces = 5;
  ok (ocirt_ns_plan_build (&spec, &p, &err) == 0, "plan builds");
  is_int (p.clone_flags, CLONE_NEWPID | CLONE_NEWNS, "clone makes pid and mount; cgroup and time are apart");
  ok (p.new_cgroup && p.new_time && p.new_mount && !p.fork_for_pid, "flags");
  ok (p.ns[OCIRT_NS_NETWORK].present && p.ns[OCIRT_NS_NETWORK].path, "network joined");

  {
    struct ocirt_namespace u[] = { { OCIRT_NS_USER, (char *) "/proc/1/ns/user", 1 },
                                   { OCIRT_NS_PID, NULL, 2 },
                                   { OCIRT_NS_IPC, NULL, 3 } };
    spec.linux_.namespaces = u;
    spec.linux_.n_namespaces = 3;
    ok (ocirt_ns_plan_build (&spec, &p, &err) == 0, "joined user ns");
    is_int (p.clone_flags, 0, "nothing made by clone");
    is_int (p.unshare_flags, CLONE_NEWPID | CLONE_NEWIPC, "the init unshares them in the joined user ns");
    ok (p.fork_for_pid, "and forks for the pid ns");
  }
  {
    struct ocirt_namespace d[] = { { OCIRT_NS_UTS, NULL, 1 }, { OCIRT_NS_UTS, NULL, 9 } };
    spec.linux_.namespaces = d;
    spec.linux_.n_namespaces = 2;
    ok (ocirt_ns_plan_build (&spec, &p, &err) < 0 && strstr (err->msg, "duplicate"), "duplicate type refused");
    ocirt_err_freep (&err);
  }
  {
    struct ocirt_namespace u[] = { { OCIRT_NS_USER, NULL, 1 } };
    spec.linux_.namespaces = u;
    spec.linux_.n_namespaces = 1;
    ok (ocirt_ns_plan_build (&spec, &p, &err) < 0 && strstr (err->msg, "uidMappings"),
        "a new user ns without mappings refused");
    ocirt_err_freep (&err);
  }
  {
    struct ocirt_namespace r[] = { { OCIRT_NS_NETWORK, (char *) "run/netns/x", 1 } };
    spec.linux_.namespaces = r;
    spec.linux_.n_namespaces = 1;
    ok (ocirt_ns_plan_build (&spec, &p, &err) < 0 && strstr (err->msg, "absolute"), "relative path refused");
    ocirt_err_freep (&err);
  }
  spec.linux_.has_monotonic = true;
  spec.linux_.monotonic_secs = -5;
  spec.linux_.monotonic_nsecs = 7;
  spec.linux_.has_boottime = true;
  spec.linux_.boottime_secs = 86400;
  offsets = ocirt_ns_time_offsets_text (&spec.linux_);
  is_str (offsets, "monotonic -5 7\nboottime 86400 0\n", "timens_offsets text");
}

int
main (void)
{
  test_flags ();
  test_paths ();
  test_data_split ();
  test_plan ();
  test_cgroup_binds ();
  test_ns_plan ();
  return done_testing ();
}
