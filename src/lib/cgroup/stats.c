/* `events` statistics in runc's JSON shape (types/events.go in runc: cpu, cpuset, memory, pids,
 * blkio, hugetlb, intel_rdt, network_interfaces), read from the v1 hierarchy of each controller
 * or from cgroup v2. Go's omitempty is followed: zero counters it marks omitempty are left out. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/xalloc.h"

static char *
rd (const char *dir, const char *file)
{
  cleanup_err struct ocirt_err *e = NULL;

  return dir ? ocirt_cg_read_file (dir, file, &e) : NULL;
}

static uint64_t
u64 (const char *dir, const char *file)
{
  cleanup_err struct ocirt_err *e = NULL;
  uint64_t v = 0;

  if (dir == NULL || ocirt_cg_read_u64 (dir, file, &v, &e) < 0)
    return 0;
  return v;
}

/* "key value" lines (cpu.stat, memory.stat, cpuacct.stat): the value of key, 0 when absent. */
static uint64_t
keyed (const char *text, const char *key)
{
  size_t n = strlen (key);

  for (const char *p = text; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    if (strncmp (p, key, n) == 0 && p[n] == ' ')
      return strtoull (p + n + 1, NULL, 10);
  return 0;
}

static void
kuint_oe (struct ocirt_jw *w, const char *key, uint64_t v)
{
  if (v != 0)
    ocirt_jw_kuint (w, key, v);
}

static void
uint_list (struct ocirt_jw *w, const char *key, const char *text)
{
  char *end;
  const char *p = text;
  bool open = false;

  while (p && *p)
    {
      uint64_t v = strtoull (p, &end, 10);
      if (end == p)
        break;
      if (!open)
        {
          ocirt_jw_key (w, key);
          ocirt_jw_arr_open (w);
          open = true;
        }
      ocirt_jw_uint (w, v);
      p = end;
    }
  if (open)
    ocirt_jw_arr_close (w);
}

/* cpuacct.usage_all: "cpu user system" rows after a header. */
static void
percpu_column (struct ocirt_jw *w, const char *key, const char *all, int col)
{
  const char *p = all ? strchr (all, '\n') : NULL;
  bool open = false;

  while (p && *++p)
    {
      unsigned long long c, u, s;
      if (sscanf (p, "%llu %llu %llu", &c, &u, &s) != 3)
        break;
      if (!open)
        {
          ocirt_jw_key (w, key);
          ocirt_jw_arr_open (w);
          open = true;
        }
      ocirt_jw_uint (w, col == 1 ? u : s);
      p = strchr (p, '\n');
    }
  if (open)
    ocirt_jw_arr_close (w);
}

static void
cpu_stats (struct ocirt_cgroup *cg, struct ocirt_jw *w)
{
  struct ocirt_cg_hier *acct = ocirt_cg_hier_for (cg, CG_CPUACCT), *cpu = ocirt_cg_hier_for (cg, CG_CPU);
  struct ocirt_cg_hier *v2 = ocirt_cg_hier_v2 (cg);
  cleanup_free char *stat = NULL, *percpu = NULL, *all = NULL, *acstat = NULL;
  long hz = sysconf (_SC_CLK_TCK);

  ocirt_jw_key (w, "cpu");
  ocirt_jw_obj_open (w);
  ocirt_jw_key (w, "usage");
  ocirt_jw_obj_open (w);
  if (acct != NULL)
    {
      percpu = rd (acct->dir, "cpuacct.usage_percpu");
      all = rd (acct->dir, "cpuacct.usage_all");
      acstat = rd (acct->dir, "cpuacct.stat");
      kuint_oe (w, "total", u64 (acct->dir, "cpuacct.usage"));
      uint_list (w, "percpu", percpu);
      percpu_column (w, "percpu_kernel", all, 2);
      percpu_column (w, "percpu_user", all, 1);
      /* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds */
      ocirt_jw_kuint (w, "kernel", keyed (acstat, "system") * (1000000000ull / (uint64_t) (hz > 0 ? hz : 100)));
      ocirt_jw_kuint (w, "user", keyed (acstat, "user") * (1000000000ull / (uint64_t) (hz > 0 ? hz : 100)));
    }
  else if (v2 != NULL && (stat = rd (v2->dir, "cpu.stat")) != NULL)
    {
      kuint_oe (w, "total", keyed (stat, "usage_usec") * 1000);
      ocirt_jw_kuint (w, "kernel", keyed (stat, "system_usec") * 1000);
      ocirt_jw_kuint (w, "user", keyed (stat, "user_usec") * 1000);
    }
  else
    {
      ocirt_jw_kuint (w, "kernel", 0);
      ocirt_jw_kuint (w, "user", 0);
    }
  ocirt_jw_obj_close (w);
  free (stat);
  stat = NULL;
  ocirt_jw_key (w, "throttling");
  ocirt_jw_obj_open (w);
  if (cpu != NULL && (stat = rd (cpu->dir, "cpu.stat")) != NULL)
    {
      kuint_oe (w, "periods", keyed (stat, "nr_periods"));
      kuint_oe (w, "throttledPeriods", keyed (stat, "nr_throttled"));
      kuint_oe (w, "throttledTime", keyed (stat, "throttled_time"));
    }
  else if (v2 != NULL && (stat = rd (v2->dir, "cpu.stat")) != NULL)
    {
      kuint_oe (w, "periods", keyed (stat, "nr_periods"));
      kuint_oe (w, "throttledPeriods", keyed (stat, "nr_throttled"));
      kuint_oe (w, "throttledTime", keyed (stat, "throttled_usec") * 1000);
    }
  ocirt_jw_obj_close (w);
  ocirt_jw_obj_close (w);
}

/* "0-2,5" -> [0,1,2,5] */
static void
cpu_list (struct ocirt_jw *w, const char *key, const char *text)
{
  const char *p = text;
  bool open = false;

  while (p && *p && *p != '\n')
    {
      char *end;
      unsigned long a = strtoul (p, &end, 10), b;
      if (end == p)
        break;
      b = a;
      p = end;
      if (*p == '-')
        {
          b = strtoul (p + 1, &end, 10);
          p = end;
        }
      if (!open)
        {
          ocirt_jw_key (w, key);
          ocirt_jw_arr_open (w);
          open = true;
        }
      for (unsigned long i = a; i <= b && i - a < 65536; i++)
        ocirt_jw_uint (w, i);
      if (*p == ',')
        p++;
    }
  if (open)
    ocirt_jw_arr_close (w);
}

static void
cpuset_stats (struct ocirt_cgroup *cg, struct ocirt_jw *w)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_CPUSET);
  const char *d = h ? h->dir : NULL;
  struct ocirt_cg_hier *v2 = ocirt_cg_hier_v2 (cg);
  cleanup_free char *cpus = NULL, *mems = NULL;
  cleanup_free char *relax = NULL;

  if (d == NULL && v2 != NULL && (v2->ctrls & CG_BIT (CG_CPUSET)))
    {
      cpus = rd (v2->dir, "cpuset.cpus.effective");
      mems = rd (v2->dir, "cpuset.mems.effective");
    }
  else
    {
      cpus = rd (d, "cpuset.cpus");
      mems = rd (d, "cpuset.mems");
    }
  relax = rd (d, "cpuset.sched_relax_domain_level");
  ocirt_jw_key (w, "cpuset");
  ocirt_jw_obj_open (w);
  cpu_list (w, "cpus", cpus);
  ocirt_jw_kuint (w, "cpu_exclusive", u64 (d, "cpuset.cpu_exclusive"));
  cpu_list (w, "mems", mems);
  ocirt_jw_kuint (w, "mem_hardwall", u64 (d, "cpuset.mem_hardwall"));
  ocirt_jw_kuint (w, "mem_exclusive", u64 (d, "cpuset.mem_exclusive"));
  ocirt_jw_kuint (w, "memory_migrate", u64 (d, "cpuset.memory_migrate"));
  ocirt_jw_kuint (w, "memory_spread_page", u64 (d, "cpuset.memory_spread_page"));
  ocirt_jw_kuint (w, "memory_spread_slab", u64 (d, "cpuset.memory_spread_slab"));
  ocirt_jw_kuint (w, "memory_pressure", u64 (d, "cpuset.memory_pressure"));
  ocirt_jw_kuint (w, "sched_load_balance", u64 (d, "cpuset.sched_load_balance"));
  ocirt_jw_kint (w, "sched_relax_domain_level", relax ? strtoll (relax, NULL, 10) : 0);
  ocirt_jw_obj_close (w);
}

