/* The cgroup API of include/ocirt/cgroup.h over the host's layout: v1 hierarchies, cgroup v2, or
 * both (hybrid: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified, this project's CI host).
 *
 * The layout is probed once per process by statfs of /sys/fs/cgroup and of its subdirectories.
 * A container gets a directory in every hierarchy (every v1 one, and the cgroup2 one), as runc's
 * cgroupfs driver does, so v1 controllers, the v1 freezer and cgroup2's cgroup.kill all see it.
 *
 * Paths (as runc 1.1's cgroupfs driver, checked on this host): an absolute cgroupsPath is taken
 * from every hierarchy's root; a relative one (and the default, the container id) is relative to
 * the runtime's own cgroup in each v1 hierarchy, to the root of the cgroup2 hierarchy on a hybrid
 * host, and to the parent of the runtime's own cgroup on a pure v2 host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/ocirt.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"

const char *
ocirt_cg_layout_name (enum ocirt_cg_layout l)
{
  return l == OCIRT_CG_V2 ? "v2" : l == OCIRT_CG_HYBRID ? "hybrid" : "v1";
}

/* The bounded waits of freeze and destroy poll a kernel state that has no event to wait on. */
void
ocirt_cg_sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* ---- small file helpers ---- */

/* Returns 0 or -errno, leaving error reporting to the caller that knows the field. */
static int
write_raw (const char *dir, const char *file, const char *value)
{
  cleanup_free char *path = xfmt ("%s/%s", dir, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen (value);
  ssize_t w;

  if (fd < 0)
    return -errno;
  w = write (fd, value, len);
  if (w < 0)
    return -errno;
  return (size_t) w == len ? 0 : -EIO;
}

int
ocirt_cg_write_file (const char *dir, const char *file, const char *value, struct ocirt_err **err)
{
  int r = write_raw (dir, file, value);

  if (r < 0)
    return ocirt_err_make (err, -r, "write `%s` to `%s/%s`", value, dir, file);
  return 0;
}

char *
ocirt_cg_read_file (const char *dir, const char *file, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("%s/%s", dir, file);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t len = 0, cap = 4096;
  char *buf;

  if (fd < 0)
    {
      ocirt_err_make (err, errno, "open `%s`", path);
      return NULL;
    }
  buf = xmalloc (cap);
  for (;;)
    {
      ssize_t r = read (fd, buf + len, cap - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          free (buf);
          ocirt_err_make (err, e, "read `%s`", path);
          return NULL;
        }
      if (r == 0)
        break;
      len += (size_t) r;
      if (cap - len < 2)
        buf = xrealloc (buf, cap *= 2);
    }
  buf[len] = '\0';
  return buf;
}

int
ocirt_cg_read_u64 (const char *dir, const char *file, uint64_t *out, struct ocirt_err **err)
{
  cleanup_free char *s = ocirt_cg_read_file (dir, file, err);
  char *end;

  if (s == NULL)
    return -1;
  if (strncmp (s, "max", 3) == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  errno = 0;
  *out = strtoull (s, &end, 10);
  if (errno != 0 || end == s)
    return ocirt_err_make (err, 0, "`%s/%s`: expected a number, read \"%.32s\"", dir, file, s);
  return 0;
}

/* ---- probing the host ---- */

static unsigned
v1_ctrls_of_name (const char *name)
{
  cleanup_free char *copy = xstrdup (name);
  unsigned m = 0;
  char *save = NULL;

  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    {
      int c = ocirt_cg_ctrl_from_name (t);
      if (c >= 0 && c != CG_IO)
        m |= CG_BIT (c);
    }
  return m;
}

unsigned
ocirt_cg_v2_controllers (const char *dir)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *s = ocirt_cg_read_file (dir, "cgroup.controllers", &err);
  unsigned m = 0;
  char *save = NULL;

  if (s == NULL)
    return 0;
  for (char *t = strtok_r (s, " \n", &save); t; t = strtok_r (NULL, " \n", &save))
    {
      int c = ocirt_cg_ctrl_from_name (t);
      if (c >= 0 && c != CG_BLKIO)
        m |= CG_BIT (c);
    }
  return m;
}

static void
hier_clear (struct ocirt_cg_hier *h)
{
  free (h->name);
  free (h->mount);
  free (h->path);
  free (h->dir);
  for (size_t i = 0; i < h->n_created; i++)
    free (h->created[i]);
  free (h->created);
  memset (h, 0, sizeof *h);
}

void
ocirt_cg_hiers_free (struct ocirt_cg_hier *h, size_t n)
{
  for (size_t i = 0; i < n; i++)
    hier_clear (&h[i]);
  free (h);
}

static int
hier_cmp (const void *a, const void *b)
{
  const struct ocirt_cg_hier *x = a, *y = b;

  /* cgroup2 first: its path is the common one in the state encoding. */
  if (x->v2 != y->v2)
    return x->v2 ? -1 : 1;
  return strcmp (x->name, y->name);
}

static struct
{
  bool done;
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *h;
  size_t n;
} probe_cache;

static int
probe_tmpfs_root (struct ocirt_cg_hier **out, size_t *n_out, struct ocirt_err **err)
{
  cleanup_closedir DIR *d = opendir (OCIRT_CG_ROOT);
  struct ocirt_cg_hier *h = NULL;
  size_t n = 0;
  struct dirent *de;

  if (d == NULL)
    return ocirt_err_make (err, errno, "open `%s`", OCIRT_CG_ROOT);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      struct statfs sf;
      struct stat st;

      if (de->d_name[0] == '.')
        continue;
      path = xfmt ("%s/%s", OCIRT_CG_ROOT, de->d_name);
      /* co-mounted controllers appear once as a directory ("cpu,cpuacct") and again as symlinks */
      if (lstat (path, &st) < 0 || !S_ISDIR (st.st_mode) || statfs (path, &sf) < 0)
        continue;
      if (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC)
        continue;
      h = xrealloc (h, (n + 1) * sizeof *h);
      memset (&h[n], 0, sizeof *h);
      h[n].name = xstrdup (de->d_name);
      h[n].mount = steal_ptr (&path);
      h[n].v2 = sf.f_type == CGROUP2_SUPER_MAGIC;
      h[n].ctrls = h[n].v2 ? ocirt_cg_v2_controllers (h[n].mount) : v1_ctrls_of_name (de->d_name);
      n++;
    }
  qsort (h, n, sizeof *h, hier_cmp);
  *out = h;
  *n_out = n;
  return 0;
}

