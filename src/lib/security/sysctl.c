/* linux.sysctl: only sysctls that belong to a namespace the container has (not the host's) may
 * be set, as runc validates; they are written through the container's /proc/sys. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

/* sysctl(8) accepts "net.ipv4.ip_forward" and "net/ipv4/ip_forward"; with a '/' the dots are
 * part of names (interface "eth0.100"). Returns the /proc/sys-relative path. */
static char *
key_to_path (const char *key)
{
  char *p = xstrdup (key), *c;

  if (strchr (key, '/') == NULL)
    for (c = p; *c; c++)
      if (*c == '.')
        *c = '/';
  return p;
}

/* The dotted form for classification. */
static char *
key_to_dotted (const char *key)
{
  char *p = xstrdup (key), *c;

  if (strchr (key, '/') != NULL)
    for (c = p; *c; c++)
      if (*c == '/')
        *c = '.';
  return p;
}

int
ocirt_sysctl_namespace (const char *key)
{
  static const char *const ipc_prefixes[] = { "kernel.msg", "kernel.sem", "kernel.shm", "fs.mqueue." };
  cleanup_free char *k = key_to_dotted (key);
  size_t i;

  for (i = 0; i < sizeof ipc_prefixes / sizeof ipc_prefixes[0]; i++)
    if (strncmp (k, ipc_prefixes[i], strlen (ipc_prefixes[i])) == 0)
      return OCIRT_NS_IPC;
  if (strncmp (k, "net.", 4) == 0)
    return OCIRT_NS_NETWORK;
  if (strcmp (k, "kernel.hostname") == 0 || strcmp (k, "kernel.domainname") == 0)
    return OCIRT_NS_UTS;
  return -1;
}

static const struct ocirt_namespace *
find_ns (const struct ocirt_spec *spec, enum ocirt_ns_type t)
{
  size_t i;

  for (i = 0; i < spec->linux_.n_namespaces; i++)
    if (spec->linux_.namespaces[i].type == t)
      return &spec->linux_.namespaces[i];
  return NULL;
}

/* A namespace given by path may still be the host's own. */
static bool
is_host_ns (const char *path, enum ocirt_ns_type t)
{
  static const char *const self[] = { [OCIRT_NS_IPC] = "/proc/self/ns/ipc", [OCIRT_NS_NETWORK] = "/proc/self/ns/net",
                                      [OCIRT_NS_UTS] = "/proc/self/ns/uts" };
  struct stat a, b;

  if (stat (path, &a) < 0 || stat (self[t], &b) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool
bad_key (const char *key)
{
  cleanup_free char *p = key_to_path (key);
  char *save = NULL, *part;

  if (*key == '\0' || *key == '/' || *key == '.')
    return true;
  for (part = strtok_r (p, "/", &save); part; part = strtok_r (NULL, "/", &save))
    if (strcmp (part, "..") == 0 || strcmp (part, ".") == 0)
      return true;
  return false;
}

int
ocirt_sysctl_validate (const struct ocirt_spec *spec, struct ocirt_err **err)
{
  size_t i;

  for (i = 0; i < spec->linux_.n_sysctl; i++)
    {
      const char *key = spec->linux_.sysctl[i].key;
      const struct ocirt_namespace *ns;
      int t;

      if (bad_key (key))
        return ocirt_err_make (err, 0, "linux.sysctl: invalid key `%s`", key);
      t = ocirt_sysctl_namespace (key);
      if (t < 0)
        return ocirt_err_make (err, 0, "linux.sysctl: `%s` is not a namespaced sysctl: the container may not set it",
                               key);
      ns = find_ns (spec, (enum ocirt_ns_type) t);
      if (ns == NULL)
        return ocirt_err_make (err, 0,
                               "linux.sysctl: `%s` needs a %s namespace for the container, but linux.namespaces "
                               "has none (it would change the host's)",
                               key, ocirt_ns_type_name ((enum ocirt_ns_type) t));
      if (ns->path && is_host_ns (ns->path, (enum ocirt_ns_type) t))
        return ocirt_err_make (err, 0, "linux.sysctl: `%s` would change the host's %s namespace (`%s`)", key,
                               ocirt_ns_type_name ((enum ocirt_ns_type) t), ns->path);
    }
  return 0;
}

int
ocirt_sysctl_apply (const struct ocirt_spec *spec, struct ocirt_err **err)
{
  cleanup_close int dfd = -1;
  struct statfs sfs;
  size_t i;

  if (spec->linux_.n_sysctl == 0)
    return 0;
  dfd = open ("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return ocirt_err_make (err, errno, "linux.sysctl: open /proc/sys in the container (is /proc mounted?)");
  if (fstatfs (dfd, &sfs) < 0)
    return ocirt_err_make (err, errno, "statfs /proc/sys");
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return ocirt_err_make (err, 0, "linux.sysctl: /proc/sys in the container is not procfs");
  for (i = 0; i < spec->linux_.n_sysctl; i++)
    {
      const struct ocirt_keyval *kv = &spec->linux_.sysctl[i];
      struct open_how how = { .flags = O_WRONLY | O_CLOEXEC | O_TRUNC,
                              .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
      cleanup_free char *path = key_to_path (kv->key);
      cleanup_close int fd = (int) syscall (SYS_openat2, dfd, path, &how, sizeof how);
      size_t len = strlen (kv->value);

      if (fd < 0)
        return ocirt_err_make (err, errno, "linux.sysctl: open /proc/sys/%s", path);
      if (write (fd, kv->value, len) != (ssize_t) len)
        return ocirt_err_make (err, errno, "linux.sysctl: write `%s` to `%s`", kv->value, kv->key);
    }
  return 0;
}