/* One MemoryEntry: limit, usage, max, failcnt from files with the given prefix (v1). */
static void
mem_entry_v1 (struct ocirt_jw *w, const char *key, const char *dir, const char *prefix)
{
  cleanup_free char *limit = xfmt ("%s.limit_in_bytes", prefix), *usage = xfmt ("%s.usage_in_bytes", prefix);
  cleanup_free char *max = xfmt ("%s.max_usage_in_bytes", prefix), *fail = xfmt ("%s.failcnt", prefix);

  ocirt_jw_key (w, key);
  ocirt_jw_obj_open (w);
  ocirt_jw_kuint (w, "limit", u64 (dir, limit));
  kuint_oe (w, "usage", u64 (dir, usage));
  kuint_oe (w, "max", u64 (dir, max));
  ocirt_jw_kuint (w, "failcnt", u64 (dir, fail));
  ocirt_jw_obj_close (w);
}

static void
raw_stat (struct ocirt_jw *w, const char *text)
{
  bool open = false;

  for (const char *p = text; p && *p;)
    {
      const char *sp = strchr (p, ' '), *nl = strchr (p, '\n');
      cleanup_free char *k = NULL;
      if (sp == NULL || (nl && sp > nl))
        break;
      k = xstrndup (p, (size_t) (sp - p));
      if (!open)
        {
          ocirt_jw_key (w, "raw");
          ocirt_jw_obj_open (w);
          open = true;
        }
      ocirt_jw_kuint (w, k, strtoull (sp + 1, NULL, 10));
      p = nl ? nl + 1 : NULL;
    }
  if (open)
    ocirt_jw_obj_close (w);
}