int
ocirt_cg_probe (enum ocirt_cg_layout *layout, struct ocirt_cg_hier **h, size_t *n, struct ocirt_err **err)
{
  struct statfs sf;

  if (!probe_cache.done)
    {
      if (statfs (OCIRT_CG_ROOT, &sf) < 0)
        return ocirt_err_make (err, errno, "statfs `%s`", OCIRT_CG_ROOT);
      if (sf.f_type == CGROUP2_SUPER_MAGIC)
        {
          probe_cache.h = xzalloc (sizeof *probe_cache.h);
          probe_cache.h->name = xstrdup ("");
          probe_cache.h->mount = xstrdup (OCIRT_CG_ROOT);
          probe_cache.h->v2 = true;
          probe_cache.h->ctrls = ocirt_cg_v2_controllers (OCIRT_CG_ROOT);
          probe_cache.n = 1;
          probe_cache.layout = OCIRT_CG_V2;
        }
      else
        {
          bool v1 = false, v2 = false;
          if (probe_tmpfs_root (&probe_cache.h, &probe_cache.n, err) < 0)
            return -1;
          for (size_t i = 0; i < probe_cache.n; i++)
            *(probe_cache.h[i].v2 ? &v2 : &v1) = true;
          if (!v1 && !v2)
            return ocirt_err_make (err, 0, "no cgroup hierarchy is mounted under `%s`", OCIRT_CG_ROOT);
          probe_cache.layout = v1 && v2 ? OCIRT_CG_HYBRID : v1 ? OCIRT_CG_V1 : OCIRT_CG_V2;
        }
      probe_cache.done = true;
    }
  *layout = probe_cache.layout;
  *h = probe_cache.h;
  *n = probe_cache.n;
  return 0;
}

/* The runtime's own cgroup in hierarchy h, from /proc/self/cgroup. */
static char *
own_cgroup (const struct ocirt_cg_hier *h, struct ocirt_err **err)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/cgroup", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    {
      ocirt_err_make (err, errno, "open `/proc/self/cgroup`");
      return NULL;
    }
  while (getline (&line, &cap, f) > 0)
    {
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL, *ctrls;
      if (c2 == NULL)
        continue;
      *c2 = '\0';
      ctrls = c1 + 1;
      line[strcspn (line, "\n")] = '\0';
      c2[1 + strcspn (c2 + 1, "\n")] = '\0';
      if (h->v2 ? ctrls[0] == '\0'
                : (strcmp (ctrls, h->name) == 0
                   || (strncmp (ctrls, "name=", 5) == 0 && strcmp (ctrls + 5, h->name) == 0)))
        return xstrdup (c2 + 1);
    }
  ocirt_err_make (err, 0, "/proc/self/cgroup has no line for the cgroup hierarchy `%s`", h->mount);
  return NULL;
}

static char *
join_path (const char *base, const char *rel)
{
  size_t bl = strlen (base);

  while (bl > 0 && base[bl - 1] == '/')
    bl--;
  if (rel[0] == '\0')
    return bl == 0 ? xstrdup ("/") : xstrndup (base, bl);
  return xfmt ("%.*s/%s", (int) bl, base, rel[0] == '/' ? rel + 1 : rel);
}

/* The container's path in hierarchy h for a cleaned cgroupsPath. */
static char *
hier_path (const struct ocirt_cg_hier *h, enum ocirt_cg_layout layout, const char *clean, struct ocirt_err **err)
{
  cleanup_free char *own = NULL;
  char *slash;

  if (clean[0] == '/')
    return xstrdup (clean);
  if (h->v2 && layout == OCIRT_CG_HYBRID)
    return join_path ("/", clean);
  own = own_cgroup (h, err);
  if (own == NULL)
    return NULL;
  if (h->v2)
    {
      /* The runtime's own cgroup has processes (it), so controllers cannot be enabled for a
       * child of it: use its parent, as runc's fs2 driver. */
      slash = strrchr (own, '/');
      if (slash != NULL)
        *slash = '\0';
    }
  return join_path (own, clean);
}

