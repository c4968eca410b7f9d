/* Semantic validation of a parsed config.json: what the schema and the spec require beyond types.
 * Every check reports through one callback so that `ocirt check` lists all problems at once and
 * create stops at the first (ocirt_spec_check). Messages read "path: what is wrong at line N".
 * sysctl keys are the security area's (they depend on the namespaces in use). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/names.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "spec-internal.h"

struct vctx
{
  const struct ocirt_spec *s;
  ocirt_spec_report_fn report;
  void *ctx;
  int n;
};

static void problem (struct vctx *v, unsigned line, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
problem (struct vctx *v, unsigned line, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *full = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  full = line > 0 ? xfmt ("%s at line %u", msg, line) : xstrdup (msg);
  v->n++;
  if (v->report != NULL)
    v->report (v->ctx, full);
}

static unsigned
line_of (struct vctx *v, const void *p)
{
  return ocirt_spec_line (v->s, p);
}

static bool
is_abs (const char *p)
{
  return p != NULL && p[0] == '/';
}

/* ---- top level ---- */

/* A dot-separated run of n numbers without leading zeros; returns the end, NULL when malformed. */
static const char *
semver_numbers (const char *p, int n)
{
  for (int i = 0; i < n; i++)
    {
      size_t d = strspn (p, "0123456789");

      if (d == 0 || (d > 1 && p[0] == '0'))
        return NULL;
      p += d;
      if (i < n - 1)
        {
          if (*p != '.')
            return NULL;
          p++;
        }
    }
  return p;
}

/* Identifiers after '-' or '+': [0-9A-Za-z-] separated by dots, none empty. */
static bool
semver_idents (const char *p, const char *end)
{
  const char *ok = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-";

  while (p < end)
    {
      size_t n = strspn (p, ok);

      if (n == 0 || p + n > end)
        return false;
      p += n;
      if (p < end && *p++ != '.')
        return false;
      if (p == end && p[-1] == '.')
        return false;
    }
  return true;
}

/* MAJOR.MINOR.PATCH[-pre][+build], as config.md requires of ociVersion. */
static bool
semver_ok (const char *v)
{
  const char *p = semver_numbers (v, 3), *plus;

  if (p == NULL)
    return false;
  if (*p == '\0')
    return true;
  plus = strchr (p, '+');
  if (*p == '-')
    {
      const char *end = plus != NULL ? plus : p + strlen (p);

      if (end == p + 1 || !semver_idents (p + 1, end))
        return false;
      p = end;
    }
  if (*p == '+')
    return p[1] != '\0' && semver_idents (p + 1, p + strlen (p));
  return *p == '\0';
}

static void
check_top (struct vctx *v)
{
  const struct ocirt_spec *s = v->s;
  unsigned top = line_of (v, s);

  if (s->oci_version == NULL)
    problem (v, top, "ociVersion: required field missing");
  else if (!semver_ok (s->oci_version))
    problem (v, line_of (v, s->oci_version), "ociVersion: \"%s\" is not a SemVer 2.0.0 version", s->oci_version);
  if (s->root_path == NULL)
    {
      unsigned root = line_of (v, &s->root_path);

      problem (v, root ? root : top, "root.path: required field missing");
    }
  else if (s->root_path[0] == '\0')
    problem (v, line_of (v, s->root_path), "root.path: must not be empty");
  for (size_t i = 0; i < s->n_annotations; i++)
    if (s->annotations[i].key[0] == '\0')
      problem (v, line_of (v, s->annotations[i].key), "annotations: a key must not be empty");
}

/* ---- process ---- */

