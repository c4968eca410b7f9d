/* The container verbs of the cgroups area: pause, resume, update, ps, events. Each loads the
 * container's state (state.h), takes its cgroup back from the recorded path, and acts on it.
 * Errors keep runc's wording where clients match it ("container not running", "container not
 * paused"). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/log.h"
#include "ocirt/ocirt.h"
#include "ocirt/spec.h"
#include "ocirt/state.h"
#include "ocirt/xalloc.h"

/* ---- pure helpers ---- */

int
ocirt_parse_ram_bytes (const char *s, int64_t *out, struct ocirt_err **err)
{
  /* docker/go-units RAMInBytes, as runc's update takes sizes: "512m", "1.5g", "100KiB", "1024";
   * binary units, case-insensitive, optional "i" and "b". */
  const char *p = s;
  double num = 0, frac = 0.1;
  int64_t mult = 1;
  bool digits = false;

  while (*p >= '0' && *p <= '9')
    {
      num = num * 10 + (*p++ - '0');
      digits = true;
    }
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, frac /= 10)
      num += (*p - '0') * frac;
  if (!digits)
    return ocirt_err_make (err, 0, "invalid size \"%s\": expected a number with an optional unit (k, m, g, t, p)", s);
  if (*p == ' ')
    p++;
  switch (*p | 0x20)
    {
    case 'k': mult = 1LL << 10; p++; break;
    case 'm': mult = 1LL << 20; p++; break;
    case 'g': mult = 1LL << 30; p++; break;
    case 't': mult = 1LL << 40; p++; break;
    case 'p': mult = 1LL << 50; p++; break;
    default: break;
    }
  if (mult > 1 && (*p | 0x20) == 'i')
    p++;
  if ((*p | 0x20) == 'b')
    p++;
  if (*p != '\0' || num * (double) mult > 9.2e18)
    return ocirt_err_make (err, 0, "invalid size \"%s\": expected a number with an optional unit (k, m, g, t, p)", s);
  *out = (int64_t) (num * (double) mult);
  return 0;
}

int
ocirt_parse_duration_ms (const char *s, unsigned *out, struct ocirt_err **err)
{
  /* Go's time.ParseDuration subset: "5s", "100ms", "1m30s", "1.5s", "2h". */
  const char *p = s;
  double total = 0;

  if (*p == '\0')
    return ocirt_err_make (err, 0, "invalid duration \"%s\"", s);
  while (*p)
    {
      char *end;
      double v = strtod (p, &end);
      double unit;
      if (end == p || v < 0)
        return ocirt_err_make (err, 0, "invalid duration \"%s\": expected a number and a unit such as 5s or 100ms",
                               s);
      p = end;
      if (strncmp (p, "ms", 2) == 0)
        unit = 1, p += 2;
      else if (strncmp (p, "us", 2) == 0 || strncmp (p, "\u00b5s", strlen ("\u00b5s")) == 0)
        unit = 0.001, p += (*p == 'u' ? 2 : strlen ("\u00b5s"));
      else if (strncmp (p, "ns", 2) == 0)
        unit = 0.000001, p += 2;
      else if (*p == 's')
        unit = 1000, p++;
      else if (*p == 'm')
        unit = 60000, p++;
      else if (*p == 'h')
        unit = 3600000, p++;
      else
        return ocirt_err_make (err, 0, "invalid duration \"%s\": missing unit (ns, us, ms, s, m, h)", s);
      total += v * unit;
    }
  if (total > 4e9)
    return ocirt_err_make (err, 0, "invalid duration \"%s\": too long", s);
  *out = (unsigned) total;
  return 0;
}

static int
flag_u64 (const char *flag, const char *v, uint64_t *out, struct ocirt_err **err)
{
  char *end;

  errno = 0;
  *out = strtoull (v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || v[0] == '-')
    return ocirt_err_make (err, 0, "invalid value for %s: \"%s\" is not an unsigned number", flag, v);
  return 0;
}

static int
flag_i64 (const char *flag, const char *v, int64_t *out, struct ocirt_err **err)
{
  char *end;

  errno = 0;
  *out = strtoll (v, &end, 10);
  if (errno != 0 || end == v || *end != '\0')
    return ocirt_err_make (err, 0, "invalid value for %s: \"%s\" is not a number", flag, v);
  return 0;
}