static struct ocirt_cgroup *
cgroup_new (enum ocirt_cg_layout layout, const struct ocirt_cg_hier *h, size_t n)
{
  struct ocirt_cgroup *cg = xzalloc (sizeof *cg);

  cg->layout = layout;
  cg->clone_fd = -1;
  cg->h = xzalloc ((n ? n : 1) * sizeof *cg->h);
  cg->n = n;
  for (size_t i = 0; i < n; i++)
    {
      cg->h[i].name = xstrdup (h[i].name);
      cg->h[i].mount = xstrdup (h[i].mount);
      cg->h[i].ctrls = h[i].ctrls;
      cg->h[i].v2 = h[i].v2;
    }
  return cg;
}

static void
set_dirs (struct ocirt_cgroup *cg)
{
  const char **names = xzalloc ((cg->n + 1) * sizeof *names);
  const char **paths = xzalloc ((cg->n + 1) * sizeof *paths);

  for (size_t i = 0; i < cg->n; i++)
    {
      struct ocirt_cg_hier *h = &cg->h[i];
      h->dir = strcmp (h->path, "/") == 0 ? xstrdup (h->mount) : xfmt ("%s%s", h->mount, h->path);
      names[i] = h->name;
      paths[i] = h->path;
    }
  cg->encoded = ocirt_cg_encode_paths (names, paths, cg->n);
  free (names);
  free (paths);
}

struct ocirt_cg_hier *
ocirt_cg_hier_v2 (struct ocirt_cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].v2)
      return &cg->h[i];
  return NULL;
}

struct ocirt_cg_hier *
ocirt_cg_hier_for (struct ocirt_cgroup *cg, enum ocirt_cg_ctrl c)
{
  for (size_t i = 0; i < cg->n; i++)
    if (!cg->h[i].v2 && (cg->h[i].ctrls & CG_BIT (c)))
      return &cg->h[i];
  return NULL;
}

static void
avail_of (struct ocirt_cgroup *cg, struct ocirt_cg_avail *av)
{
  memset (av, 0, sizeof *av);
  for (size_t i = 0; i < cg->n; i++)
    {
      if (cg->h[i].v2)
        {
          av->has_v2 = true;
          av->v2 |= cg->h[i].ctrls;
        }
      else
        av->v1 |= cg->h[i].ctrls;
    }
  av->v2_is_unified_mount = cg->layout == OCIRT_CG_HYBRID;
}

/* ---- creating directories ---- */

static int
made_dir (struct ocirt_cg_hier *h, const char *dir, struct ocirt_err **err)
{
  h->created = xrealloc (h->created, (h->n_created + 1) * sizeof *h->created);
  h->created[h->n_created++] = xstrdup (dir);
  if ((h->ctrls & CG_BIT (CG_CPUSET)) && !h->v2)
    return ocirt_cg_v1_cpuset_init (dir, err);
  return 0;
}

static int
mkdir_p (struct ocirt_cg_hier *h, struct ocirt_err **err)
{
  cleanup_free char *cur = NULL;
  const char *p = h->path;

  /* Usually the parents exist: one mkdir. */
  if (mkdir (h->dir, 0755) == 0)
    return made_dir (h, h->dir, err);
  if (errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return ocirt_err_make (err, errno, "create cgroup `%s`", h->dir);
  cur = xstrdup (h->mount);
  while (*p)
    {
      const char *e;
      char *next;
      size_t len;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      e = strchr (p, '/');
      len = e ? (size_t) (e - p) : strlen (p);
      next = xfmt ("%s/%.*s", cur, (int) len, p);
      free (cur);
      cur = next;
      p += len;
      if (mkdir (cur, 0755) == 0)
        {
          if (made_dir (h, cur, err) < 0)
            return -1;
        }
      else if (errno != EEXIST)
        return ocirt_err_make (err, errno, "create cgroup `%s`", cur);
    }
  return 0;
}

static void
rollback_created (struct ocirt_cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      struct ocirt_cg_hier *h = &cg->h[i];
      for (size_t k = h->n_created; k-- > 0;)
        if (rmdir (h->created[k]) < 0 && errno != ENOENT)
          log_warning ("remove cgroup `%s`: %s", h->created[k], strerror (errno));
    }
}

static size_t count_procs (const char *dir, bool recursive);

/* The spec lets a runtime refuse a cgroup that is not fit for a new container: one that already
 * has processes, or is frozen. */
static int
check_fit (struct ocirt_cgroup *cg, struct ocirt_err **err)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      struct ocirt_cg_hier *h = &cg->h[i];
      struct stat st;
      size_t n;
      bool frozen = false;

      if (stat (h->dir, &st) < 0)
        continue;
      n = count_procs (h->dir, true);
      if (n > 0)
        return ocirt_err_make (err, 0, "cgroup `%s` is not empty: it has %zu process%s, and a new container needs "
                                       "an empty cgroup",
                               h->dir, n, n == 1 ? "" : "es");
      if (!h->v2 && (h->ctrls & CG_BIT (CG_FREEZER)))
        {
          cleanup_err struct ocirt_err *e = NULL;
          (void) ocirt_cg_v1_is_frozen (h->dir, &frozen, &e);
        }
      else if (h->v2)
        {
          cleanup_err struct ocirt_err *e = NULL;
          (void) ocirt_cg_v2_is_frozen (h->dir, &frozen, &e);
        }
      if (frozen)
        return ocirt_err_make (err, 0, "cgroup `%s` is frozen: a new container cannot start in it", h->dir);
    }
  return 0;
}

/* ---- applying a plan ---- */