static void
memory_stats (struct ocirt_cgroup *cg, struct ocirt_jw *w)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_MEMORY), *v2 = ocirt_cg_hier_v2 (cg);
  cleanup_free char *stat = NULL;

  ocirt_jw_key (w, "memory");
  ocirt_jw_obj_open (w);
  if (h != NULL)
    {
      stat = rd (h->dir, "memory.stat");
      kuint_oe (w, "cache", keyed (stat, "total_cache") ? keyed (stat, "total_cache") : keyed (stat, "cache"));
      mem_entry_v1 (w, "usage", h->dir, "memory");
      mem_entry_v1 (w, "swap", h->dir, "memory.memsw");
      mem_entry_v1 (w, "kernel", h->dir, "memory.kmem");
      mem_entry_v1 (w, "kernelTCP", h->dir, "memory.kmem.tcp");
      raw_stat (w, stat);
    }
  else if (v2 != NULL && (v2->ctrls & CG_BIT (CG_MEMORY)))
    {
      const char *d = v2->dir;
      stat = rd (d, "memory.stat");
      kuint_oe (w, "cache", keyed (stat, "file"));
      ocirt_jw_key (w, "usage");
      ocirt_jw_obj_open (w);
      ocirt_jw_kuint (w, "limit", u64 (d, "memory.max"));
      kuint_oe (w, "usage", u64 (d, "memory.current"));
      kuint_oe (w, "max", u64 (d, "memory.peak"));
      ocirt_jw_kuint (w, "failcnt", 0);
      ocirt_jw_obj_close (w);
      ocirt_jw_key (w, "swap");
      ocirt_jw_obj_open (w);
      ocirt_jw_kuint (w, "limit", u64 (d, "memory.swap.max"));
      kuint_oe (w, "usage", u64 (d, "memory.swap.current"));
      ocirt_jw_kuint (w, "failcnt", 0);
      ocirt_jw_obj_close (w);
      ocirt_jw_key (w, "kernel");
      ocirt_jw_obj_open (w);
      ocirt_jw_kuint (w, "limit", 0);
      ocirt_jw_kuint (w, "failcnt", 0);
      ocirt_jw_obj_close (w);
      ocirt_jw_key (w, "kernelTCP");
      ocirt_jw_obj_open (w);
      ocirt_jw_kuint (w, "limit", 0);
      ocirt_jw_kuint (w, "failcnt", 0);
      ocirt_jw_obj_close (w);
      raw_stat (w, stat);
    }
  ocirt_jw_obj_close (w);
}

