/* The default config.json that `ocirt spec` writes: field for field what `runc spec` writes
 * (runc 1.1.5, ociVersion aside), with runc's key order and its tab indentation, so that a bundle
 * made for one runtime works unchanged with the other. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/fdio.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/ocirt.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"

struct default_mount
{
  const char *destination, *type, *source;
  const char *options[8]; /* NULL-terminated; none at all: no "options" key */
};

static const struct default_mount default_mounts[] = {
  { "/proc", "proc", "proc", { NULL } },
  { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
  { "/dev/pts", "devpts", "devpts", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL } },
  { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
  { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
  { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
  { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

/* Rootless: /sys cannot be mounted fresh without owning the network namespace, so it becomes a
 * read-only rbind of the host's; uid=/gid= options would name ids unmapped in the user namespace. */
static const struct default_mount rootless_sys
    = { "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro", NULL } };

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

static const char *const masked_paths[] = {
  "/proc/acpi",      "/proc/asound",    "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
  NULL,
};

static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static void
write_strv (struct ocirt_jw *w, const char *key, const char *const *v)
{
  ocirt_jw_key (w, key);
  ocirt_jw_arr_open (w);
  for (; *v != NULL; v++)
    ocirt_jw_str (w, *v);
  ocirt_jw_arr_close (w);
}

static void
write_process (struct ocirt_jw *w)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[]
      = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };

  ocirt_jw_key (w, "process");
  ocirt_jw_obj_open (w);
  ocirt_jw_kbool (w, "terminal", true);
  ocirt_jw_key (w, "user");
  ocirt_jw_obj_open (w);
  ocirt_jw_kuint (w, "uid", 0);
  ocirt_jw_kuint (w, "gid", 0);
  ocirt_jw_obj_close (w);
  write_strv (w, "args", args);
  write_strv (w, "env", env);
  ocirt_jw_kstr (w, "cwd", "/");
  ocirt_jw_key (w, "capabilities");
  ocirt_jw_obj_open (w);
  write_strv (w, "bounding", default_caps);
  write_strv (w, "effective", default_caps);
  write_strv (w, "permitted", default_caps);
  write_strv (w, "ambient", default_caps);
  ocirt_jw_obj_close (w);
  ocirt_jw_key (w, "rlimits");
  ocirt_jw_arr_open (w);
  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "type", "RLIMIT_NOFILE");
  ocirt_jw_kuint (w, "hard", 1024);
  ocirt_jw_kuint (w, "soft", 1024);
  ocirt_jw_obj_close (w);
  ocirt_jw_arr_close (w);
  ocirt_jw_kbool (w, "noNewPrivileges", true);
  ocirt_jw_obj_close (w);
}

static bool
is_id_option (const char *o)
{
  return strncmp (o, "uid=", 4) == 0 || strncmp (o, "gid=", 4) == 0;
}

static void
write_mount (struct ocirt_jw *w, const struct default_mount *m, bool rootless)
{
  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "destination", m->destination);
  ocirt_jw_kstr (w, "type", m->type);
  ocirt_jw_kstr (w, "source", m->source);
  if (m->options[0] != NULL)
    {
      ocirt_jw_key (w, "options");
      ocirt_jw_arr_open (w);
      for (const char *const *o = m->options; *o != NULL; o++)
        if (!rootless || !is_id_option (*o))
          ocirt_jw_str (w, *o);
      ocirt_jw_arr_close (w);
    }
  ocirt_jw_obj_close (w);
}

static void
write_mounts (struct ocirt_jw *w, bool rootless)
{
  ocirt_jw_key (w, "mounts");
  ocirt_jw_arr_open (w);
  for (size_t i = 0; i < sizeof default_mounts / sizeof default_mounts[0]; i++)
    {
      const struct default_mount *m = &default_mounts[i];
      if (rootless && strcmp (m->destination, "/sys") == 0)
        m = &rootless_sys;
      write_mount (w, m, rootless);
    }
  ocirt_jw_arr_close (w);
}