static struct ocirt_cg_hier *
target_of (struct ocirt_cgroup *cg, const struct ocirt_cg_write *w)
{
  return w->v2 ? ocirt_cg_hier_v2 (cg) : ocirt_cg_hier_for (cg, w->ctrl);
}

static int
write_error (const struct ocirt_cg_write *w, const char *dir, const char *file, const char *value, int e,
             struct ocirt_err **err)
{
  const char *ctrl = ocirt_cg_ctrl_name (w->ctrl);

  if (e == ENOENT)
    return ocirt_err_make (err, 0,
                           "%s: the %s file `%s` does not exist in `%s`: this kernel does not support the setting",
                           w->field, ctrl, file, dir);
  return ocirt_err_make (err, e, "%s: write `%s` to `%s/%s`", w->field, value, dir, file);
}

/* cpu.max with only a new period keeps the quota that is set. */
static char *
keep_quota_value (const char *dir, const char *period)
{
  cleanup_err struct ocirt_err *e = NULL;
  cleanup_free char *cur = ocirt_cg_read_file (dir, "cpu.max", &e);
  size_t n;

  if (cur == NULL)
    return xfmt ("max%s", period);
  n = strcspn (cur, " \n");
  return xfmt ("%.*s%s", (int) n, cur, period);
}

static int
verify (const struct ocirt_cg_write *w, const char *dir, const char *value, struct ocirt_err **err)
{
  cleanup_free char *back = ocirt_cg_read_file (dir, w->file, err);

  if (back == NULL)
    return -1;
  back[strcspn (back, "\n")] = '\0';
  if (strcmp (back, value) != 0)
    return ocirt_err_make (err, 0, "%s: the kernel set `%s` to %s instead of %s (out of its allowed range)", w->field,
                           w->file, back, value);
  return 0;
}

/* One write; 1 when it should be retried after the others. */
static int
apply_one (struct ocirt_cgroup *cg, const struct ocirt_cg_write *w, bool last_chance, struct ocirt_err **err)
{
  struct ocirt_cg_hier *h = target_of (cg, w);
  cleanup_free char *kept = NULL;
  const char *value = w->value;
  int r;

  if (h == NULL)
    return ocirt_err_make (err, 0, "%s: no cgroup hierarchy holds the %s controller", w->field,
                           ocirt_cg_ctrl_name (w->ctrl));
  if (w->flags & CGW_KEEP_QUOTA)
    value = kept = keep_quota_value (h->dir, w->value);
  r = write_raw (h->dir, w->file, value);
  if (r == -ENOENT && w->alt_file != NULL)
    {
      r = write_raw (h->dir, w->alt_file, w->alt_value);
      if (r < 0 && r != -ENOENT)
        return write_error (w, h->dir, w->alt_file, w->alt_value, -r, err);
    }
  if (r == -ENOENT && (w->flags & CGW_OPTIONAL))
    return 0;
  if (r < 0 && (w->flags & CGW_DEPRECATED) && (r == -ENOENT || r == -EOPNOTSUPP || r == -EINVAL))
    {
      log_warning ("%s is ignored: this kernel no longer supports `%s`", w->field, w->file);
      return 0;
    }
  if (r == -EINVAL && (w->flags & CGW_RETRY) && !last_chance)
    return 1;
  if (r < 0)
    return write_error (w, h->dir, w->file, value, -r, err);
  if (w->flags & CGW_VERIFY)
    return verify (w, h->dir, value, err);
  if (w->flags & CGW_DEPRECATED)
    {
      /* kernels >= 6.x accept memory.kmem.limit_in_bytes and ignore it: say so */
      cleanup_err struct ocirt_err *e = NULL;
      uint64_t back = 0;
      if (strcmp (value, "-1") != 0 && ocirt_cg_read_u64 (h->dir, w->file, &back, &e) == 0
          && back >= 9223372036854771712ull)
        log_warning ("%s is ignored: this kernel accepts `%s` but does not enforce it", w->field, w->file);
    }
  return 0;
}

static int
check_memory_usage (struct ocirt_cgroup *cg, const struct ocirt_cg_plan *p, struct ocirt_err **err)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_MEMORY);
  uint64_t usage;

  if (h == NULL)
    h = ocirt_cg_hier_v2 (cg);
  if (h == NULL)
    return 0;
  if (ocirt_cg_read_u64 (h->dir, h->v2 ? "memory.current" : "memory.usage_in_bytes", &usage, err) < 0)
    return -1;
  if ((uint64_t) p->check_memory_limit < usage)
    return ocirt_err_make (err, 0,
                           "linux.resources.memory.limit: %" PRId64 " is lower than the current usage %" PRIu64
                           " (checkBeforeUpdate)",
                           p->check_memory_limit, usage);
  return 0;
}