static void
pids_stats (struct ocirt_cgroup *cg, struct ocirt_jw *w)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_PIDS), *v2 = ocirt_cg_hier_v2 (cg);
  const char *d = h ? h->dir : v2 && (v2->ctrls & CG_BIT (CG_PIDS)) ? v2->dir : NULL;
  uint64_t limit = u64 (d, "pids.max");

  ocirt_jw_key (w, "pids");
  ocirt_jw_obj_open (w);
  kuint_oe (w, "current", u64 (d, "pids.current"));
  kuint_oe (w, "limit", limit == UINT64_MAX ? 0 : limit);
  ocirt_jw_obj_close (w);
}

/* v1 blkio "8:0 Read 123" lines (Total lines skipped) as BlkioEntry objects. */
static void
blkio_entries (struct ocirt_jw *w, const char *key, const char *text)
{
  bool open = false;

  for (const char *p = text; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    {
      unsigned long long maj, min, val;
      char op[32];
      if (sscanf (p, "%llu:%llu %31s %llu", &maj, &min, op, &val) != 4)
        continue;
      if (!open)
        {
          ocirt_jw_key (w, key);
          ocirt_jw_arr_open (w);
          open = true;
        }
      ocirt_jw_obj_open (w);
      kuint_oe (w, "major", maj);
      kuint_oe (w, "minor", min);
      ocirt_jw_kstr (w, "op", op);
      kuint_oe (w, "value", val);
      ocirt_jw_obj_close (w);
    }
  if (open)
    ocirt_jw_arr_close (w);
}

/* v2 io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." -> Read/Write entries of two kinds. */
static void
io_stat_entries (struct ocirt_jw *w, const char *key, const char *text, const char *rkey, const char *wkey)
{
  bool open = false;

  for (const char *p = text; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    {
      unsigned long long maj, min;
      const char *r, *wv, *nl = strchr (p, '\n');
      if (sscanf (p, "%llu:%llu", &maj, &min) != 2)
        continue;
      r = strstr (p, rkey);
      wv = strstr (p, wkey);
      if (!open)
        {
          ocirt_jw_key (w, key);
          ocirt_jw_arr_open (w);
          open = true;
        }
      for (int i = 0; i < 2; i++)
        {
          const char *f = i == 0 ? r : wv;
          ocirt_jw_obj_open (w);
          kuint_oe (w, "major", maj);
          kuint_oe (w, "minor", min);
          ocirt_jw_kstr (w, "op", i == 0 ? "Read" : "Write");
          kuint_oe (w, "value", f && (!nl || f < nl) ? strtoull (strchr (f, '=') + 1, NULL, 10) : 0);
          ocirt_jw_obj_close (w);
        }
    }
  if (open)
    ocirt_jw_arr_close (w);
}

static void
blkio_stats (struct ocirt_cgroup *cg, struct ocirt_jw *w)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_BLKIO), *v2 = ocirt_cg_hier_v2 (cg);

  ocirt_jw_key (w, "blkio");
  ocirt_jw_obj_open (w);
  if (h != NULL)
    {
      /* CFQ's files, else BFQ's, else the throttle layer's (runc's order). */
      static const char *const prefixes[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };
      for (size_t i = 0; i < 3; i++)
        {
          cleanup_free char *f1 = xfmt ("%sio_service_bytes_recursive", prefixes[i]);
          cleanup_free char *f2 = xfmt ("%sio_serviced_recursive", prefixes[i]);
          cleanup_free char *bytes = rd (h->dir, f1), *ios = NULL;
          if (bytes == NULL)
            continue;
          ios = rd (h->dir, f2);
          blkio_entries (w, "ioServiceBytesRecursive", bytes);
          blkio_entries (w, "ioServicedRecursive", ios);
          break;
        }
    }
  else if (v2 != NULL && (v2->ctrls & CG_BIT (CG_IO)))
    {
      cleanup_free char *st = rd (v2->dir, "io.stat");
      io_stat_entries (w, "ioServiceBytesRecursive", st, "rbytes=", "wbytes=");
      io_stat_entries (w, "ioServicedRecursive", st, "rios=", "wios=");
    }
  ocirt_jw_obj_close (w);
}

