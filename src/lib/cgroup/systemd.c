/* --systemd-cgroup: cgroupsPath is "slice:prefix:name" (containerd: "system.slice:cri-containerd:ID")
 * and the container's cgroup is the transient unit <prefix>-<name>.scope in that slice, made over
 * D-Bus by systemd. ocirt parses and checks the path, then says plainly that the driver needs a
 * running systemd, or that ocirt does not drive systemd (yet) when one runs: it never pretends. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"

void
ocirt_cg_systemd_clear (struct ocirt_cg_systemd_path *p)
{
  free (p->slice);
  free (p->prefix);
  free (p->name);
  memset (p, 0, sizeof *p);
}

static bool
valid_unit_word (const char *s)
{
  for (; *s; s++)
    if (*s == '/' || *s == ':' || (unsigned char) *s < 0x20)
      return false;
  return true;
}

int
ocirt_cg_systemd_parse (const char *path, const char *id, struct ocirt_cg_systemd_path *out,
                        struct ocirt_err **err)
{
  const char *c1, *c2;

  memset (out, 0, sizeof *out);
  if (path == NULL || path[0] == '\0')
    {
      /* runc's default: system.slice, unit runc-ID.scope; ours says ocirt. */
      out->slice = xstrdup ("system.slice");
      out->prefix = xstrdup ("ocirt");
      out->name = xstrdup (id);
      return 0;
    }
  c1 = strchr (path, ':');
  c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c1 == NULL || c2 == NULL || strchr (c2 + 1, ':') != NULL)
    return ocirt_err_make (err, 0,
                           "linux.cgroupsPath: expected \"slice:prefix:name\" for the systemd cgroup driver, got \"%s\"",
                           path);
  out->slice = xstrndup (path, (size_t) (c1 - path));
  out->prefix = xstrndup (c1 + 1, (size_t) (c2 - c1 - 1));
  out->name = xstrdup (c2 + 1);
  if (out->slice[0] == '\0')
    {
      free (out->slice);
      out->slice = xstrdup ("system.slice");
    }
  if (out->name[0] == '\0')
    {
      free (out->name);
      out->name = xstrdup (id);
    }
  if (!valid_unit_word (out->slice) || !valid_unit_word (out->prefix) || !valid_unit_word (out->name)
      || strlen (out->slice) < 7 || strcmp (out->slice + strlen (out->slice) - 6, ".slice") != 0)
    {
      ocirt_cg_systemd_clear (out);
      return ocirt_err_make (err, 0,
                             "linux.cgroupsPath \"%s\": invalid for the systemd cgroup driver: the slice must be a "
                             "unit name ending in .slice and no part may contain '/'",
                             path);
    }
  return 0;
}

int
ocirt_cg_systemd_create (const char *cgroups_path, const char *id, struct ocirt_err **err)
{
  struct ocirt_cg_systemd_path p;
  struct stat st;
  int ret;

  if (ocirt_cg_systemd_parse (cgroups_path, id, &p, err) < 0)
    return -1;
  if (stat ("/run/systemd/system", &st) < 0 || !S_ISDIR (st.st_mode))
    ret = ocirt_err_make (err, 0,
                          "the systemd cgroup driver needs a running systemd, and none runs here "
                          "(/run/systemd/system does not exist): drop --systemd-cgroup to use the cgroupfs driver");
  else
    ret = ocirt_err_make (err, 0,
                          "the systemd cgroup driver (unit %s-%s.scope in %s) is not implemented in ocirt yet: "
                          "drop --systemd-cgroup to use the cgroupfs driver",
                          p.prefix, p.name, p.slice);
  ocirt_cg_systemd_clear (&p);
  return ret;
}