static int
attach_devices (struct ocirt_cg_hier *v2, const struct ocirt_device_rule *rules, size_t n_rules,
                struct ocirt_err **err)
{
  struct ocirt_cg_bpf prog = { 0 };
  cleanup_close int fd = open (v2->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int ret;

  if (fd < 0)
    return ocirt_err_make (err, errno, "open cgroup `%s`", v2->dir);
  if (ocirt_cg_bpf_build (rules, n_rules, &prog, err) < 0)
    return -1;
  ret = ocirt_cg_bpf_attach (fd, &prog, err);
  ocirt_cg_bpf_clear (&prog);
  if (ret < 0)
    ocirt_err_wrap (err, "linux.resources.devices");
  return ret;
}

static int
apply_writes (struct ocirt_cgroup *cg, const struct ocirt_cg_plan *p, struct ocirt_err **err)
{
  cleanup_free size_t *retry = xzalloc ((p->n + 1) * sizeof *retry);
  size_t n_retry = 0;

  for (size_t i = 0; i < p->n; i++)
    {
      int r = apply_one (cg, &p->w[i], false, err);
      if (r < 0)
        return -1;
      if (r == 1)
        retry[n_retry++] = i;
    }
  /* Writes that failed with EINVAL because of the order (memory above memsw, period vs quota). */
  for (size_t i = 0; i < n_retry; i++)
    if (apply_one (cg, &p->w[retry[i]], true, err) < 0)
      return -1;
  return 0;
}

static int
apply_plan (struct ocirt_cgroup *cg, const struct ocirt_cg_plan *p, const struct ocirt_device_rule *rules,
            size_t n_rules, bool enable_all, struct ocirt_err **err)
{
  struct ocirt_cg_hier *v2 = ocirt_cg_hier_v2 (cg);

  if (p->check_memory && check_memory_usage (cg, p, err) < 0)
    return -1;
  if (v2 != NULL && (p->v2_needed || (enable_all && cg->layout == OCIRT_CG_V2)))
    {
      /* Pure v2: every available controller, as runc, so later updates find them; hybrid: only
       * what this plan needs, nothing more is touched in shared parents. */
      unsigned wanted = cg->layout == OCIRT_CG_V2 && enable_all ? v2->ctrls : 0;
      if (ocirt_cg_v2_enable (v2->mount, v2->path, wanted | p->v2_needed, p->v2_needed, err) < 0)
        return -1;
    }
  if (apply_writes (cg, p, err) < 0)
    return -1;
  if (p->devices_bpf && v2 != NULL)
    return attach_devices (v2, rules, n_rules, err);
  return 0;
}

/* ---- the API ---- */

/* mkdir in every hierarchy, then the plan; on failure remove what was made here. */
static int
make_and_apply (struct ocirt_cgroup *cg, const struct ocirt_spec *spec, const struct ocirt_resources *res,
                struct ocirt_err **err)
{
  struct ocirt_device_rule *rules = NULL;
  size_t n_rules = 0;
  struct ocirt_cg_plan plan = { 0 };
  struct ocirt_cg_avail av;
  int ret = -1;

  avail_of (cg, &av);
  rules = ocirt_cg_device_rules (spec, &n_rules);
  if (ocirt_cg_plan_make (res, rules, n_rules, &av, false, &plan, err) == 0)
    {
      ret = 0;
      for (size_t i = 0; i < cg->n && ret == 0; i++)
        ret = mkdir_p (&cg->h[i], err);
      if (ret == 0)
        ret = apply_plan (cg, &plan, rules, n_rules, true, err);
      if (ret < 0)
        rollback_created (cg);
    }
  ocirt_cg_plan_clear (&plan);
  ocirt_cg_rules_free (rules, n_rules);
  return ret;
}

static bool
limits_asked (const struct ocirt_resources *r)
{
  return r != NULL
         && (r->has_memory || r->has_cpu || r->has_pids || r->has_blkio || r->has_network || r->has_class_id
             || r->n_hugepage_limits || r->n_net_priorities || r->n_rdma || r->n_unified);
}

static bool
rootless_without_cgroup (const struct ocirt_ctx *ctx, const struct ocirt_resources *r, const struct ocirt_err *e)
{
  bool rootless = geteuid () != 0 || (ctx != NULL && ctx->rootless == OCIRT_ROOTLESS_TRUE);

  return rootless && e != NULL && (e->errnum == EACCES || e->errnum == EPERM || e->errnum == EROFS)
         && !limits_asked (r);
}

/* The container's cgroup in every hierarchy, paths resolved and checked empty, nothing made. */
static struct ocirt_cgroup *
cgroup_plan (const char *id, const char *cgroups_path, struct ocirt_err **err)
{
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  cleanup_free char *clean = NULL;
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *hs;
  size_t n;

  if (ocirt_cg_probe (&layout, &hs, &n, err) < 0)
    return NULL;
  clean = ocirt_cg_clean_path (cgroups_path ? cgroups_path : id, err);
  if (clean == NULL)
    return NULL;
  if (strcmp (clean, "/") == 0 || clean[0] == '\0')
    return ocirt_err_make (err, 0, "linux.cgroupsPath \"%s\": the root cgroup cannot be a container's cgroup",
                           cgroups_path ? cgroups_path : ""), NULL;
  cg = cgroup_new (layout, hs, n);
  for (size_t i = 0; i < cg->n; i++)
    {
      cg->h[i].path = hier_path (&cg->h[i], layout, clean, err);
      if (cg->h[i].path == NULL)
        return NULL;
    }
  set_dirs (cg);
  if (check_fit (cg, err) < 0)
    return NULL;
  return steal_ptr (&cg);
}

int
ocirt_cgroup_path_plan (const struct ocirt_ctx *ctx, const char *id, const struct ocirt_spec *spec, char **out,
                        struct ocirt_err **err)
{
  const char *cgroups_path = spec && spec->has_linux ? spec->linux_.cgroups_path : NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;