static void
check_caps (struct vctx *v, const struct ocirt_capabilities *c)
{
  static const char *const set_names[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
  char *const *sets[] = { c->bounding, c->effective, c->inheritable, c->permitted, c->ambient };
  const size_t counts[] = { c->n_bounding, c->n_effective, c->n_inheritable, c->n_permitted, c->n_ambient };

  for (size_t k = 0; k < 5; k++)
    for (size_t i = 0; i < counts[k]; i++)
      if (ocirt_capability_from_name (sets[k][i]) < 0)
        problem (v, line_of (v, sets[k][i]), "process.capabilities.%s[%zu]: unknown capability \"%s\"", set_names[k], i,
                 sets[k][i]);
}

static void
check_rlimits (struct vctx *v, const struct ocirt_process *p)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct ocirt_rlimit *r = &p->rlimits[i];

      if (ocirt_rlimit_resource (r->type) < 0)
        {
          problem (v, r->line, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i, r->type);
          continue;
        }
      for (size_t j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          {
            problem (v, r->line, "process.rlimits[%zu].type: duplicate rlimit \"%s\" (also at line %u)", i, r->type,
                     p->rlimits[j].line);
            break;
          }
      if (r->soft > r->hard)
        problem (v, r->line, "process.rlimits[%zu]: soft limit %llu is above hard limit %llu", i,
                 (unsigned long long) r->soft, (unsigned long long) r->hard);
    }
}

/* "0-3,7": digits, commas, dashes and spaces, as the schema's pattern says. */
static bool
cpu_list_ok (const char *s)
{
  return strspn (s, "0123456789, -") == strlen (s);
}

/* What sched_setattr(2) would refuse with EINVAL, said before anything runs. */
static void
check_scheduler (struct vctx *v, const struct ocirt_scheduler *sc)
{
  bool rt = sc->policy != NULL && (strcmp (sc->policy, "SCHED_FIFO") == 0 || strcmp (sc->policy, "SCHED_RR") == 0);
  bool dl = sc->policy != NULL && strcmp (sc->policy, "SCHED_DEADLINE") == 0;

  if (sc->has_nice && (sc->nice < -20 || sc->nice > 19))
    problem (v, line_of (v, &sc->nice), "process.scheduler.nice: %d is outside -20..19", sc->nice);
  if (rt && (sc->priority < 1 || sc->priority > 99))
    problem (v, line_of (v, sc->has_priority ? (const void *) &sc->priority : (const void *) sc->policy),
             "process.scheduler.priority: %s needs a priority in 1..99, got %d", sc->policy, sc->priority);
  else if (!rt && sc->priority != 0)
    problem (v, line_of (v, &sc->priority), "process.scheduler.priority: must be 0 with %s, got %d", sc->policy,
             sc->priority);
  if (dl && (sc->runtime == 0 || sc->runtime > sc->deadline || (sc->period != 0 && sc->deadline > sc->period)))
    problem (v, line_of (v, sc->policy), "process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline <= period "
             "(period 0 means deadline), got %llu, %llu, %llu", (unsigned long long) sc->runtime,
             (unsigned long long) sc->deadline, (unsigned long long) sc->period);
}

static void
check_process (struct vctx *v, const struct ocirt_process *p, bool at_start)
{
  if (p == NULL)
    {
      if (at_start)
        problem (v, line_of (v, v->s), "process: required field missing (start needs it)");
      return;
    }
  if (p->cwd == NULL)
    problem (v, p->line, "process.cwd: required field missing");
  else if (!is_abs (p->cwd))
    problem (v, line_of (v, p->cwd), "process.cwd: must be an absolute path, got \"%s\"", p->cwd);
  if (at_start && p->n_args == 0)
    problem (v, p->args != NULL ? line_of (v, p->args) : p->line, "process.args: must not be empty");
  for (size_t i = 0; i < p->n_args; i++)
    if (i == 0 && p->args[0][0] == '\0')
      problem (v, line_of (v, p->args[0]), "process.args[0]: must not be empty");
  for (size_t i = 0; i < p->n_env; i++)
    if (strchr (p->env[i], '=') == NULL)
      problem (v, line_of (v, p->env[i]), "process.env[%zu]: \"%s\" is not of the form KEY=value", i, p->env[i]);
  if (p->has_capabilities)
    check_caps (v, &p->capabilities);
  check_rlimits (v, p);
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    problem (v, line_of (v, &p->oom_score_adj), "process.oomScoreAdj: %d is outside -1000..1000", p->oom_score_adj);
  if (p->has_scheduler)
    {
      const struct ocirt_scheduler *sc = &p->scheduler;

      if (ocirt_name_index (ocirt_sched_policy_names, sc->policy) < 0)
        problem (v, line_of (v, sc->policy), "process.scheduler.policy: unknown policy \"%s\"", sc->policy);
      for (size_t i = 0; i < sc->n_flags; i++)
        if (ocirt_name_index (ocirt_sched_flag_names, sc->flags[i]) < 0)
          problem (v, line_of (v, sc->flags[i]), "process.scheduler.flags[%zu]: unknown flag \"%s\"", i, sc->flags[i]);
      check_scheduler (v, sc);
    }
  if (p->has_io_priority && ocirt_name_index (ocirt_ioprio_class_names, p->io_priority_class) < 0)
    problem (v, line_of (v, p->io_priority_class), "process.ioPriority.class: unknown class \"%s\"",
             p->io_priority_class);
  if (p->has_io_priority && (p->io_priority < 0 || p->io_priority > 7))
    problem (v, line_of (v, &p->io_priority), "process.ioPriority.priority: %d is outside 0..7", p->io_priority);
  if (p->exec_cpu_affinity_initial != NULL && !cpu_list_ok (p->exec_cpu_affinity_initial))
    problem (v, line_of (v, p->exec_cpu_affinity_initial), "process.execCPUAffinity.initial: \"%s\" is not a CPU list",
             p->exec_cpu_affinity_initial);
  if (p->exec_cpu_affinity_final != NULL && !cpu_list_ok (p->exec_cpu_affinity_final))
    problem (v, line_of (v, p->exec_cpu_affinity_final), "process.execCPUAffinity.final: \"%s\" is not a CPU list",
             p->exec_cpu_affinity_final);
}