static void
write_id_mapping (struct ocirt_jw *w, const char *key, unsigned host_id)
{
  ocirt_jw_key (w, key);
  ocirt_jw_arr_open (w);
  ocirt_jw_obj_open (w);
  ocirt_jw_kuint (w, "containerID", 0);
  ocirt_jw_kuint (w, "hostID", host_id);
  ocirt_jw_kuint (w, "size", 1);
  ocirt_jw_obj_close (w);
  ocirt_jw_arr_close (w);
}

/* Rootless: a user namespace mapping root to the caller, no network namespace (it could not be
 * configured without privileges) and no device cgroup rule (cgroups may not be writable). */
static void
write_linux (struct ocirt_jw *w, bool rootless)
{
  static const char *const ns_root[] = { "pid", "network", "ipc", "uts", "mount", NULL };
  static const char *const ns_rootless[] = { "pid", "ipc", "uts", "mount", "user", NULL };

  ocirt_jw_key (w, "linux");
  ocirt_jw_obj_open (w);
  if (rootless)
    {
      write_id_mapping (w, "uidMappings", (unsigned) geteuid ());
      write_id_mapping (w, "gidMappings", (unsigned) getegid ());
    }
  else
    {
      ocirt_jw_key (w, "resources");
      ocirt_jw_obj_open (w);
      ocirt_jw_key (w, "devices");
      ocirt_jw_arr_open (w);
      ocirt_jw_obj_open (w);
      ocirt_jw_kbool (w, "allow", false);
      ocirt_jw_kstr (w, "access", "rwm");
      ocirt_jw_obj_close (w);
      ocirt_jw_arr_close (w);
      ocirt_jw_obj_close (w);
    }
  ocirt_jw_key (w, "namespaces");
  ocirt_jw_arr_open (w);
  for (const char *const *ns = rootless ? ns_rootless : ns_root; *ns != NULL; ns++)
    {
      ocirt_jw_obj_open (w);
      ocirt_jw_kstr (w, "type", *ns);
      ocirt_jw_obj_close (w);
    }
  ocirt_jw_arr_close (w);
  write_strv (w, "maskedPaths", masked_paths);
  write_strv (w, "readonlyPaths", readonly_paths);
  ocirt_jw_obj_close (w);
}

/* The writer indents with two spaces (Go's MarshalIndent for `state`); runc writes config.json
 * with tabs and no final newline. Strings never hold a raw newline (the writer escapes it), so every run of leading
 * space pairs is indentation. */
static char *
indent_with_tabs (const char *s)
{
  char *out = xmalloc (strlen (s) + 1);
  char *o = out;
  bool line_start = true;

  for (; *s != '\0'; s++)
    {
      if (line_start && s[0] == ' ' && s[1] == ' ')
        {
          *o++ = '\t';
          s++;
          continue;
        }
      line_start = *s == '\n';
      *o++ = *s;
    }
  *o = '\0';
  return out;
}

char *
ocirt_spec_default_json (bool rootless)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (true);

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersion", OCIRT_SPEC_VERSION);
  write_process (w);
  ocirt_jw_key (w, "root");
  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "path", "rootfs");
  ocirt_jw_kbool (w, "readonly", true);
  ocirt_jw_obj_close (w);
  ocirt_jw_kstr (w, "hostname", "ocirt");
  write_mounts (w, rootless);
  write_linux (w, rootless);
  ocirt_jw_obj_close (w);
  return indent_with_tabs (ocirt_jw_text (w, NULL));
}

int
ocirt_spec_write_default (const char *bundle, bool rootless, struct ocirt_err **err)
{
  cleanup_close int dirfd = -1;
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  const char *dir = bundle != NULL && bundle[0] != '\0' ? bundle : ".";

  dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return ocirt_err_make (err, errno, "open bundle directory `%s`", dir);
  /* O_EXCL: never overwrite, even when another process creates the file meanwhile. */
  fd = openat (dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return ocirt_err_make (err, 0, "File config.json exists. Remove it first");
  if (fd < 0)
    return ocirt_err_make (err, errno, "create `%s/config.json`", dir);
  text = ocirt_spec_default_json (rootless);
  if (ocirt_write_all (fd, text, strlen (text)) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, "config.json", 0);
      return ocirt_err_make (err, saved, "write `%s/config.json`", dir);
    }
  return 0;
}