  *out = NULL;
  if (ctx != NULL && ctx->systemd_cgroup)
    return 0;
  cg = cgroup_plan (id, cgroups_path, err);
  if (cg == NULL)
    return -1;
  *out = steal_ptr (&cg->encoded);
  return 0;
}

int
ocirt_cgroup_create (const struct ocirt_ctx *ctx, const char *id, const struct ocirt_spec *spec,
                     struct ocirt_cgroup **out, struct ocirt_err **err)
{
  const char *cgroups_path = spec && spec->has_linux ? spec->linux_.cgroups_path : NULL;
  const struct ocirt_resources *res = spec && spec->has_linux && spec->linux_.has_resources ? &spec->linux_.resources
                                                                                             : NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;

  if (ctx != NULL && ctx->systemd_cgroup)
    return ocirt_cg_systemd_create (cgroups_path, id, err);
  cg = cgroup_plan (id, cgroups_path, err);
  if (cg == NULL)
    return -1;
  if (make_and_apply (cg, spec, res, err) < 0)
    {
      if (!rootless_without_cgroup (ctx, res, *err))
        return -1;
      /* As runc: a rootless container that asks for no limits runs without a cgroup of its own
       * when the user may not create one. */
      log_debug ("cgroup: %s; rootless and no limits asked: running without a cgroup", (*err)->msg);
      ocirt_err_free (*err);
      *err = NULL;
      *out = cgroup_new (cg->layout, cg->h, 0);
      (*out)->encoded = xstrdup ("");
      return 0;
    }
  log_debug ("cgroup: created %s (%s layout)", cg->encoded, ocirt_cg_layout_name (cg->layout));
  *out = steal_ptr (&cg);
  return 0;
}

int
ocirt_cgroup_clone_fd (struct ocirt_cgroup *cg)
{
  struct ocirt_cg_hier *h;

  /* hybrid hosts too: the cgroup2 part is then joined at birth, the v1 ones after */
  if (cg->clone_fd < 0 && (h = ocirt_cg_hier_v2 (cg)) != NULL)
    cg->clone_fd = open (h->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return cg->clone_fd;
}

int
ocirt_cgroup_add_pid (struct ocirt_cgroup *cg, pid_t pid, bool in_v2, struct ocirt_err **err)
{
  char buf[24];

  snprintf (buf, sizeof buf, "%d", (int) pid);
  for (size_t i = 0; i < cg->n; i++)
    {
      int r;
      if (in_v2 && cg->h[i].v2)
        continue;
      r = write_raw (cg->h[i].dir, "cgroup.procs", buf);
      if (r < 0)
        return ocirt_err_make (err, -r, "add process %d to cgroup `%s`", (int) pid, cg->h[i].dir);
    }
  return 0;
}

/* "0" is the writer itself. Into a v1 `tasks` file it moves one thread, the writer: the kernel
 * then skips the global cgroup_threadgroup_rwsem, whose write side waits for an RCU grace period
 * (~10 ms on an idle host) each time a process is moved by pid or through cgroup.procs. For the
 * single-threaded init that one thread is the whole process. cgroup2 has no such file (its
 * cgroup.threads is for threaded cgroups): clone3 CLONE_INTO_CGROUP is its cheap way. */
int
ocirt_cgroup_join_self (struct ocirt_cgroup *cg, bool in_v2, struct ocirt_err **err)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      const char *file = cg->h[i].v2 ? "cgroup.procs" : "tasks";
      int r;
      if (in_v2 && cg->h[i].v2)
        continue;
      r = write_raw (cg->h[i].dir, file, "0");
      if (r < 0)
        return ocirt_err_make (err, -r, "join cgroup `%s` (write 0 to %s)", cg->h[i].dir, file);
    }
  return 0;
}

bool
ocirt_cgroup_made_here (const struct ocirt_cgroup *cg)
{
  /* the container's directory is the last one mkdir_p makes: any made means it was */
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].n_created == 0)
      return false;
  return true;
}

const char *
ocirt_cgroup_path (const struct ocirt_cgroup *cg)
{
  return cg->encoded;
}

int
ocirt_cgroup_load (const struct ocirt_ctx *ctx, const char *path, struct ocirt_cgroup **out, struct ocirt_err **err)
{
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  enum ocirt_cg_layout layout;
  struct ocirt_cg_hier *hs;
  size_t n;

  (void) ctx;
  if (path != NULL && path[0] == '\0')
    {
      /* a rootless container that runs without a cgroup (see create) */
      if (ocirt_cg_probe (&layout, &hs, &n, err) < 0)
        return -1;
      *out = cgroup_new (layout, hs, 0);
      (*out)->encoded = xstrdup ("");
      return 0;
    }
  if (path == NULL || path[0] != '/')
    return ocirt_err_make (err, 0, "invalid recorded cgroup path \"%s\"", path ? path : "");
  if (ocirt_cg_probe (&layout, &hs, &n, err) < 0)
    return -1;
  cg = cgroup_new (layout, hs, n);
  for (size_t i = 0; i < cg->n; i++)
    {
      cg->h[i].path = ocirt_cg_decode_path (path, cg->h[i].name);
      if (cg->h[i].path == NULL)
        return ocirt_err_make (err, 0, "invalid recorded cgroup path \"%s\"", path);
    }
  set_dirs (cg);
  *out = steal_ptr (&cg);
  return 0;
}