/* ---- mounts, hooks ---- */

static void
check_mounts (struct vctx *v)
{
  for (size_t i = 0; i < v->s->n_mounts; i++)
    {
      const struct ocirt_mount *m = &v->s->mounts[i];

      if (m->destination[0] == '\0')
        problem (v, line_of (v, m->destination), "mounts[%zu].destination: must not be empty", i);
      else if (!is_abs (m->destination))
        /* config.md: relative destinations are deprecated and mean relative to / (as runc) */
        log_warning ("config.json: mounts[%zu].destination: relative path \"%s\" is deprecated, taken as \"/%s\" at line %u",
                     i, m->destination, m->destination, line_of (v, m->destination));
      /* config.md: each of uidMappings and gidMappings MUST come with the other */
      if (m->n_uid_mappings > 0 && m->gid_mappings == NULL)
        problem (v, m->line, "mounts[%zu]: uidMappings without gidMappings", i);
      if (m->n_gid_mappings > 0 && m->uid_mappings == NULL)
        problem (v, m->line, "mounts[%zu]: gidMappings without uidMappings", i);
    }
}

static void
check_hooks (struct vctx *v)
{
  const struct ocirt_hooks *h = &v->s->hooks;

  for (int k = 0; k < OCIRT_HOOK__COUNT; k++)
    for (size_t i = 0; i < h->n[k]; i++)
      {
        const struct ocirt_hook *hk = &h->list[k][i];
        const char *kind = ocirt_hook_kind_name ((enum ocirt_hook_kind) k);

        if (!is_abs (hk->path))
          problem (v, line_of (v, hk->path), "hooks.%s[%zu].path: must be an absolute path, got \"%s\"", kind, i,
                   hk->path);
        if (hk->has_timeout && hk->timeout < 1)
          problem (v, line_of (v, &hk->timeout), "hooks.%s[%zu].timeout: must be at least 1 second, got %lld", kind, i,
                   (long long) hk->timeout);
      }
}

/* ---- linux ---- */

static const struct ocirt_namespace *
find_ns (const struct ocirt_linux *l, enum ocirt_ns_type t, size_t *index)
{
  for (size_t i = 0; i < l->n_namespaces; i++)
    if (l->namespaces[i].type == t)
      {
        if (index != NULL)
          *index = i;
        return &l->namespaces[i];
      }
  return NULL;
}

