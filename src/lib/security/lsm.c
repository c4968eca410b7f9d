/* LSM labels: process.apparmorProfile and process.selinuxLabel take effect at the next execve;
 * linux.mountLabel is used by the mount code through ocirt_selinux_mount_context. Policy when the
 * LSM is off follows runc: an AppArmor profile is an error, SELinux labels are ignored. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

bool
ocirt_apparmor_enabled (void)
{
  cleanup_close int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  char c = 0;

  if (fd < 0 || read (fd, &c, 1) != 1)
    return false;
  return c == 'Y';
}

bool
ocirt_selinux_enabled (void)
{
  return access ("/sys/fs/selinux/enforce", F_OK) == 0;
}

int
ocirt_lsm_check (const struct ocirt_process *proc, struct ocirt_err **err)
{
  if (proc->apparmor_profile && *proc->apparmor_profile && !ocirt_apparmor_enabled ())
    return ocirt_err_make (err, 0,
                           "process.apparmorProfile: profile `%s` requested but AppArmor is not enabled on this host",
                           proc->apparmor_profile);
  if (proc->selinux_label && *proc->selinux_label && !ocirt_selinux_enabled ())
    log_debug ("process.selinuxLabel: SELinux is disabled, ignoring `%s`", proc->selinux_label);
  return 0;
}

/* Writes text to the first of the attribute files that exists (the LSM-specific one first, as
 * with stacked LSMs /proc/self/attr/exec may belong to another module). */
static int
write_attr (const char *const *paths, const char *text, const char *field, struct ocirt_err **err)
{
  size_t len = strlen (text);
  int i;

  for (i = 0; paths[i]; i++)
    {
      cleanup_close int fd = open (paths[i], O_WRONLY | O_CLOEXEC);

      if (fd < 0)
        {
          if (errno == ENOENT)
            continue;
          return ocirt_err_make (err, errno, "%s: open `%s`", field, paths[i]);
        }
      if (write (fd, text, len) != (ssize_t) len)
        return ocirt_err_make (err, errno, "%s: write `%s` to `%s`", field, text, paths[i]);
      return 0;
    }
  return ocirt_err_make (err, ENOENT, "%s: no LSM attribute file (is /proc mounted in the container?)", field);
}

int
ocirt_lsm_apply_exec (const struct ocirt_process *proc, struct ocirt_err **err)
{
  if (proc->apparmor_profile && *proc->apparmor_profile)
    {
      static const char *const paths[] = { "/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec",
                                           NULL };
      cleanup_free char *text = xfmt ("exec %s", proc->apparmor_profile);

      if (!ocirt_apparmor_enabled ())
        return ocirt_err_make (err, 0, "process.apparmorProfile: AppArmor is not enabled on this host");
      if (write_attr (paths, text, "process.apparmorProfile", err) < 0)
        return -1;
    }
  if (proc->selinux_label && *proc->selinux_label && ocirt_selinux_enabled ())
    {
      static const char *const paths[] = { "/proc/thread-self/attr/selinux/exec", "/proc/thread-self/attr/exec",
                                           NULL };

      if (write_attr (paths, proc->selinux_label, "process.selinuxLabel", err) < 0)
        return -1;
    }
  return 0;
}

const char *
ocirt_selinux_mount_label (const struct ocirt_spec *spec)
{
  if (!spec->has_linux || spec->linux_.mount_label == NULL || *spec->linux_.mount_label == '\0')
    return NULL;
  if (!ocirt_selinux_enabled ())
    return NULL;
  return spec->linux_.mount_label;
}