/* Page sizes the kernel has, named as the hugetlb files name them ("2MB", "1GB"). */
static void
hugetlb_stats (struct ocirt_cgroup *cg, struct ocirt_jw *w)
{
  struct ocirt_cg_hier *h = ocirt_cg_hier_for (cg, CG_HUGETLB), *v2 = ocirt_cg_hier_v2 (cg);
  cleanup_closedir DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *de;

  ocirt_jw_key (w, "hugetlb");
  ocirt_jw_obj_open (w);
  while (d != NULL && (de = readdir (d)) != NULL)
    {
      unsigned long kb;
      char size[32];
      cleanup_free char *f = NULL;
      if (sscanf (de->d_name, "hugepages-%lukB", &kb) != 1)
        continue;
      if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
        snprintf (size, sizeof size, "%luGB", kb / (1024 * 1024));
      else if (kb >= 1024 && kb % 1024 == 0)
        snprintf (size, sizeof size, "%luMB", kb / 1024);
      else
        snprintf (size, sizeof size, "%luKB", kb);
      if (h != NULL)
        {
          cleanup_free char *u = xfmt ("hugetlb.%s.usage_in_bytes", size);
          cleanup_free char *m = xfmt ("hugetlb.%s.max_usage_in_bytes", size);
          cleanup_free char *fc = xfmt ("hugetlb.%s.failcnt", size);
          ocirt_jw_key (w, size);
          ocirt_jw_obj_open (w);
          kuint_oe (w, "usage", u64 (h->dir, u));
          kuint_oe (w, "max", u64 (h->dir, m));
          ocirt_jw_kuint (w, "failcnt", u64 (h->dir, fc));
          ocirt_jw_obj_close (w);
        }
      else if (v2 != NULL && (f = xfmt ("%s/hugetlb.%s.current", v2->dir, size)) != NULL && access (f, F_OK) == 0)
        {
          cleanup_free char *ev = xfmt ("hugetlb.%s.events", size);
          cleanup_free char *events = rd (v2->dir, ev);
          ocirt_jw_key (w, size);
          ocirt_jw_obj_open (w);
          kuint_oe (w, "usage", u64 (v2->dir, strrchr (f, '/') + 1));
          ocirt_jw_kuint (w, "failcnt", keyed (events, "max"));
          ocirt_jw_obj_close (w);
        }
    }
  ocirt_jw_obj_close (w);
}

int
ocirt_cg_stats_write (struct ocirt_cgroup *cg, struct ocirt_jw *w, struct ocirt_err **err)
{
  for (size_t i = 0; i < cg->n; i++)
    if (access (cg->h[i].dir, F_OK) < 0)
      return ocirt_err_make (err, errno, "read the statistics of cgroup `%s`", cg->h[i].dir);
  ocirt_jw_obj_open (w);
  cpu_stats (cg, w);
  cpuset_stats (cg, w);
  memory_stats (cg, w);
  pids_stats (cg, w);
  blkio_stats (cg, w);
  hugetlb_stats (cg, w);
  ocirt_jw_key (w, "intel_rdt");
  ocirt_jw_obj_open (w);
  ocirt_jw_obj_close (w);
  ocirt_jw_key (w, "network_interfaces");
  ocirt_jw_null (w);
  ocirt_jw_obj_close (w);
  return 0;
}
