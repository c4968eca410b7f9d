/* process.user: supplementary groups, gid, uid (keeping capabilities across the uid change, as
 * runc does, so caps.c can set the configured sets afterwards) and umask. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "security-internal.h"

/* In a user namespace whose /proc/self/setgroups says "deny" (rootless without newgidmap),
 * setgroups(2) always fails with EPERM. */
static bool
setgroups_denied (void)
{
  cleanup_close int fd = open ("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  char buf[16] = "";

  if (fd < 0)
    return false;
  if (read (fd, buf, sizeof buf - 1) < 0)
    return false;
  return strncmp (buf, "deny", 4) == 0;
}

int
ocirt_user_apply (const struct ocirt_user *u, struct ocirt_err **err)
{
  /* Always called, also with no additionalGids: it drops the runtime's own groups. Only when it
   * fails is /proc/self/setgroups worth reading. */
  if (setgroups (u->n_additional_gids, (const gid_t *) u->additional_gids) < 0)
    {
      int e = errno;

      if (e != EPERM || !setgroups_denied ())
        return ocirt_err_make (err, e, "setgroups to process.user.additionalGids (%zu groups)", u->n_additional_gids);
      if (u->n_additional_gids > 0)
        return ocirt_err_make (err, EPERM,
                               "process.user.additionalGids: cannot set supplementary groups: setgroups is denied "
                               "in this user namespace (rootless without newgidmap?)");
    }
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return ocirt_err_make (err, errno, "setresgid to process.user.gid %u", u->gid);
  /* Capabilities are cleared only when no uid stays 0: staying root needs no KEEPCAPS */
  if (u->uid != 0 && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return ocirt_err_make (err, errno, "prctl PR_SET_KEEPCAPS");
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return ocirt_err_make (err, errno, "setresuid to process.user.uid %u", u->uid);
  if (u->uid != 0 && prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return ocirt_err_make (err, errno, "prctl PR_SET_KEEPCAPS off");
  if (u->has_umask)
    umask ((mode_t) (u->umask & 07777));
  return 0;
}