static int
flag_size (const char *flag, const char *v, int64_t *out, struct ocirt_err **err)
{
  if (strcmp (v, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  if (ocirt_parse_ram_bytes (v, out, err) < 0)
    return ocirt_err_wrap (err, "invalid value for %s", flag);
  return 0;
}

static int
set_size (const char *flag, const char *v, int64_t *dst, bool *has, bool *group, struct ocirt_err **err)
{
  if (v == NULL)
    return 0;
  if (flag_size (flag, v, dst, err) < 0)
    return -1;
  *has = *group = true;
  return 0;
}

static int
set_u64 (const char *flag, const char *v, uint64_t *dst, bool *has, bool *group, struct ocirt_err **err)
{
  if (v == NULL)
    return 0;
  if (flag_u64 (flag, v, dst, err) < 0)
    return -1;
  *has = *group = true;
  return 0;
}

static int
set_i64 (const char *flag, const char *v, int64_t *dst, bool *has, bool *group, struct ocirt_err **err)
{
  if (v == NULL)
    return 0;
  if (flag_i64 (flag, v, dst, err) < 0)
    return -1;
  *has = *group = true;
  return 0;
}

static int
flags_fill (const struct ocirt_update_flags *f, struct ocirt_resources *r, struct ocirt_err **err)
{
  struct ocirt_memory *m = &r->memory;
  struct ocirt_cpu *c = &r->cpu;
  bool blkio_has = false;
  uint64_t weight = 0;

  if (set_size ("--memory", f->memory, &m->limit, &m->has_limit, &r->has_memory, err) < 0
      || set_size ("--memory-swap", f->memory_swap, &m->swap, &m->has_swap, &r->has_memory, err) < 0
      || set_size ("--memory-reservation", f->memory_reservation, &m->reservation, &m->has_reservation,
                   &r->has_memory, err)
             < 0
      || set_u64 ("--cpu-share", f->cpu_share, &c->shares, &c->has_shares, &r->has_cpu, err) < 0
      || set_u64 ("--cpu-period", f->cpu_period, &c->period, &c->has_period, &r->has_cpu, err) < 0
      || set_u64 ("--cpu-burst", f->cpu_burst, &c->burst, &c->has_burst, &r->has_cpu, err) < 0
      || set_u64 ("--cpu-rt-period", f->cpu_rt_period, &c->realtime_period, &c->has_realtime_period, &r->has_cpu,
                  err)
             < 0
      || set_i64 ("--cpu-quota", f->cpu_quota, &c->quota, &c->has_quota, &r->has_cpu, err) < 0
      || set_i64 ("--cpu-rt-runtime", f->cpu_rt_runtime, &c->realtime_runtime, &c->has_realtime_runtime,
                  &r->has_cpu, err)
             < 0
      || set_i64 ("--cpu-idle", f->cpu_idle, &c->idle, &c->has_idle, &r->has_cpu, err) < 0
      || set_i64 ("--pids-limit", f->pids_limit, &r->pids_limit, &r->has_pids, &r->has_pids, err) < 0
      || set_u64 ("--blkio-weight", f->blkio_weight, &weight, &blkio_has, &blkio_has, err) < 0)
    return -1;
  if (m->has_limit && m->limit == -1 && !m->has_swap)
    {
      /* runc: unlimited memory without a swap value means unlimited swap too */
      m->has_swap = true;
      m->swap = -1;
    }
  if (f->cpuset_cpus != NULL && f->cpuset_cpus[0] != '\0')
    {
      c->cpus = xstrdup (f->cpuset_cpus);
      r->has_cpu = true;
    }
  if (f->cpuset_mems != NULL && f->cpuset_mems[0] != '\0')
    {
      c->mems = xstrdup (f->cpuset_mems);
      r->has_cpu = true;
    }
  if (weight > 1000)
    return ocirt_err_make (err, 0, "invalid value for --blkio-weight: %" PRIu64 ": expected 10 to 1000", weight);
  if (weight != 0)
    {
      r->has_blkio = r->blkio.has_weight = true;
      r->blkio.weight = (uint16_t) weight;
    }
  if (f->kernel_memory != NULL)
    log_warning ("Setting --kernel-memory is ignored and will be removed");
  if (f->kernel_memory_tcp != NULL)
    log_warning ("Setting --kernel-memory-tcp is ignored and will be removed");
  if ((f->l3_cache_schema != NULL || f->mem_bw_schema != NULL) && access ("/sys/fs/resctrl/schemata", F_OK) != 0)
    return ocirt_err_make (err, 0, f->l3_cache_schema ? "Intel RDT/CAT: l3 cache schema is not enabled"
                                                      : "Intel RDT/MBA: memory bandwidth schema is not enabled");
  if (f->l3_cache_schema != NULL || f->mem_bw_schema != NULL)
    return ocirt_err_make (err, 0, "update of Intel RDT schemata (--l3-cache-schema, --mem-bw-schema) is not "
                                   "implemented in ocirt");
  return 0;
}

struct ocirt_resources *
ocirt_update_flags_to_resources (const struct ocirt_update_flags *f, struct ocirt_err **err)
{
  struct ocirt_resources *r = xzalloc (sizeof *r);

  if (flags_fill (f, r, err) < 0)
    {
      ocirt_resources_free (r);
      return NULL;
    }
  return r;
}

/* `ps --format table`: the header and the lines of ps output whose PID column is one of pids. */
char *
ocirt_ps_filter (const char *output, const pid_t *pids, size_t n, struct ocirt_err **err)
{
  cleanup_free char *copy = xstrdup (output);
  char *save = NULL, *line, *header, *out;
  size_t cap = strlen (output) + 2, len = 0;
  int col = -1, k = 0;

  header = strtok_r (copy, "\n", &save);
  if (header != NULL)
    {
      cleanup_free char *h = xstrdup (header);
      char *s2 = NULL;
      for (char *t = strtok_r (h, " \t", &s2); t; t = strtok_r (NULL, " \t", &s2), k++)
        if (strcmp (t, "PID") == 0)
          {
            col = k;
            break;
          }
    }
  if (col < 0)
    {
      ocirt_err_make (err, 0, "couldn't find PID field in ps output");
      return NULL;
    }
  out = xzalloc (cap);
  len = (size_t) sprintf (out, "%s\n", header);
  while ((line = strtok_r (NULL, "\n", &save)) != NULL)
    {
      cleanup_free char *l = xstrdup (line);
      char *s2 = NULL, *t = strtok_r (l, " \t", &s2);
      char *end;
      long pid;
      for (int j = 0; t != NULL && j < col; j++)
        t = strtok_r (NULL, " \t", &s2);
      if (t == NULL)
        continue;
      pid = strtol (t, &end, 10);
      if (*end != '\0')
        {
          free (out);
          ocirt_err_make (err, 0, "unable to parse pid: \"%s\"", t);
          return NULL;
        }
      for (size_t i = 0; i < n; i++)
        if (pids[i] == (pid_t) pid)
          {
            len += (size_t) sprintf (out + len, "%s\n", line);
            break;
          }
    }
  return out;
}

/* ---- loading a container ---- */

static int
load (const struct ocirt_ctx *ctx, const char *id, struct ocirt_state **st, struct ocirt_cgroup **cg,
      struct ocirt_err **err)
{
  if (ocirt_state_read (ctx->root, id, st, err) < 0)
    return -1;
  ocirt_state_refresh (ctx->root, *st);
  if ((*st)->cgroup_path == NULL)
    return ocirt_err_make (err, 0, "container \"%s\" has no cgroup recorded", id);
  return ocirt_cgroup_load (ctx, (*st)->cgroup_path, cg, err);
}

int
ocirt_container_pause (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  int lock = -1, ret = -1;

  if (ocirt_state_lock (ctx->root, id, &lock, err) < 0)
    return -1;
  if (load (ctx, id, &st, &cg, err) == 0)
    {
      /* runc pauses created and running containers; anything else is "not running". */
      if (st->status != OCIRT_STATUS_RUNNING && st->status != OCIRT_STATUS_CREATED)
        ocirt_err_make (err, 0, "container not running");
      else if (ocirt_cgroup_freeze (cg, true, err) == 0)
        {
          st->status = OCIRT_STATUS_PAUSED;
          ret = ocirt_state_write (ctx->root, st, err);
          if (ret < 0)
            {
              cleanup_err struct ocirt_err *e = NULL;
              (void) ocirt_cgroup_freeze (cg, false, &e); /* never leave it frozen behind an error */
            }
        }
    }
  ocirt_state_unlock (ctx->root, id, &lock);
  return ret;
}

int
ocirt_container_resume (const struct ocirt_ctx *ctx, const char *id, struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  int lock = -1, ret = -1;

  if (ocirt_state_lock (ctx->root, id, &lock, err) < 0)
    return -1;
  if (load (ctx, id, &st, &cg, err) == 0)
    {
      if (st->status != OCIRT_STATUS_PAUSED)
        ocirt_err_make (err, 0, "container not paused");
      else if (ocirt_cgroup_freeze (cg, false, err) == 0)
        {
          st->status = OCIRT_STATUS_RUNNING;
          ret = ocirt_state_write (ctx->root, st, err);
        }
    }
  ocirt_state_unlock (ctx->root, id, &lock);
  return ret;
}

int
ocirt_container_update (const struct ocirt_ctx *ctx, const char *id, const struct ocirt_resources *r,
                        struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  int lock = -1, ret = -1;

  if (ocirt_state_lock (ctx->root, id, &lock, err) < 0)
    return -1;
  if (load (ctx, id, &st, &cg, err) == 0)
    {
      if (st->status == OCIRT_STATUS_STOPPED)
        ocirt_err_make (err, 0, "container not running");
      else
        ret = ocirt_cgroup_update (cg, r, err);
    }
  ocirt_state_unlock (ctx->root, id, &lock);
  return ret;
}

int
ocirt_container_pids (const struct ocirt_ctx *ctx, const char *id, pid_t **pids, size_t *n, struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;

  *pids = NULL;
  *n = 0;
  if (load (ctx, id, &st, &cg, err) < 0)
    return -1;
  if (st->status == OCIRT_STATUS_STOPPED)
    return 0; /* its cgroup may be gone already: no processes */
  return ocirt_cgroup_pids (cg, pids, n, err);
}

/* Runs the host's ps with args, output in *out (stdout and stderr, as runc's CombinedOutput). */
static int
run_ps (char *const *args, size_t n_args, char **out, struct ocirt_err **err)
{
  const char **argv = xzalloc ((n_args + 3) * sizeof *argv);
  int fds[2], status;
  size_t len = 0, cap = 8192;
  char *buf;
  pid_t pid;

  argv[0] = "ps";
  if (n_args == 0)
    argv[1] = "-ef";
  for (size_t i = 0; i < n_args; i++)
    argv[i + 1] = args[i];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      free (argv);
      return ocirt_err_make (err, errno, "pipe");
    }
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      free (argv);
      close (fds[0]);
      close (fds[1]);
      return ocirt_err_make (err, e, "fork");
    }
  if (pid == 0)
    {
      dup2 (fds[1], 1);
      dup2 (fds[1], 2);
      execvp ("ps", (char **) argv);
      dprintf (2, "exec ps: %s", strerror (errno));
      _exit (127);
    }
  free (argv);
  close (fds[1]);
  buf = xmalloc (cap);
  for (;;)
    {
      ssize_t r = read (fds[0], buf + len, cap - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      len += (size_t) r;
      if (cap - len < 2)
        buf = xrealloc (buf, cap *= 2);
    }
  buf[len] = '\0';
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      ocirt_err_make (err, 0, "ps failed (status %d): %s", WIFEXITED (status) ? WEXITSTATUS (status) : -1, buf);
      free (buf);
      return -1;
    }
  *out = buf;
  return 0;
}