int
ocirt_cgroup_update (struct ocirt_cgroup *cg, const struct ocirt_resources *r, struct ocirt_err **err)
{
  struct ocirt_cg_plan plan;
  struct ocirt_cg_avail av;
  int ret;

  struct ocirt_resources with_limit;
  struct ocirt_cg_hier *v2 = ocirt_cg_hier_v2 (cg);
  uint64_t cur;

  avail_of (cg, &av);
  if (r != NULL && r->n_devices > 0)
    log_debug ("update: linux.resources.devices is not changed on a live container (as runc)");
  if (r != NULL && r->has_memory && r->memory.has_swap && !r->memory.has_limit && !(av.v1 & CG_BIT (CG_MEMORY))
      && v2 != NULL)
    {
      /* v2's swap.max is derived from memory+swap and the limit: take the limit in force. */
      cleanup_err struct ocirt_err *e = NULL;
      if (ocirt_cg_read_u64 (v2->dir, "memory.max", &cur, &e) == 0 && cur != UINT64_MAX)
        {
          with_limit = *r;
          with_limit.memory.has_limit = true;
          with_limit.memory.limit = (int64_t) cur;
          r = &with_limit;
        }
    }
  if (ocirt_cg_plan_make (r, NULL, 0, &av, true, &plan, err) < 0)
    return -1;
  ret = apply_plan (cg, &plan, NULL, 0, false, err);
  ocirt_cg_plan_clear (&plan);
  return ret;
}

static struct ocirt_cg_hier *
freezer_of (struct ocirt_cgroup *cg)
{
  /* On a hybrid host the v1 freezer, as runc: its tasks show state D in ps. */
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_FREEZER);
  return h ? h : ocirt_cg_hier_v2 (cg);
}

int
ocirt_cgroup_freeze (struct ocirt_cgroup *cg, bool frozen, struct ocirt_err **err)
{
  struct ocirt_cg_hier *h = freezer_of (cg);

  if (cg->n == 0)
    return ocirt_err_make (err, 0, "the container has no cgroup (rootless without cgroup access): cannot %s it",
                           frozen ? "pause" : "resume");
  if (h == NULL)
    return ocirt_err_make (err, 0, "%s needs the cgroup freezer: no v1 freezer hierarchy and no cgroup v2",
                           frozen ? "pause" : "resume");
  return h->v2 ? ocirt_cg_v2_freeze (h->dir, frozen, err) : ocirt_cg_v1_freeze (h->dir, frozen, err);
}

int
ocirt_cgroup_is_frozen (struct ocirt_cgroup *cg, bool *frozen, struct ocirt_err **err)
{
  struct ocirt_cg_hier *h = freezer_of (cg);

  *frozen = false;
  if (h == NULL)
    return 0;
  return h->v2 ? ocirt_cg_v2_is_frozen (h->dir, frozen, err) : ocirt_cg_v1_is_frozen (h->dir, frozen, err);
}

/* ---- processes ---- */

struct pidlist
{
  pid_t *p;
  size_t n;
};

static void
read_procs (const char *dir, bool recursive, struct pidlist *l)
{
  cleanup_err struct ocirt_err *e = NULL;
  cleanup_free char *s = ocirt_cg_read_file (dir, "cgroup.procs", &e);
  char *save = NULL;

  if (s != NULL)
    for (char *t = strtok_r (s, "\n", &save); t; t = strtok_r (NULL, "\n", &save))
      {
        l->p = xrealloc (l->p, (l->n + 1) * sizeof *l->p);
        l->p[l->n++] = (pid_t) atoi (t);
      }
  if (recursive)
    {
      cleanup_closedir DIR *d = opendir (dir);
      struct dirent *de;
      while (d != NULL && (de = readdir (d)) != NULL)
        if (de->d_type == DT_DIR && de->d_name[0] != '.')
          {
            cleanup_free char *sub = xfmt ("%s/%s", dir, de->d_name);
            read_procs (sub, true, l);
          }
    }
}

static size_t
count_procs (const char *dir, bool recursive)
{
  struct pidlist l = { 0 };

  read_procs (dir, recursive, &l);
  free (l.p);
  return l.n;
}

/* The hierarchy that lists every process: cgroup2 when there is one (add_pid writes it), else a
 * v1 hierarchy, the freezer's preferably. */
static struct ocirt_cg_hier *
procs_hier (struct ocirt_cgroup *cg)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_v2 (cg);

  if (h == NULL)
    h = ocirt_cg_hier_for (cg, CG_FREEZER);
  if (h == NULL)
    h = ocirt_cg_hier_for (cg, CG_PIDS);
  if (h == NULL && cg->n > 0)
    h = &cg->h[0];
  return h;
}

int
ocirt_cgroup_pids (struct ocirt_cgroup *cg, pid_t **pids, size_t *n, struct ocirt_err **err)
{
  struct ocirt_cg_hier *h = procs_hier (cg);
  struct pidlist l = { 0 };
  struct stat st;

  if (cg->n == 0)
    return ocirt_err_make (err, 0, "the container has no cgroup (rootless without cgroup access): its processes "
                                   "cannot be listed");
  if (h == NULL || stat (h->dir, &st) < 0)
    return ocirt_err_make (err, h ? errno : ENOENT, "cgroup `%s`", h ? h->dir : cg->encoded);
  read_procs (h->dir, true, &l);
  *pids = l.p;
  *n = l.n;
  return 0;
}

