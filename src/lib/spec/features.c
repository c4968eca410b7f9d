/* `ocirt features` (features.md, features-linux.md). What the runtime recognizes comes from the
 * code that implements it; what the host supports from probes (include/ocirt/features.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the mount plan's option parser and the seccomp flag names' values: what the implementing code
 * recognizes, asked directly rather than copied */
#include "../linux/mount-plan.h"
#include "../security/seccomp-plan.h"
#include "ocirt/cleanup.h"
#include "ocirt/features.h"
#include "ocirt/json.h"
#include "ocirt/names.h"
#include "ocirt/ocirt.h"
#include "ocirt/security.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "version.h"

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* What this build implements beyond what the tables below derive. Keep each true only while the
 * named code does it: `features` is read by containerd and podman and must not promise more. */
#define HAVE_CGROUP_V1 true       /* src/lib/cgroup: v1 and hybrid hierarchies */
#define HAVE_CGROUP_V2 true       /* src/lib/cgroup: unified hierarchy */
#define HAVE_CGROUP_SYSTEMD false /* cgroup/systemd.c parses slice:prefix:name, drives no systemd yet */
#define HAVE_CGROUP_RDMA true     /* cgroup/resources.c: linux.resources.rdma -> rdma.max */

/* Every mount option name the spec and runc know; the list printed is the subset the mount plan
 * takes (refused options, and those it would pass to the filesystem as data, are left out). */
static const char *const mount_option_candidates[] = {
  "acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap", "iversion",
  "lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime",
  "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev",
  "rdiratime", "relatime", "remount", "rexec", "ridmap", "rnoatime", "rnodev", "rnodiratime", "rnoexec",
  "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw",
  "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave",
  "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable", NULL,
};

/* Whether the mount plan takes one mount entry of this type with these options (and mappings)
 * without sending any option to the filesystem as data. The plan is pure: no syscalls. */
static bool
plan_takes (const char *type, const char *source, const char *option, bool idmapped)
{
  char *opts[] = { (char *) option, NULL };
  struct ocirt_id_mapping map = { .container_id = 0, .host_id = 100000, .size = 65536 };
  struct ocirt_mount m = { .destination = (char *) "/probe", .source = (char *) source, .type = (char *) type,
                           .options = option ? opts : NULL, .n_options = option ? 1 : 0 };
  struct ocirt_spec spec = { .mounts = &m, .n_mounts = 1 };
  struct ocirt_mount_plan plan;
  bool taken;

  if (idmapped)
    {
      m.uid_mappings = m.gid_mappings = &map;
      m.n_uid_mappings = m.n_gid_mappings = 1;
    }
  taken = ocirt_mount_plan_build (&spec, "/", &plan, NULL) == 0
          && (plan.ops[0].f.data == NULL || plan.ops[0].f.data[0] == '\0');
  ocirt_mount_plan_free (&plan);
  return taken;
}

/* An option counts when a tmpfs or a bind mount can carry it. */
static bool
mount_option_recognized (const char *name)
{
  return plan_takes ("tmpfs", "tmpfs", name, false) || plan_takes ("bind", "/", name, false);
}

static bool
idmap_mounts_supported (void)
{
  return plan_takes ("bind", "/", "idmap", true);
}

static int
read_int_file (const char *path, int fallback)
{
  char buf[32] = "";
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return fallback;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return fallback;
  buf[n] = '\0';
  return atoi (buf);
}