int
ocirt_container_ps_table (const struct ocirt_ctx *ctx, const char *id, char *const *ps_args, size_t n_args,
                          char **out, struct ocirt_err **err)
{
  cleanup_free pid_t *pids = NULL;
  cleanup_free char *output = NULL;
  size_t n;

  if (ocirt_container_pids (ctx, id, &pids, &n, err) < 0 || run_ps (ps_args, n_args, &output, err) < 0)
    return -1;
  *out = ocirt_ps_filter (output, pids, n, err);
  return *out ? 0 : -1;
}

/* ---- events ---- */

static char *
stats_line (struct ocirt_cgroup *cg, const char *id, struct ocirt_err **err)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "type", "stats");
  ocirt_jw_kstr (w, "id", id);
  ocirt_jw_key (w, "data");
  if (ocirt_cg_stats_write (cg, w, err) < 0)
    return NULL;
  ocirt_jw_obj_close (w);
  return ocirt_jw_steal (w, NULL);
}

static void
emit (const char *line)
{
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
emit_oom (const char *id)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "type", "oom");
  ocirt_jw_kstr (w, "id", id);
  ocirt_jw_obj_close (w);
  emit (ocirt_jw_text (w, NULL));
}

/* An fd that becomes readable on OOM: v1 eventfd on memory.oom_control, or inotify on cgroup2's
 * memory.events (then *v2_dir is where to read the oom_kill counter). -1 when neither exists. */