static void
check_namespaces (struct vctx *v, const struct ocirt_linux *l)
{
  const struct ocirt_namespace *user;
  size_t user_i = 0;

  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      const struct ocirt_namespace *ns = &l->namespaces[i];

      for (size_t j = 0; j < i; j++)
        if (l->namespaces[j].type == ns->type)
          {
            problem (v, ns->line, "linux.namespaces[%zu].type: duplicate namespace \"%s\" (also at line %u)", i,
                     ocirt_ns_type_name (ns->type), l->namespaces[j].line);
            break;
          }
      if (ns->path != NULL && !is_abs (ns->path))
        problem (v, line_of (v, ns->path), "linux.namespaces[%zu].path: must be an absolute path, got \"%s\"", i,
                 ns->path);
    }

  /* runc's rules: mappings need a user namespace, and a new user namespace needs mappings */
  user = find_ns (l, OCIRT_NS_USER, &user_i);
  if (user == NULL)
    {
      if (l->n_uid_mappings > 0)
        problem (v, line_of (v, &l->uid_mappings[0]),
                 "linux.uidMappings: mappings given but linux.namespaces has no user namespace");
      if (l->n_gid_mappings > 0)
        problem (v, line_of (v, &l->gid_mappings[0]),
                 "linux.gidMappings: mappings given but linux.namespaces has no user namespace");
    }
  else if (user->path == NULL)
    {
      if (l->n_uid_mappings == 0)
        problem (v, user->line, "linux.namespaces[%zu]: a new user namespace needs linux.uidMappings", user_i);
      if (l->n_gid_mappings == 0)
        problem (v, user->line, "linux.namespaces[%zu]: a new user namespace needs linux.gidMappings", user_i);
    }

  if (l->has_time_offsets && find_ns (l, OCIRT_NS_TIME, NULL) == NULL)
    problem (v, line_of (v, &l->has_time_offsets), "linux.timeOffsets: set but linux.namespaces has no time namespace");
  if (l->has_monotonic && l->monotonic_nsecs >= 1000000000)
    problem (v, line_of (v, &l->monotonic_nsecs), "linux.timeOffsets.monotonic.nanosecs: %u is not below 1000000000",
             l->monotonic_nsecs);
  if (l->has_boottime && l->boottime_nsecs >= 1000000000)
    problem (v, line_of (v, &l->boottime_nsecs), "linux.timeOffsets.boottime.nanosecs: %u is not below 1000000000",
             l->boottime_nsecs);


  /* runc refuses these too: the host's names would change */
  if (v->s->hostname != NULL && v->s->hostname[0] != '\0' && find_ns (l, OCIRT_NS_UTS, NULL) == NULL)
    problem (v, line_of (v, v->s->hostname), "hostname: needs a uts namespace in linux.namespaces");
  if (v->s->domainname != NULL && v->s->domainname[0] != '\0' && find_ns (l, OCIRT_NS_UTS, NULL) == NULL)
    problem (v, line_of (v, v->s->domainname), "domainname: needs a uts namespace in linux.namespaces");
}

#define IFNAME_RULE "1 to 15 bytes, no '/', ':' or white space"

/* A Linux interface name: 1..15 bytes (IFNAMSIZ), not . or .., no '/', ':' or white space.
 * The container-side name may end in %d, a template the kernel fills. */
static bool
ifname_ok (const char *n)
{
  size_t len = strlen (n);

  if (len == 0 || len > 15 || strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
    return false;
  return strpbrk (n, "/: \t\n\r\v\f") == NULL;
}

static void
check_net_devices (struct vctx *v, const struct ocirt_linux *l)
{
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      const struct ocirt_net_device *d = &l->net_devices[i];

      struct path_buf path = { 0 };

      path_key (&path, "linux");
      path_key (&path, "netDevices");
      path_key (&path, d->host_name);
      if (!ifname_ok (d->host_name))
        problem (v, line_of (v, d->host_name), "%s: not a valid interface name (%s)", path_text (&path), IFNAME_RULE);
      if (d->name != NULL && !ifname_ok (d->name))
        problem (v, line_of (v, d->name), "%s.name: \"%s\" is not a valid interface name (%s)", path_text (&path),
                 d->name, IFNAME_RULE);
      path_free (&path);
    }
}

static void
check_devices (struct vctx *v, const struct ocirt_linux *l)
{
  for (size_t i = 0; i < l->n_devices; i++)
    {
      const struct ocirt_device *d = &l->devices[i];

      if (strchr ("cbup", d->type) == NULL || d->type == '\0')
        problem (v, d->line, "linux.devices[%zu].type: unknown device type \"%c\" (expected c, b, u or p)", i, d->type);
      if (!is_abs (d->path))
        problem (v, line_of (v, d->path), "linux.devices[%zu].path: must be an absolute path, got \"%s\"", i, d->path);
    }
}

