/* ocirt update [options] ID: change the resource limits of a live container, with runc's flags
 * or a linux.resources JSON (--resources FILE, or - for stdin, as containerd sends it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ocirt/cgroup.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/ocirt.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "opts.h"

static char *
read_all (FILE *f, size_t *len)
{
  size_t cap = 4096, n = 0, r;
  char *buf = xmalloc (cap);

  while ((r = fread (buf + n, 1, cap - n, f)) > 0)
    {
      n += r;
      if (n == cap)
        buf = xrealloc (buf, cap *= 2);
    }
  *len = n;
  return buf;
}

static struct ocirt_resources *
resources_from (const char *in, struct ocirt_err **err)
{
  cleanup_fclose FILE *f = NULL;
  cleanup_free char *buf = NULL;
  size_t len;

  if (strcmp (in, "-") != 0 && (f = fopen (in, "re")) == NULL)
    {
      ocirt_err_make (err, errno, "open `%s`", in);
      return NULL;
    }
  buf = read_all (f ? f : stdin, &len);
  return ocirt_resources_parse (buf, len, strcmp (in, "-") == 0 ? "stdin" : in, err);
}

int
cmd_update (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err)
{
  struct ocirt_update_flags f = { 0 };
  const char *resources = NULL;
  const struct opt opts[] = {
    { "resources", 'r', OPT_STRING, &resources },
    { "memory", 0, OPT_STRING, &f.memory },
    { "memory-swap", 0, OPT_STRING, &f.memory_swap },
    { "memory-reservation", 0, OPT_STRING, &f.memory_reservation },
    { "kernel-memory", 0, OPT_STRING, &f.kernel_memory },
    { "kernel-memory-tcp", 0, OPT_STRING, &f.kernel_memory_tcp },
    { "cpu-share", 0, OPT_STRING, &f.cpu_share },
    { "cpu-shares", 0, OPT_STRING, &f.cpu_share },
    { "cpu-period", 0, OPT_STRING, &f.cpu_period },
    { "cpu-quota", 0, OPT_STRING, &f.cpu_quota },
    { "cpu-burst", 0, OPT_STRING, &f.cpu_burst },
    { "cpu-rt-period", 0, OPT_STRING, &f.cpu_rt_period },
    { "cpu-rt-runtime", 0, OPT_STRING, &f.cpu_rt_runtime },
    { "cpu-idle", 0, OPT_STRING, &f.cpu_idle },
    { "cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus },
    { "cpuset-mems", 0, OPT_STRING, &f.cpuset_mems },
    { "pids-limit", 0, OPT_STRING, &f.pids_limit },
    { "blkio-weight", 0, OPT_STRING, &f.blkio_weight },
    { "l3-cache-schema", 0, OPT_STRING, &f.l3_cache_schema },
    { "mem-bw-schema", 0, OPT_STRING, &f.mem_bw_schema },
  };
  const struct opt_cmd cmd = {
    .name = "update",
    .usage = "update [options] ID",
    .help = "Update the resource limits of container ID.\n\n"
            "Options:\n"
            "  -r, --resources FILE       linux.resources as JSON from FILE, or - for stdin (all other\n"
            "                             options are then ignored, as runc)\n"
            "  --memory SIZE              memory limit (512m, 1g, ...; -1 for none)\n"
            "  --memory-swap SIZE         memory+swap limit (-1 for unlimited swap)\n"
            "  --memory-reservation SIZE  soft limit\n"
            "  --cpu-share N              CPU shares (relative weight)\n"
            "  --cpu-period US            CFS period\n"
            "  --cpu-quota US             CFS quota per period (-1 for none)\n"
            "  --cpu-burst US             CFS burst\n"
            "  --cpu-rt-period US         real-time period\n"
            "  --cpu-rt-runtime US        real-time runtime per period\n"
            "  --cpu-idle 0|1             SCHED_IDLE for the cgroup\n"
            "  --cpuset-cpus LIST         CPUs to run on (0-3,7)\n"
            "  --cpuset-mems LIST         memory nodes to use\n"
            "  --pids-limit N             maximum number of processes (-1 for none)\n"
            "  --blkio-weight N           block IO weight, 10 to 1000\n"
            "  --kernel-memory, --kernel-memory-tcp  ignored, as runc\n"
            "  --l3-cache-schema, --mem-bw-schema    Intel RDT schemata (needs resctrl)\n",
    .opts = opts,
    .n_opts = sizeof opts / sizeof opts[0],
  };
  cleanup_free char **pos = NULL;
  struct ocirt_resources *res;
  size_t n_pos = 0;
  int r;

  r = opts_parse_n (&cmd, argc, argv, 1, 1, &pos, &n_pos, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  res = resources ? resources_from (resources, err) : ocirt_update_flags_to_resources (&f, err);
  if (res == NULL)
    return -1;
  r = ocirt_container_update (ctx, pos[0], res, err);
  ocirt_resources_free (res);
  return r < 0 ? -1 : 0;
}