static int
oom_fd (struct ocirt_cgroup *cg, const char **v2_dir)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_MEMORY);
  cleanup_err struct ocirt_err *e = NULL;
  int fd;

  *v2_dir = NULL;
  if (h != NULL)
    {
      fd = ocirt_cg_v1_oom_eventfd (h->dir, &e);
      if (fd < 0)
        log_warning ("events: no OOM notifications: %s", e->msg);
      return fd;
    }
  h = ocirt_cg_hier_v2 (cg);
  if (h == NULL || !(h->ctrls & CG_BIT (CG_MEMORY)))
    return -1;
  fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (fd >= 0)
    {
      cleanup_free char *path = xfmt ("%s/memory.events", h->dir);
      if (inotify_add_watch (fd, path, IN_MODIFY) < 0)
        {
          close (fd);
          return -1;
        }
      *v2_dir = h->dir;
    }
  return fd;
}

static uint64_t
v2_oom_kills (const char *dir)
{
  cleanup_err struct ocirt_err *e = NULL;
  cleanup_free char *s = ocirt_cg_read_file (dir, "memory.events", &e);
  const char *p = s ? strstr (s, "oom_kill ") : NULL;

  return p ? strtoull (p + 9, NULL, 10) : 0;
}

static bool
still_there (const struct ocirt_ctx *ctx, const char *id)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_err struct ocirt_err *e = NULL;

  if (ocirt_state_read (ctx->root, id, &st, &e) < 0)
    return false;
  ocirt_state_refresh (ctx->root, st);
  return st->status != OCIRT_STATUS_STOPPED;
}