/* "2MB": a number without leading zero, then KB, MB or GB (the schema's pattern). */
static bool
page_size_ok (const char *s)
{
  size_t digits = strspn (s, "0123456789");

  return digits > 0 && s[0] != '0' && strchr ("KMG", s[digits]) != NULL && s[digits] != '\0'
         && s[digits + 1] == 'B' && s[digits + 2] == '\0';
}

static void
check_resources (struct vctx *v, const struct ocirt_resources *r)
{
  for (size_t i = 0; i < r->n_devices; i++)
    {
      const struct ocirt_device_rule *d = &r->devices[i];

      if (d->type != 0 && strchr ("acb", d->type) == NULL)
        problem (v, line_of (v, &r->devices[i]),
                 "linux.resources.devices[%zu].type: unknown device type \"%c\" (expected a, c or b)", i, d->type);
      if (d->access != NULL && strspn (d->access, "rwm") != strlen (d->access))
        problem (v, line_of (v, d->access), "linux.resources.devices[%zu].access: \"%s\" is not a subset of \"rwm\"",
                 i, d->access);
    }
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const char *ps = r->hugepage_limits[i].page_size;

      if (!page_size_ok (ps))
        problem (v, line_of (v, ps),
                 "linux.resources.hugepageLimits[%zu].pageSize: invalid page size \"%s\" (expected like 2MB or 1GB)", i,
                 ps);
    }
}

static void
check_seccomp (struct vctx *v, const struct ocirt_seccomp *sc)
{
  bool notify = false;

  if (ocirt_name_index (ocirt_seccomp_action_names, sc->default_action) < 0)
    problem (v, line_of (v, sc->default_action), "linux.seccomp.defaultAction: unknown action \"%s\"",
             sc->default_action);
  notify = sc->default_action != NULL && strcmp (sc->default_action, "SCMP_ACT_NOTIFY") == 0;
  for (size_t i = 0; i < sc->n_architectures; i++)
    if (ocirt_name_index (ocirt_seccomp_arch_names, sc->architectures[i]) < 0)
      problem (v, line_of (v, sc->architectures[i]), "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"",
               i, sc->architectures[i]);
  for (size_t i = 0; i < sc->n_flags; i++)
    if (ocirt_name_index (ocirt_seccomp_flag_names, sc->flags[i]) < 0)
      problem (v, line_of (v, sc->flags[i]), "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, sc->flags[i]);
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      const struct ocirt_seccomp_rule *r = &sc->syscalls[i];

      if (r->n_names == 0)
        problem (v, r->line, "linux.seccomp.syscalls[%zu].names: must not be empty", i);
      if (ocirt_name_index (ocirt_seccomp_action_names, r->action) < 0)
        problem (v, line_of (v, r->action), "linux.seccomp.syscalls[%zu].action: unknown action \"%s\"", i, r->action);
      else if (strcmp (r->action, "SCMP_ACT_NOTIFY") == 0)
        notify = true;
      for (size_t j = 0; j < r->n_args; j++)
        if (ocirt_name_index (ocirt_seccomp_operator_names, r->args[j].op) < 0)
          problem (v, line_of (v, r->args[j].op), "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"",
                   i, j, r->args[j].op);
    }
  if (notify && sc->listener_path == NULL)
    problem (v, line_of (v, sc->default_action), "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
  if (sc->listener_metadata != NULL && sc->listener_path == NULL)
    problem (v, line_of (v, sc->listener_metadata), "linux.seccomp.listenerMetadata: set without listenerPath");
  if (sc->listener_path != NULL && !is_abs (sc->listener_path))
    problem (v, line_of (v, sc->listener_path), "linux.seccomp.listenerPath: must be an absolute path, got \"%s\"",
             sc->listener_path);
}

static void
check_paths (struct vctx *v, const char *what, char *const *paths, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!is_abs (paths[i]))
      problem (v, line_of (v, paths[i]), "linux.%s[%zu]: must be an absolute path, got \"%s\"", what, i, paths[i]);
}