static void
signal_all (struct ocirt_cgroup *cg, int sig, bool every_hierarchy)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      struct ocirt_cg_hier *h = &cg->h[i];
      struct pidlist l = { 0 };
      if (!every_hierarchy && h != procs_hier (cg))
        continue;
      read_procs (h->dir, true, &l);
      for (size_t k = 0; k < l.n; k++)
        if (l.p[k] > 0 && kill (l.p[k], sig) < 0 && errno != ESRCH)
          log_warning ("signal process %d: %s", (int) l.p[k], strerror (errno));
      free (l.p);
    }
}

int
ocirt_cgroup_kill_all (struct ocirt_cgroup *cg, int sig, struct ocirt_err **err)
{
  struct ocirt_cg_hier *v2 = ocirt_cg_hier_v2 (cg);
  bool frozen_here = false;
  int r;

  if (cg->n == 0)
    return ocirt_err_make (err, 0, "the container has no cgroup (rootless without cgroup access): cannot find "
                                   "all of its processes");

  if (sig == SIGKILL && v2 != NULL)
    {
      /* cgroup.kill: atomic, reaches processes forking meanwhile, and frozen ones. */
      r = write_raw (v2->dir, "cgroup.kill", "1");
      if (r == 0)
        return 0;
      if (r != -ENOENT)
        return ocirt_err_make (err, -r, "write `1` to `%s/cgroup.kill`", v2->dir);
    }
  /* Freeze so nothing forks past the signal, signal every process, thaw (runc does the same). */
  {
    cleanup_err struct ocirt_err *e = NULL;
    bool was = false;
    if (ocirt_cgroup_is_frozen (cg, &was, &e) == 0 && !was && ocirt_cgroup_freeze (cg, true, &e) == 0)
      frozen_here = true;
  }
  signal_all (cg, sig, false);
  if (frozen_here)
    return ocirt_cgroup_freeze (cg, false, err);
  return 0;
}

static size_t
procs_anywhere (struct ocirt_cgroup *cg)
{
  size_t total = 0;

  for (size_t i = 0; i < cg->n; i++)
    total += count_procs (cg->h[i].dir, true);
  return total;
}

/* rmdir dir and the sub-cgroups the container made, deepest first. */
static int
remove_tree (const char *dir)
{
  cleanup_closedir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return errno == ENOENT ? 0 : -errno;
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_DIR && de->d_name[0] != '.')
      {
        cleanup_free char *sub = xfmt ("%s/%s", dir, de->d_name);
        int r = remove_tree (sub);
        if (r < 0)
          return r;
      }
  if (rmdir (dir) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}

/* One hierarchy's directory: 1 when removed (or already gone), 0 while busy (processes still
 * exiting), -1 on another error. Sub-cgroups the container made go too. */
static int
remove_one (struct ocirt_cg_hier *h, struct ocirt_err **err)
{
  int r;

  if (rmdir (h->dir) == 0 || errno == ENOENT)
    return 1;
  if (errno != EBUSY && errno != ENOTEMPTY)
    return ocirt_err_make (err, errno, "remove cgroup `%s`", h->dir);
  r = remove_tree (h->dir);
  if (r == 0)
    return 1;
  if (r == -EBUSY)
    return 0;
  return ocirt_err_make (err, -r, "remove cgroup `%s`", h->dir);
}

int
ocirt_cgroup_destroy (struct ocirt_cgroup *cg, struct ocirt_err **err)
{
  struct ocirt_cg_hier *fz = ocirt_cg_hier_for (cg, CG_FREEZER);
  struct ocirt_cg_hier *v2 = ocirt_cg_hier_v2 (cg);
  cleanup_free bool *gone = xzalloc ((cg->n + 1) * sizeof *gone);
  long waited = 0, step = 1;

  /* Thaw first: frozen v1 tasks do not act on SIGKILL, and a frozen cgroup must never be left. */
  if (fz != NULL)
    (void) write_raw (fz->dir, "freezer.state", "THAWED");
  if (v2 != NULL)
    {
      (void) write_raw (v2->dir, "cgroup.freeze", "0");
      (void) write_raw (v2->dir, "cgroup.kill", "1");
    }
  else
    signal_all (cg, SIGKILL, true);
  /* rmdir succeeds once the kernel has no process left in a cgroup: try, and while a hierarchy
   * is busy kill what is left there (a process may sit in a v1 hierarchy only, when create
   * failed half way) and retry, bounded (about 5 s). */
  for (;;)
    {
      size_t busy = 0;
      for (size_t i = 0; i < cg->n; i++)
        {
          int r;
          if (gone[i])
            continue;
          r = remove_one (&cg->h[i], err);
          if (r < 0)
            return -1;
          gone[i] = r == 1;
          busy += r == 0;
        }
      if (busy == 0)
        return 0;
      if (waited >= 5000)
        {
          size_t left = procs_anywhere (cg);
          return ocirt_err_make (err, 0, "cgroup `%s` still has %zu process%s after SIGKILL and 5 s", cg->encoded,
                                 left, left == 1 ? "" : "es");
        }
      signal_all (cg, SIGKILL, true);
      ocirt_cg_sleep_ms (step);
      waited += step;
      if (step < 50)
        step *= 2;
    }
}

void
ocirt_cgroup_free (struct ocirt_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    hier_clear (&cg->h[i]);
  free (cg->h);
  free (cg->encoded);
  if (cg->clone_fd >= 0)
    close (cg->clone_fd);
  free (cg);
}

void
ocirt_cgroup_freep (struct ocirt_cgroup **cg)
{
  ocirt_cgroup_free (*cg);
  *cg = NULL;
}