int
ocirt_container_events (const struct ocirt_ctx *ctx, const char *id, bool stats_once, unsigned interval_ms,
                        struct ocirt_err **err)
{
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_cgroup struct ocirt_cgroup *cg = NULL;
  cleanup_close int fd = -1;
  const char *v2_dir = NULL;
  uint64_t kills = 0;
  struct timespec next, now;

  if (interval_ms == 0)
    return ocirt_err_make (err, 0, "duration interval must be greater than 0");
  if (load (ctx, id, &st, &cg, err) < 0)
    return -1;
  if (st->status == OCIRT_STATUS_STOPPED)
    return ocirt_err_make (err, 0, "container with id %s is not running", id);
  if (stats_once)
    {
      cleanup_free char *line = stats_line (cg, id, err);
      if (line == NULL)
        return -1;
      emit (line);
      return 0;
    }
  fd = oom_fd (cg, &v2_dir);
  if (v2_dir != NULL)
    kills = v2_oom_kills (v2_dir);
  clock_gettime (CLOCK_MONOTONIC, &next);
  /* Stats every interval and OOM events as they come, until the container stops (runc keeps
   * going forever; ending is what a caller waiting on the stream wants). */
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      long wait_ms;
      int r;

      clock_gettime (CLOCK_MONOTONIC, &now);
      wait_ms = (next.tv_sec - now.tv_sec) * 1000 + (next.tv_nsec - now.tv_nsec) / 1000000;
      if (wait_ms <= 0)
        {
          cleanup_err struct ocirt_err *e = NULL;
          cleanup_free char *line = NULL;
          if (!still_there (ctx, id))
            return 0;
          line = stats_line (cg, id, &e);
          if (line != NULL)
            emit (line);
          else
            log_error ("%s", e->msg);
          next.tv_sec += interval_ms / 1000;
          next.tv_nsec += (long) (interval_ms % 1000) * 1000000L;
          if (next.tv_nsec >= 1000000000L)
            {
              next.tv_sec++;
              next.tv_nsec -= 1000000000L;
            }
          continue;
        }
      r = poll (&pfd, fd >= 0 ? 1 : 0, (int) wait_ms);
      if (r < 0 && errno != EINTR)
        return ocirt_err_make (err, errno, "poll");
      if (r > 0 && (pfd.revents & POLLIN))
        {
          char buf[4096];
          if (read (fd, buf, sizeof buf) < 0 && errno != EAGAIN)
            return ocirt_err_make (err, errno, "read OOM notification");
          if (v2_dir != NULL)
            {
              uint64_t k = v2_oom_kills (v2_dir);
              if (k > kills)
                emit_oom (id);
              kills = k;
            }
          else
            {
              /* the v1 eventfd also fires when the cgroup is removed: only a live cgroup had an OOM */
              struct stat sb;
              if (stat (ocirt_cg_hier_for (cg, CG_MEMORY)->dir, &sb) < 0)
                return 0;
              emit_oom (id);
            }
        }
    }
}