static void
check_linux (struct vctx *v)
{
  const struct ocirt_linux *l = &v->s->linux_;

  check_namespaces (v, l);
  check_devices (v, l);
  check_net_devices (v, l);
  if (l->has_resources)
    check_resources (v, &l->resources);
  if (l->has_seccomp)
    check_seccomp (v, &l->seccomp);
  if (l->rootfs_propagation != NULL && ocirt_name_index (ocirt_rootfs_propagation_names, l->rootfs_propagation) < 0)
    problem (v, line_of (v, l->rootfs_propagation), "linux.rootfsPropagation: unknown propagation \"%s\"",
             l->rootfs_propagation);
  check_paths (v, "maskedPaths", l->masked_paths, l->n_masked_paths);
  check_paths (v, "readonlyPaths", l->readonly_paths, l->n_readonly_paths);
  if (l->personality_domain != NULL && ocirt_name_index (ocirt_personality_domain_names, l->personality_domain) < 0)
    problem (v, line_of (v, l->personality_domain), "linux.personality.domain: unknown domain \"%s\"",
             l->personality_domain);
  if (l->memory_policy_mode != NULL && ocirt_name_index (ocirt_mempolicy_mode_names, l->memory_policy_mode) < 0)
    problem (v, line_of (v, l->memory_policy_mode), "linux.memoryPolicy.mode: unknown mode \"%s\"",
             l->memory_policy_mode);
  for (size_t i = 0; i < l->n_memory_policy_flags; i++)
    if (ocirt_name_index (ocirt_mempolicy_flag_names, l->memory_policy_flags[i]) < 0)
      problem (v, line_of (v, l->memory_policy_flags[i]), "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"", i,
               l->memory_policy_flags[i]);
  if (l->has_intel_rdt && l->intel_rdt.mem_bw_schema != NULL && strncmp (l->intel_rdt.mem_bw_schema, "MB:", 3) != 0)
    problem (v, line_of (v, l->intel_rdt.mem_bw_schema), "linux.intelRdt.memBwSchema: must start with \"MB:\"");
}

int
ocirt_spec_validate (const struct ocirt_spec *s, bool at_start, ocirt_spec_report_fn report, void *ctx)
{
  struct vctx v = { .s = s, .report = report, .ctx = ctx };

  check_top (&v);
  check_process (&v, s->process, at_start);
  check_mounts (&v);
  check_hooks (&v);
  check_linux (&v);
  return v.n;
}

static void
keep_first (void *ctx, const char *problem_text)
{
  char **first = ctx;

  if (*first == NULL)
    *first = xstrdup (problem_text);
}

int
ocirt_process_check (const struct ocirt_process *p, const char *name, struct ocirt_err **err)
{
  cleanup_free char *first = NULL;
  struct vctx v = { .s = NULL, .report = keep_first, .ctx = &first };

  check_process (&v, p, true);
  if (v.n == 0)
    return 0;
  return ocirt_err_make (err, 0, "%s: %s%s", name != NULL ? name : "process.json", first,
                         v.n > 1 ? " (and more problems)" : "");
}

int
ocirt_spec_check (const struct ocirt_spec *s, bool at_start, struct ocirt_err **err)
{
  cleanup_free char *first = NULL;
  int n = ocirt_spec_validate (s, at_start, keep_first, &first);

  if (n == 0)
    return 0;
  if (n == 1)
    return ocirt_err_make (err, 0, "config.json: %s", first);
  return ocirt_err_make (err, 0, "config.json: %s (and %d more problems: run `ocirt check`)", first, n - 1);
}

int
ocirt_spec_check_supported (const struct ocirt_spec *s, struct ocirt_err **err)
{
  const struct ocirt_linux *l = &s->linux_;
  const char *field = NULL;

  if (l->n_net_devices > 0)
    field = "linux.netDevices";
  else if (l->has_intel_rdt)
    field = "linux.intelRdt";
  else if (l->has_memory_policy)
    field = "linux.memoryPolicy";
  if (field == NULL)
    return 0;
  return ocirt_err_make (err, 0, "config.json: %s is not supported by ocirt yet", field);
}
