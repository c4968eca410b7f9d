/* Mount options to flags, and config.json's mounts to a plan (see mount-plan.h). Pure. */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mount-plan.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"

/* A flag option: what it does to mount(2) flags and to the mount attributes. The atime options
 * are handled apart (atime_opt): the kernel keeps one atime mode, not independent bits. */
struct flag_opt
{
  const char *name;
  bool clear;       /* clears ms/attr instead of setting it */
  unsigned long ms; /* mount(2) flag */
  uint64_t attr;    /* MOUNT_ATTR_* (0: a superblock flag, not a mount attribute) */
};

/* mount(8)'s filesystem-independent options (the spec's "MUST" list) */
static const struct flag_opt flag_opts[] = {
  { "async", true, MS_SYNCHRONOUS, 0 },
  { "defaults", false, 0, 0 },
  { "dev", true, MS_NODEV, MOUNT_ATTR_NODEV },
  { "diratime", true, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
  { "dirsync", false, MS_DIRSYNC, 0 },
  { "exec", true, MS_NOEXEC, MOUNT_ATTR_NOEXEC },
  { "iversion", false, MS_I_VERSION, 0 },
  { "lazytime", false, MS_LAZYTIME, 0 },
  { "loud", true, MS_SILENT, 0 },
  { "mand", false, MS_MANDLOCK, 0 },
  { "nodev", false, MS_NODEV, MOUNT_ATTR_NODEV },
  { "nodiratime", false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
  { "noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC },
  { "noiversion", true, MS_I_VERSION, 0 },
  { "nolazytime", true, MS_LAZYTIME, 0 },
  { "nomand", true, MS_MANDLOCK, 0 },
  { "nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID },
  { "nosymfollow", false, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  { "ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY },
  { "rw", true, MS_RDONLY, MOUNT_ATTR_RDONLY },
  { "silent", false, MS_SILENT, 0 },
  { "suid", true, MS_NOSUID, MOUNT_ATTR_NOSUID },
  { "symfollow", true, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  { "sync", false, MS_SYNCHRONOUS, 0 },
};

/* The recursive r* options: mount_setattr with AT_RECURSIVE (mount(2) has no such thing). */
static const struct flag_opt rec_opts[] = {
  { "rdev", true, 0, MOUNT_ATTR_NODEV },
  { "rdiratime", true, 0, MOUNT_ATTR_NODIRATIME },
  { "rexec", true, 0, MOUNT_ATTR_NOEXEC },
  { "rnodev", false, 0, MOUNT_ATTR_NODEV },
  { "rnodiratime", false, 0, MOUNT_ATTR_NODIRATIME },
  { "rnoexec", false, 0, MOUNT_ATTR_NOEXEC },
  { "rnosuid", false, 0, MOUNT_ATTR_NOSUID },
  { "rnosymfollow", false, 0, MOUNT_ATTR_NOSYMFOLLOW },
  { "rro", false, 0, MOUNT_ATTR_RDONLY },
  { "rrw", true, 0, MOUNT_ATTR_RDONLY },
  { "rsuid", true, 0, MOUNT_ATTR_NOSUID },
  { "rsymfollow", true, 0, MOUNT_ATTR_NOSYMFOLLOW },
};

struct prop_opt
{
  const char *name;
  unsigned long flag;
  bool recursive;
};

static const struct prop_opt prop_opts[] = {
  { "private", MS_PRIVATE, false }, { "rprivate", MS_PRIVATE, true },
  { "shared", MS_SHARED, false },   { "rshared", MS_SHARED, true },
  { "slave", MS_SLAVE, false },     { "rslave", MS_SLAVE, true },
  { "unbindable", MS_UNBINDABLE, false }, { "runbindable", MS_UNBINDABLE, true },
};

#define N_ELEM(a) (sizeof (a) / sizeof ((a)[0]))
#define ATIME_UNSET (-1)

/* Parse state: the atime modes are folded into the attributes at the end. */
struct parse_state
{
  int atime;  /* MOUNT_ATTR_RELATIME/NOATIME/STRICTATIME or ATIME_UNSET */
  int ratime; /* the same for the recursive options */
};

static void
attr_apply (uint64_t *set, uint64_t *clr, uint64_t attr, bool clear)
{
  if (clear)
    {
      *set &= ~attr;
      *clr |= attr;
    }
  else
    {
      *set |= attr;
      *clr &= ~attr;
    }
}

/* The atime options, as mount(8) reads them: one mode (relatime by default, noatime, strictatime);
 * "atime" and "nostrictatime" only undo their opposite, "norelatime" changes nothing by itself. */
static bool
atime_opt (const char *o, int *mode, unsigned long *ms)
{
  static const unsigned long all = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;

  if (strcmp (o, "noatime") == 0)
    *mode = MOUNT_ATTR_NOATIME, *ms = (*ms & ~all) | MS_NOATIME;
  else if (strcmp (o, "strictatime") == 0)
    *mode = MOUNT_ATTR_STRICTATIME, *ms = (*ms & ~all) | MS_STRICTATIME;
  else if (strcmp (o, "relatime") == 0)
    *mode = MOUNT_ATTR_RELATIME, *ms = (*ms & ~all) | MS_RELATIME;
  else if (strcmp (o, "atime") == 0)
    {
      if (*mode == MOUNT_ATTR_NOATIME)
        *mode = MOUNT_ATTR_RELATIME;
      *ms &= ~(unsigned long) MS_NOATIME;
    }
  else if (strcmp (o, "nostrictatime") == 0)
    {
      if (*mode == MOUNT_ATTR_STRICTATIME)
        *mode = MOUNT_ATTR_RELATIME;
      *ms &= ~(unsigned long) MS_STRICTATIME;
    }
  else if (strcmp (o, "norelatime") == 0)
    *ms &= ~(unsigned long) MS_RELATIME;
  else
    return false;
  return true;
}

static bool
apply_flag_opt (const char *o, struct ocirt_mount_flags *f, struct parse_state *st)
{
  if (atime_opt (o, &st->atime, &f->ms_flags))
    return true;
  for (size_t i = 0; i < N_ELEM (flag_opts); i++)
    {
      const struct flag_opt *fo = &flag_opts[i];
      if (strcmp (o, fo->name) != 0)
        continue;
      if (fo->clear)
        f->ms_flags &= ~fo->ms;
      else
        f->ms_flags |= fo->ms;
      if (fo->attr != 0)
        attr_apply (&f->attr_set, &f->attr_clr, fo->attr, fo->clear);
      return true;
    }
  return false;
}

static bool
apply_rec_opt (const char *o, struct ocirt_mount_flags *f, struct parse_state *st)
{
  unsigned long ignored = 0;

  if (o[0] == 'r' && atime_opt (o + 1, &st->ratime, &ignored))
    return true;
  for (size_t i = 0; i < N_ELEM (rec_opts); i++)
    if (strcmp (o, rec_opts[i].name) == 0)
      {
        attr_apply (&f->rattr_set, &f->rattr_clr, rec_opts[i].attr, rec_opts[i].clear);
        return true;
      }
  return false;
}

static bool
apply_prop_opt (const char *o, struct ocirt_mount_flags *f)
{
  for (size_t i = 0; i < N_ELEM (prop_opts); i++)
    if (strcmp (o, prop_opts[i].name) == 0)
      {
        f->propagation = prop_opts[i].flag;
        f->propagation_recursive = prop_opts[i].recursive;
        return true;
      }
  return false;
}

static void
fold_atime (int mode, uint64_t *set, uint64_t *clr)
{
  if (mode == ATIME_UNSET)
    return;
  *set = (*set & ~(uint64_t) MOUNT_ATTR__ATIME) | (uint64_t) mode;
  *clr |= MOUNT_ATTR__ATIME;
}

static void
data_append (struct ocirt_mount_flags *f, const char *o)
{
  char *d;

  if (f->data == NULL)
    {
      f->data = xstrdup (o);
      return;
    }
  d = xfmt ("%s,%s", f->data, o);
  free (f->data);
  f->data = d;
}

int
ocirt_mount_flags_parse (char *const *options, size_t n, struct ocirt_mount_flags *f, struct ocirt_err **err)
{
  struct parse_state st = { ATIME_UNSET, ATIME_UNSET };

  memset (f, 0, sizeof *f);
  for (size_t i = 0; i < n; i++)
    {
      const char *o = options[i];

      if (o == NULL || o[0] == '\0')
        continue;
      if (strcmp (o, "bind") == 0)
        f->bind = true;
      else if (strcmp (o, "rbind") == 0)
        f->bind = f->recursive = true;
      else if (strcmp (o, "remount") == 0)
        f->remount = true;
      else if (strcmp (o, "tmpcopyup") == 0)
        f->tmpcopyup = true;
      else if (strcmp (o, "idmap") == 0)
        f->idmap = true;
      else if (strcmp (o, "ridmap") == 0)
        f->ridmap = true;
      else if (apply_flag_opt (o, f, &st) || apply_rec_opt (o, f, &st) || apply_prop_opt (o, f))
        continue;
      else if (strchr (o, ',') != NULL)
        {
          ocirt_mount_flags_free (f);
          return ocirt_err_make (err, 0, "mount option `%s` contains a comma: give each option as its own string", o);
        }
      else
        data_append (f, o);
    }
  fold_atime (st.atime, &f->attr_set, &f->attr_clr);
  fold_atime (st.ratime, &f->rattr_set, &f->rattr_clr);
  return 0;
}

void
ocirt_mount_flags_free (struct ocirt_mount_flags *f)
{
  free (f->data);
  f->data = NULL;
}

char *
ocirt_path_clean (const char *path)
{
  size_t len = strlen (path);
  char *out = xmalloc (len + 2);
  size_t o = 0;
  const char *p = path;

  out[o++] = '/';
  while (*p != '\0')
    {
      const char *e;
      size_t n;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      e = strchrnul (p, '/');
      n = (size_t) (e - p);
      if (n == 1 && p[0] == '.')
        ;
      else if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          /* drop the last component, never above "/" */
          while (o > 1 && out[o - 1] != '/')
            o--;
          if (o > 1)
            o--;
        }
      else
        {
          if (o > 1)
            out[o++] = '/';
          memcpy (out + o, p, n);
          o += n;
        }
      p = e;
    }
  out[o] = '\0';
  return out;
}

char **
ocirt_mount_data_split (const char *data)
{
  size_t cap = 4, n = 0;
  char **v = xmalloc (cap * sizeof *v);
  const char *p = data, *start = data;
  bool quoted = false;

  if (data != NULL && data[0] != '\0')
    for (;; p++)
      {
        if (*p == '"')
          quoted = !quoted;
        if ((*p == ',' && !quoted) || *p == '\0')
          {
            if (p > start)
              {
                if (n + 2 > cap)
                  v = xrealloc (v, (cap *= 2) * sizeof *v);
                v[n++] = xstrndup (start, (size_t) (p - start));
              }
            if (*p == '\0')
              break;
            start = p + 1;
          }
      }
  v[n] = NULL;
  return v;
}

size_t
ocirt_mount_sb_flag_names (unsigned long ms_flags, const char **names)
{
  static const struct
  {
    unsigned long ms;
    const char *name;
  } sb[] = {
    { MS_RDONLY, "ro" },       { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
    { MS_MANDLOCK, "mand" },   { MS_LAZYTIME, "lazytime" },
  };
  size_t n = 0;

  for (size_t i = 0; i < N_ELEM (sb); i++)
    if (ms_flags & sb[i].ms)
      names[n++] = sb[i].name;
  return n;
}

long
ocirt_propagation_parse (const char *name)
{
  for (size_t i = 0; i < N_ELEM (prop_opts); i++)
    if (strcmp (name, prop_opts[i].name) == 0)
      return (long) (prop_opts[i].flag | (prop_opts[i].recursive ? MS_REC : 0));
  return -1;
}

static bool
is_cgroup_type (const char *type)
{
  return type != NULL && (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0);
}

/* idmap, ridmap, uidMappings/gidMappings (config.md): the mount's own mappings, else the
 * container's user namespace's (the spec's MAY), else an error (its MUST). */
static int
plan_idmap (const struct ocirt_spec *spec, const struct ocirt_mount *m, struct ocirt_mount_op *op,
            struct ocirt_err **err)
{
  if (!op->f.idmap && !op->f.ridmap && m->n_uid_mappings == 0 && m->n_gid_mappings == 0)
    return 0;
  op->idmapped = true;
  op->idmap_recursive = op->f.ridmap;
  if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
    return ocirt_err_make (err, 0, "mount `%s`: uidMappings and gidMappings go together", op->destination);
  if (m->n_uid_mappings > 0)
    {
      op->uid_map = m->uid_mappings;
      op->n_uid_map = m->n_uid_mappings;
      op->gid_map = m->gid_mappings;
      op->n_gid_map = m->n_gid_mappings;
      return 0;
    }
  if (spec->has_linux && spec->linux_.n_uid_mappings > 0 && spec->linux_.n_gid_mappings > 0)
    {
      op->uid_map = spec->linux_.uid_mappings;
      op->n_uid_map = spec->linux_.n_uid_mappings;
      op->gid_map = spec->linux_.gid_mappings;
      op->n_gid_map = spec->linux_.n_gid_mappings;
      return 0;
    }
  return ocirt_err_make (err, 0, "mount `%s`: idmap needs uidMappings and gidMappings on the mount, or a user "
                                 "namespace with mappings",
                         op->destination);
}

static int
plan_one (const struct ocirt_spec *spec, const struct ocirt_mount *m, const char *bundle, struct ocirt_mount_op *op,
          struct ocirt_err **err)
{
  op->userns_fd = op->tree_fd = -1;
  if (m->destination == NULL || m->destination[0] == '\0')
    return ocirt_err_make (err, 0, "mounts: entry at line %u has no destination", m->line);
  op->destination = ocirt_path_clean (m->destination);
  op->type = m->type ? xstrdup (m->type) : NULL;
  op->line = m->line;
  if (ocirt_mount_flags_parse (m->options, m->n_options, &op->f, err) < 0)
    return ocirt_err_wrap (err, "mount `%s`", op->destination);
  if (m->type != NULL && strcmp (m->type, "bind") == 0)
    op->f.bind = true; /* runc takes type "bind" as a bind mount */

  if (plan_idmap (spec, m, op, err) < 0)
    return -1;
  if (op->f.tmpcopyup && (op->f.bind || m->type == NULL || strcmp (m->type, "tmpfs") != 0))
    return ocirt_err_make (err, 0, "mount `%s`: option tmpcopyup needs type tmpfs", op->destination);

  if (op->f.remount || (!op->f.bind && (op->f.ms_flags & (MS_SILENT | MS_I_VERSION))))
    op->kind = OCIRT_MOUNT_LEGACY;
  else if (op->f.bind)
    op->kind = OCIRT_MOUNT_BIND;
  else if (is_cgroup_type (m->type))
    op->kind = OCIRT_MOUNT_CGROUP;
  else if (m->type == NULL || m->type[0] == '\0' || strcmp (m->type, "none") == 0)
    return ocirt_err_make (err, 0, "mount `%s`: no filesystem type, and not a bind mount (add option bind or rbind)",
                           op->destination);
  else
    op->kind = OCIRT_MOUNT_FS;

  if (op->f.bind)
    {
      if (m->source == NULL || m->source[0] == '\0')
        return ocirt_err_make (err, 0, "mount `%s`: a bind mount needs a source", op->destination);
      if (m->source[0] != '/')
        op->source = xfmt ("%s/%s", bundle, m->source);
      else
        op->source = xstrdup (m->source);
    }
  else if (op->f.remount)
    op->source = m->source != NULL ? xstrdup (m->source) : NULL;
  else
    op->source = xstrdup (m->source != NULL && m->source[0] != '\0' ? m->source : m->type);
  return 0;
}

int
ocirt_mount_plan_build (const struct ocirt_spec *spec, const char *bundle, struct ocirt_mount_plan *plan,
                        struct ocirt_err **err)
{
  memset (plan, 0, sizeof *plan);
  if (spec->n_mounts == 0)
    return 0;
  plan->ops = xzalloc (spec->n_mounts * sizeof *plan->ops);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct ocirt_mount_op *op = &plan->ops[i];

      plan->n = i + 1;
      if (plan_one (spec, &spec->mounts[i], bundle, op, err) < 0)
        {
          ocirt_mount_plan_free (plan);
          return -1;
        }
      if (strcmp (op->destination, "/dev") == 0)
        {
          plan->dev_mounted = true;
          plan->dev_bind = op->f.bind;
        }
    }
  return 0;
}

void
ocirt_mount_plan_free (struct ocirt_mount_plan *plan)
{
  for (size_t i = 0; i < plan->n; i++)
    {
      if (plan->ops[i].userns_fd >= 0)
        close (plan->ops[i].userns_fd);
      if (plan->ops[i].tree_fd >= 0)
        close (plan->ops[i].tree_fd);
      free (plan->ops[i].destination);
      free (plan->ops[i].source);
      free (plan->ops[i].type);
      ocirt_mount_flags_free (&plan->ops[i].f);
    }
  free (plan->ops);
  memset (plan, 0, sizeof *plan);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static char *
unescape_octal (const char *s, size_t n)
{
  char *out = xmalloc (n + 1), *o = out;

  for (size_t i = 0; i < n; i++)
    {
      if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7'
          && s[i + 3] >= '0' && s[i + 3] <= '7')
        {
          *o++ = (char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
          i += 3;
        }
      else
        *o++ = s[i];
    }
  *o = '\0';
  return out;
}

struct cg_mount
{
  char *root, *point, *super; /* super: the super options, ",rw,cpu,cpuacct," for easy matching */
  bool v2;
};

/* One mountinfo line, when it is a cgroup or cgroup2 mount. */
static bool
parse_cg_mount (const char *line, size_t len, struct cg_mount *m)
{
  const char *f[6], *dash, *p = line, *end = line + len;
  size_t flen[6];
  int i;
  const char *fstype, *super;
  size_t fstype_len, super_len;

  for (i = 0; i < 6 && p < end; i++)
    {
      f[i] = p;
      while (p < end && *p != ' ')
        p++;
      flen[i] = (size_t) (p - f[i]);
      if (p < end)
        p++;
    }
  if (i < 6)
    return false;
  dash = memmem (p - 1, (size_t) (end - p + 1), " - ", 3);
  if (dash == NULL)
    return false;
  fstype = dash + 3;
  fstype_len = strcspn (fstype, " ");
  if (!((fstype_len == 6 && strncmp (fstype, "cgroup", 6) == 0)
        || (fstype_len == 7 && strncmp (fstype, "cgroup2", 7) == 0)))
    return false;
  super = fstype + fstype_len;
  if (*super == ' ')
    super += 1 + strcspn (super + 1, " "); /* skip the source */
  if (*super == ' ')
    super++;
  super_len = (size_t) (end - super);
  m->v2 = fstype_len == 7;
  m->root = unescape_octal (f[3], flen[3]);
  m->point = unescape_octal (f[4], flen[4]);
  m->super = xfmt (",%.*s,", (int) super_len, super);
  return true;
}

static bool
super_has_all (const char *super, const char *ctrls)
{
  cleanup_strv char **v = ocirt_mount_data_split (ctrls);

  for (size_t i = 0; v[i] != NULL; i++)
    {
      cleanup_free char *needle = xfmt (",%s,", v[i]);
      if (strstr (super, needle) == NULL)
        return false;
    }
  return true;
}

static const struct cg_mount *
find_cg_mount (const struct cg_mount *ms, size_t n, bool v2, const char *ctrls, const char *path)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t rl = strlen (ms[i].root);

      if (ms[i].v2 != v2 || (!v2 && !super_has_all (ms[i].super, ctrls)))
        continue;
      if (strcmp (ms[i].root, "/") == 0 || (strncmp (path, ms[i].root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0')))
        return &ms[i];
    }
  return NULL;
}

static void
add_bind (struct ocirt_cgroup_bind **out, size_t *n, const struct cg_mount *m, const char *path, const char *ctrls,
          bool straight)
{
  struct ocirt_cgroup_bind *b;
  const char *rel = strcmp (m->root, "/") == 0 ? path : path + strlen (m->root);
  const char *base = strrchr (m->point, '/');
  size_t nl = 0;

  *out = xrealloc (*out, (*n + 1) * sizeof **out);
  b = &(*out)[(*n)++];
  b->source = xfmt ("%s%s", m->point, strcmp (rel, "/") == 0 ? "" : rel);
  b->name = xstrdup (straight ? "" : (base ? base + 1 : m->point));
  b->links = xzalloc (sizeof *b->links);
  if (ctrls != NULL && strchr (ctrls, ',') != NULL)
    {
      cleanup_strv char **v = ocirt_mount_data_split (ctrls);
      for (size_t i = 0; v[i] != NULL; i++)
        if (strcmp (v[i], b->name) != 0)
          {
            b->links = xrealloc (b->links, (nl + 2) * sizeof *b->links);
            b->links[nl++] = xstrdup (v[i]);
            b->links[nl] = NULL;
          }
    }
}

int
ocirt_cgroup_binds_plan (const char *proc_cgroup, const char *mountinfo, struct ocirt_cgroup_bind **out, size_t *n,
                         struct ocirt_err **err)
{
  struct cg_mount *ms = NULL;
  size_t nm = 0;
  const char *p, *v2_path = NULL;
  size_t v2_len = 0;
  bool any_v1 = false;

  *out = NULL;
  *n = 0;
  for (p = mountinfo; p != NULL && *p != '\0';)
    {
      const char *e = strchrnul (p, '\n');
      struct cg_mount m;

      if (parse_cg_mount (p, (size_t) (e - p), &m))
        {
          ms = xrealloc (ms, (nm + 1) * sizeof *ms);
          ms[nm++] = m;
        }
      p = *e ? e + 1 : e;
    }

  for (p = proc_cgroup; p != NULL && *p != '\0';)
    {
      const char *e = strchrnul (p, '\n');
      const char *c1 = memchr (p, ':', (size_t) (e - p));
      const char *c2 = c1 ? memchr (c1 + 1, ':', (size_t) (e - c1 - 1)) : NULL;

      if (c2 != NULL && !(c1 - p == 1 && p[0] == '0'))
        {
          cleanup_free char *ctrls = xstrndup (c1 + 1, (size_t) (c2 - c1 - 1));
          cleanup_free char *path = xstrndup (c2 + 1, (size_t) (e - c2 - 1));
          const struct cg_mount *m = ctrls[0] ? find_cg_mount (ms, nm, false, ctrls, path) : NULL;

          if (m != NULL)
            {
              add_bind (out, n, m, path, ctrls, false);
              any_v1 = true;
            }
        }
      else if (c2 != NULL)
        {
          v2_path = c2 + 1;
          v2_len = (size_t) (e - c2 - 1);
        }
      p = *e ? e + 1 : e;
    }
  if (v2_path != NULL)
    {
      cleanup_free char *path = xstrndup (v2_path, v2_len);
      const struct cg_mount *m = find_cg_mount (ms, nm, true, NULL, path);

      if (m != NULL)
        add_bind (out, n, m, path, NULL, !any_v1);
    }
  for (size_t i = 0; i < nm; i++)
    {
      free (ms[i].root);
      free (ms[i].point);
      free (ms[i].super);
    }
  free (ms);
  if (*n == 0)
    return ocirt_err_make (err, 0, "no cgroup hierarchy of this process is mounted on the host");
  return 0;
}

void
ocirt_cgroup_binds_free (struct ocirt_cgroup_bind *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (b[i].source);
      free (b[i].name);
      for (char **l = b[i].links; l && *l; l++)
        free (*l);
      free (b[i].links);
    }
  free (b);
}