/* A filter flag the kernel knows fails with EFAULT on a NULL program; an unknown one with EINVAL. */
static bool
kernel_takes_seccomp_flag (unsigned long flag)
{
  /* the kernel accepts WAIT_KILLABLE_RECV only together with NEW_LISTENER */
  if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

void
ocirt_features_probe (struct ocirt_features_host *h)
{
  size_t n_flags;
  const char *const *flags = ocirt_seccomp_known_flags (&n_flags);

  memset (h, 0, sizeof *h);
  h->cap_last_cap = read_int_file ("/proc/sys/kernel/cap_last_cap", -1);
#ifdef HAVE_SECCOMP
  {
    const struct scmp_version *v = seccomp_version ();
    snprintf (h->libseccomp_version, sizeof h->libseccomp_version, "%u.%u.%u", v->major, v->minor, v->micro);
    /* SECCOMP_GET_ACTION_AVAIL answers only when the kernel has seccomp filters */
    uint32_t action = SECCOMP_RET_ALLOW;
    h->seccomp = syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
  }
#endif
  for (size_t i = 0; h->seccomp && i < n_flags; i++)
    {
      char *one[] = { (char *) flags[i], NULL };
      unsigned long bit = 0;

      if (ocirt_seccomp_flags (one, 1, &bit, NULL) == 0 && kernel_takes_seccomp_flag (bit))
        h->seccomp_flags |= bit;
    }
  h->apparmor = ocirt_apparmor_enabled ();
  h->selinux = ocirt_selinux_enabled ();
}

static void
write_list (struct ocirt_jw *w, const char *key, const char *const *list, size_t n)
{
  ocirt_jw_key (w, key);
  ocirt_jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    ocirt_jw_str (w, list[i]);
  ocirt_jw_arr_close (w);
}

static void
write_enabled (struct ocirt_jw *w, const char *key, bool enabled)
{
  ocirt_jw_key (w, key);
  ocirt_jw_obj_open (w);
  ocirt_jw_kbool (w, "enabled", enabled);
  ocirt_jw_obj_close (w);
}

static void
write_seccomp (struct ocirt_jw *w, const struct ocirt_features_host *h)
{
  size_t n;
  const char *const *list;

  ocirt_jw_key (w, "seccomp");
  ocirt_jw_obj_open (w);
  ocirt_jw_kbool (w, "enabled", h->seccomp);
  if (h->seccomp)
    {
      list = ocirt_seccomp_known_actions (&n);
      write_list (w, "actions", list, n);
      list = ocirt_seccomp_known_operators (&n);
      write_list (w, "operators", list, n);
      list = ocirt_seccomp_known_archs (&n);
      ocirt_jw_key (w, "archs");
      ocirt_jw_arr_open (w);
      for (size_t i = 0; i < n; i++)
        {
#ifdef HAVE_SECCOMP
          /* only those this libseccomp can build a filter for; seccomp.c skips the others */
          cleanup_free char *lower = xstrdup (list[i] + strlen ("SCMP_ARCH_"));
          for (char *p = lower; *p; p++)
            *p = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
          if (seccomp_arch_resolve_name (lower) == 0)
            continue;
#endif
          ocirt_jw_str (w, list[i]);
        }
      ocirt_jw_arr_close (w);
      list = ocirt_seccomp_known_flags (&n);
      write_list (w, "knownFlags", list, n);
      ocirt_jw_key (w, "supportedFlags");
      ocirt_jw_arr_open (w);
      for (size_t i = 0; i < n; i++)
        {
          char *one[] = { (char *) list[i], NULL };
          unsigned long bit = 0;
          if (ocirt_seccomp_flags (one, 1, &bit, NULL) == 0 && (h->seccomp_flags & bit) == bit && bit != 0)
            ocirt_jw_str (w, list[i]);
        }
      ocirt_jw_arr_close (w);
    }
  ocirt_jw_obj_close (w);
}

static void
write_linux (struct ocirt_jw *w, const struct ocirt_features_host *h)
{
  int last = h->cap_last_cap < 0 || h->cap_last_cap > OCIRT_CAPABILITY_LAST ? OCIRT_CAPABILITY_LAST : h->cap_last_cap;

  ocirt_jw_key (w, "linux");
  ocirt_jw_obj_open (w);
  ocirt_jw_key (w, "namespaces");
  ocirt_jw_arr_open (w);
  for (int t = 0; t < OCIRT_NS__COUNT; t++)
    ocirt_jw_str (w, ocirt_ns_type_name ((enum ocirt_ns_type) t));
  ocirt_jw_arr_close (w);
  ocirt_jw_key (w, "capabilities");
  ocirt_jw_arr_open (w);
  for (int c = 0; c <= last; c++)
    ocirt_jw_str (w, ocirt_capability_name (c));
  ocirt_jw_arr_close (w);
  ocirt_jw_key (w, "cgroup");
  ocirt_jw_obj_open (w);
  ocirt_jw_kbool (w, "v1", HAVE_CGROUP_V1);
  ocirt_jw_kbool (w, "v2", HAVE_CGROUP_V2);
  ocirt_jw_kbool (w, "systemd", HAVE_CGROUP_SYSTEMD);
  ocirt_jw_kbool (w, "systemdUser", false);
  ocirt_jw_kbool (w, "rdma", HAVE_CGROUP_RDMA);
  ocirt_jw_obj_close (w);
  write_seccomp (w, h);
  write_enabled (w, "apparmor", h->apparmor);
  write_enabled (w, "selinux", h->selinux);
  ocirt_jw_key (w, "intelRdt");
  ocirt_jw_obj_open (w);
  ocirt_jw_kbool (w, "enabled", false);
  ocirt_jw_obj_close (w);
  ocirt_jw_key (w, "mountExtensions");
  ocirt_jw_obj_open (w);
  write_enabled (w, "idmap", idmap_mounts_supported ());
  ocirt_jw_obj_close (w);
  ocirt_jw_obj_close (w);
}

char *
ocirt_features_json (const struct ocirt_features_host *h)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (true);
  size_t len;
  char *text;

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersionMin", "1.0.0");
  ocirt_jw_kstr (w, "ociVersionMax", OCIRT_SPEC_VERSION);
  ocirt_jw_key (w, "hooks");
  ocirt_jw_arr_open (w);
  for (int k = 0; k < OCIRT_HOOK__COUNT; k++)
    ocirt_jw_str (w, ocirt_hook_kind_name ((enum ocirt_hook_kind) k));
  ocirt_jw_arr_close (w);
  ocirt_jw_key (w, "mountOptions");
  ocirt_jw_arr_open (w);
  for (size_t i = 0; mount_option_candidates[i] != NULL; i++)
    if (mount_option_recognized (mount_option_candidates[i]))
      ocirt_jw_str (w, mount_option_candidates[i]);
  ocirt_jw_arr_close (w);
  write_linux (w, h);
  ocirt_jw_key (w, "annotations");
  ocirt_jw_obj_open (w);
  if (h->libseccomp_version[0] != '\0')
    ocirt_jw_kstr (w, "io.github.seccomp.libseccomp.version", h->libseccomp_version);
  ocirt_jw_kstr (w, "org.opencontainers.ocirt.commit", OCIRT_COMMIT);
  ocirt_jw_kstr (w, "org.opencontainers.ocirt.version", OCIRT_VERSION_STRING);
  ocirt_jw_obj_close (w);
  /* no annotation changes what ocirt does, so none is potentially unsafe */
  ocirt_jw_key (w, "potentiallyUnsafeConfigAnnotations");
  ocirt_jw_arr_open (w);
  ocirt_jw_arr_close (w);
  ocirt_jw_obj_close (w);
  text = ocirt_jw_steal (w, &len);
  text = xrealloc (text, len + 2);
  text[len] = '\n';
  text[len + 1] = '\0';
  return text;
}
