/* The model parser and the validator: the spec's own fixtures, ours (tests/fixtures/config:
 * bad/ fail to parse, invalid/ parse but fail validation; each with the exact messages in a
 * .expected file), every value of spec-example.json, the name tables, and speed. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/names.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "tap.h"

#define SPEC_FIXTURES OCIRT_SOURCE_ROOT "/../shared/oci-runtime-spec/schema/test/config"
#define OUR_FIXTURES OCIRT_SOURCE_ROOT "/tests/fixtures/config"

static char *
read_file (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf;
  long n;

  if (f == NULL)
    return NULL;
  fseek (f, 0, SEEK_END);
  n = ftell (f);
  fseek (f, 0, SEEK_SET);
  buf = xmalloc ((size_t) n + 1);
  *len = fread (buf, 1, (size_t) n, f);
  buf[*len] = '\0';
  fclose (f);
  return buf;
}

/* Appends each problem as "config.json: <problem>\n", as `ocirt check` prints them. */
static void
collect (void *ctx, const char *problem)
{
  char **all = ctx;
  char *n = xfmt ("%sconfig.json: %s\n", *all ? *all : "", problem);

  free (*all);
  *all = n;
}

/* What a config gets: the parse error, or every validation problem, one per line. */
static char *
outcome (const char *buf, size_t len, bool at_start)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_spec struct ocirt_spec *s = ocirt_spec_parse (buf, len, "config.json", &err);
  char *all = NULL;

  if (s == NULL)
    return xfmt ("%s\n", err->msg);
  ocirt_spec_validate (s, at_start, collect, &all);
  return all != NULL ? all : xstrdup ("");
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The *.json names of a directory, sorted. */
static char **
list_json (const char *dir, size_t *n)
{
  cleanup_closedir DIR *d = opendir (dir);
  char **names = NULL;
  struct dirent *e;

  *n = 0;
  if (d == NULL)
    return NULL;
  while ((e = readdir (d)) != NULL)
    {
      size_t l = strlen (e->d_name);

      if (l > 5 && strcmp (e->d_name + l - 5, ".json") == 0)
        {
          names = xrealloc (names, (*n + 1) * sizeof *names);
          names[(*n)++] = xstrdup (e->d_name);
        }
    }
  qsort (names, *n, sizeof *names, cmp_str);
  return names;
}

static void
free_names (char **names, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (names[i]);
  free (names);
}

/* ---- the spec's fixtures ---- */

static void
test_spec_fixtures (void)
{
  static const struct
  {
    const char *file, *msg;
  } bad[] = {
    { "invalid-json.json", "config.json: syntax error at line 1, column 2: invalid object key (must be a string)\n" },
    { "linux-hugepage.json", "config.json: linux.resources.hugepageLimits[0].pageSize: invalid page size \"64kB\" "
                             "(expected like 2MB or 1GB) at line 11\n" },
    { "linux-netdevice.json", "config.json: linux.netDevices.eth0.name: expected string at line 9\n" },
    { "linux-rdma.json", "config.json: linux.resources.rdma.mlx5_1.hcaHandles: expected uint32 at line 10\n" },
  };
  struct stat st;
  size_t n = 0;
  char **names;

  if (stat (SPEC_FIXTURES, &st) < 0)
    {
      ok (0, "the spec's fixtures are missing at %s: shared/ must sit beside the source tree (%s)", SPEC_FIXTURES,
          strerror (errno));
      return;
    }
  names = list_json (SPEC_FIXTURES "/good", &n);
  ok (n >= 5, "found %zu good fixtures", n);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = xfmt ("%s/good/%s", SPEC_FIXTURES, names[i]);
      cleanup_free char *buf = NULL;
      cleanup_free char *got = NULL;
      size_t len = 0;

      buf = read_file (path, &len);
      /* only minimal-for-start has what start needs; the others are valid for create */
      got = outcome (buf, len, strcmp (names[i], "minimal-for-start.json") == 0);
      is_str (got, "", "good/%s parses and validates", names[i]);
    }
  free_names (names, n);

  names = list_json (SPEC_FIXTURES "/bad", &n);
  is_int (n, sizeof bad / sizeof bad[0], "every bad fixture has an expected message here");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      cleanup_free char *path = xfmt ("%s/bad/%s", SPEC_FIXTURES, bad[i].file);
      cleanup_free char *buf = NULL;
      cleanup_free char *got = NULL;
      size_t len = 0;

      buf = read_file (path, &len);
      ok (buf != NULL, "read bad/%s", bad[i].file);
      if (buf == NULL)
        continue;
      got = outcome (buf, len, false);
      is_str (got, bad[i].msg, "bad/%s fails with its path and line", bad[i].file);
    }
  free_names (names, n);
}

/* ---- ours ---- */

static void
run_expected_dir (const char *sub, bool parses)
{
  cleanup_free char *dir = xfmt ("%s/%s", OUR_FIXTURES, sub);
  size_t n = 0;
  char **names = list_json (dir, &n);

  ok (n > 0, "%zu fixtures in %s", n, sub);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = xfmt ("%s/%s", dir, names[i]);
      cleanup_free char *exp_path = xfmt ("%s/%.*s.expected", dir, (int) strlen (names[i]) - 5, names[i]);
      cleanup_free char *buf = NULL;
      cleanup_free char *want = NULL;
      cleanup_free char *got = NULL;
      cleanup_err struct ocirt_err *err = NULL;
      cleanup_spec struct ocirt_spec *s = NULL;
      size_t len = 0, wlen = 0;

      buf = read_file (path, &len);
      want = read_file (exp_path, &wlen);
      ok (want != NULL, "%s/%s has a .expected file", sub, names[i]);
      if (buf == NULL || want == NULL)
        continue;
      s = ocirt_spec_parse (buf, len, "config.json", &err);
      ok ((s != NULL) == parses, "%s/%s %s", sub, names[i], parses ? "parses" : "does not parse");
      got = outcome (buf, len, true);
      is_str (got, want, "%s/%s: exact message", sub, names[i]);
    }
  free_names (names, n);
}

static void
test_our_fixtures (void)
{
  run_expected_dir ("bad", false);
  run_expected_dir ("invalid", true);
  run_expected_dir ("good", true);
}

/* ---- every value of spec-example.json ---- */

static void
test_spec_example (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_spec struct ocirt_spec *s = ocirt_spec_parse_file (SPEC_FIXTURES "/good/spec-example.json", &err);
  const struct ocirt_process *p;
  const struct ocirt_linux *l;
  const struct ocirt_resources *r;

  ok (s != NULL, "spec-example.json parses");
  if (s == NULL)
    return;
  p = s->process;
  l = &s->linux_;
  r = &l->resources;
  is_str (s->oci_version, "0.5.0-dev", "ociVersion");
  ok (p != NULL && p->terminal, "process.terminal");
  is_int (p->user.uid, 1, "user.uid");
  is_int (p->user.gid, 1, "user.gid");
  ok (!p->user.has_umask, "no umask");
  ok (p->user.n_additional_gids == 2 && p->user.additional_gids[0] == 5 && p->user.additional_gids[1] == 6,
      "additionalGids");
  ok (p->n_args == 1 && strcmp (p->args[0], "sh") == 0 && p->args[1] == NULL, "args, NULL-terminated");
  ok (p->n_env == 2 && strcmp (p->env[1], "TERM=xterm") == 0 && p->env[2] == NULL, "env");
  is_str (p->cwd, "/", "cwd");
  ok (p->has_capabilities, "capabilities");
  ok (p->capabilities.n_bounding == 3 && strcmp (p->capabilities.bounding[2], "CAP_NET_BIND_SERVICE") == 0,
      "bounding");
  ok (p->capabilities.n_permitted == 3 && p->capabilities.n_inheritable == 3, "permitted, inheritable");
  ok (p->capabilities.n_effective == 2 && strcmp (p->capabilities.effective[1], "CAP_KILL") == 0, "effective");
  ok (p->capabilities.n_ambient == 1 && p->capabilities.has_ambient, "ambient");
  ok (p->n_rlimits == 2 && strcmp (p->rlimits[1].type, "RLIMIT_NOFILE") == 0 && p->rlimits[1].soft == 1024
          && p->rlimits[1].hard == 1024,
      "rlimits");
  is_str (p->apparmor_profile, "acme_secure_profile", "apparmorProfile");
  is_str (p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675", "selinuxLabel");
  ok (p->no_new_privileges, "noNewPrivileges");
  ok (!p->has_oom_score_adj && !p->has_scheduler && !p->has_io_priority && !p->has_console_size,
      "absent optionals stay unset");
  is_str (s->root_path, "rootfs", "root.path");
  ok (s->root_readonly, "root.readonly");
  is_str (s->hostname, "slartibartfast", "hostname");
  is_str (s->domainname, "foobarbaz.test", "domainname");
  is_int (s->n_mounts, 7, "mounts");
  is_str (s->mounts[6].destination, "/sys/fs/cgroup", "mounts[6].destination");
  is_str (s->mounts[6].type, "cgroup", "mounts[6].type");
  is_str (s->mounts[6].source, "cgroup", "mounts[6].source");
  ok (s->mounts[6].n_options == 5 && strcmp (s->mounts[6].options[4], "ro") == 0, "mounts[6].options");
  ok (s->mounts[0].options == NULL && s->mounts[0].n_options == 0, "absent options");
  ok (s->has_hooks, "hooks");
  is_int (s->hooks.n[OCIRT_HOOK_PRESTART], 2, "prestart");
  is_str (s->hooks.list[OCIRT_HOOK_PRESTART][0].path, "/usr/bin/fix-mounts", "prestart[0].path");
  ok (s->hooks.list[OCIRT_HOOK_PRESTART][0].n_args == 3 && s->hooks.list[OCIRT_HOOK_PRESTART][0].n_env == 1,
      "prestart[0] args and env");
  is_int (s->hooks.n[OCIRT_HOOK_CREATE_RUNTIME], 2, "createRuntime");
  is_int (s->hooks.n[OCIRT_HOOK_CREATE_CONTAINER], 1, "createContainer");
  is_str (s->hooks.list[OCIRT_HOOK_START_CONTAINER][0].path, "/usr/bin/refresh-ldcache", "startContainer");
  ok (s->hooks.list[OCIRT_HOOK_POSTSTART][0].has_timeout && s->hooks.list[OCIRT_HOOK_POSTSTART][0].timeout == 5,
      "poststart timeout");
  is_str (s->hooks.list[OCIRT_HOOK_POSTSTOP][0].args[1], "-f", "poststop args");
  ok (s->n_annotations == 2 && strcmp (s->annotations[0].key, "com.example.key1") == 0
          && strcmp (s->annotations[1].value, "value2") == 0,
      "annotations");
  ok (s->has_linux, "linux");
  is_int (l->n_devices, 2, "devices");
  ok (l->devices[0].type == 'c' && strcmp (l->devices[0].path, "/dev/fuse") == 0 && l->devices[0].major == 10
          && l->devices[0].minor == 229 && l->devices[0].file_mode == 438 && l->devices[0].has_uid
          && l->devices[0].uid == 0,
      "devices[0]");
  ok (l->devices[1].type == 'b' && l->devices[1].file_mode == 432, "devices[1]");
  ok (l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 1000 && l->uid_mappings[0].size == 32000, "uidMappings");
  ok (l->n_gid_mappings == 1 && l->gid_mappings[0].container_id == 0, "gidMappings");
  ok (l->n_sysctl == 2 && strcmp (l->sysctl[0].key, "net.ipv4.ip_forward") == 0 && strcmp (l->sysctl[1].value, "256") == 0,
      "sysctl");
  is_str (l->cgroups_path, "/myRuntime/myContainer", "cgroupsPath");
  ok (l->has_resources, "resources");
  ok (r->has_network && r->has_class_id && r->class_id == 1048577, "network.classID");
  ok (r->n_net_priorities == 2 && strcmp (r->net_priorities[1].name, "eth1") == 0 && r->net_priorities[1].priority == 1000,
      "network.priorities");
  ok (r->has_pids && r->pids_limit == 32771, "pids.limit");
  ok (r->n_hugepage_limits == 2 && strcmp (r->hugepage_limits[0].page_size, "2MB") == 0
          && r->hugepage_limits[0].limit == 9223372036854772000ULL && r->hugepage_limits[1].limit == 1000000,
      "hugepageLimits");
  ok (r->has_memory && r->memory.has_limit && r->memory.limit == 536870912 && r->memory.reservation == 536870912
          && r->memory.swap == 536870912 && r->memory.kernel == -1 && r->memory.kernel_tcp == -1
          && r->memory.has_swappiness && r->memory.swappiness == 0 && r->memory.has_disable_oom_killer
          && !r->memory.disable_oom_killer && r->memory.has_use_hierarchy && r->memory.has_check_before_update,
      "memory");
  ok (r->has_cpu && r->cpu.shares == 1024 && r->cpu.quota == 1000000 && r->cpu.burst == 1000000
          && r->cpu.period == 500000 && r->cpu.realtime_runtime == 950000 && r->cpu.realtime_period == 1000000
          && strcmp (r->cpu.cpus, "2-3") == 0 && strcmp (r->cpu.mems, "0-7") == 0 && !r->cpu.has_idle,
      "cpu");
  ok (r->n_devices == 3 && !r->devices[0].allow && r->devices[0].type == 0 && !r->devices[0].has_major
          && strcmp (r->devices[0].access, "rwm") == 0 && r->devices[1].allow && r->devices[1].type == 'c'
          && r->devices[1].major == 10 && r->devices[1].minor == 229 && r->devices[2].type == 'b',
      "devices cgroup rules");
  ok (r->has_blkio && r->blkio.weight == 10 && r->blkio.leaf_weight == 10 && r->blkio.n_weight_device == 2
          && r->blkio.weight_device[0].leaf_weight == 300 && !r->blkio.weight_device[1].has_leaf_weight
          && r->blkio.weight_device[1].minor == 16,
      "blockIO weights");
  ok (r->blkio.n_throttle_read_bps == 1 && r->blkio.throttle_read_bps[0].rate == 600 && r->blkio.n_throttle_write_iops == 1
          && r->blkio.throttle_write_iops[0].rate == 300 && r->blkio.n_throttle_write_bps == 0,
      "blockIO throttles");
  is_str (l->rootfs_propagation, "slave", "rootfsPropagation");
  ok (l->has_seccomp && strcmp (l->seccomp.default_action, "SCMP_ACT_ALLOW") == 0 && l->seccomp.n_architectures == 2
          && strcmp (l->seccomp.architectures[1], "SCMP_ARCH_X32") == 0,
      "seccomp");
  ok (l->seccomp.n_syscalls == 1 && l->seccomp.syscalls[0].n_names == 2
          && strcmp (l->seccomp.syscalls[0].names[1], "chmod") == 0
          && strcmp (l->seccomp.syscalls[0].action, "SCMP_ACT_ERRNO") == 0 && !l->seccomp.syscalls[0].has_errno_ret,
      "seccomp.syscalls");
  ok (l->has_time_offsets && l->has_monotonic && l->monotonic_secs == 172800 && l->has_boottime
          && l->boottime_secs == 604800 && l->boottime_nsecs == 0,
      "timeOffsets");
  is_int (l->n_namespaces, 8, "namespaces");
  ok (l->namespaces[0].type == OCIRT_NS_PID && l->namespaces[4].type == OCIRT_NS_MOUNT
          && l->namespaces[7].type == OCIRT_NS_TIME && l->namespaces[0].path == NULL,
      "namespace types");
  ok (l->n_masked_paths == 4 && strcmp (l->masked_paths[3], "/proc/sched_debug") == 0, "maskedPaths");
  ok (l->n_readonly_paths == 6 && strcmp (l->readonly_paths[5], "/proc/sysrq-trigger") == 0, "readonlyPaths");
  is_str (l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811", "mountLabel");

  /* lines of values, for messages raised later */
  is_int (ocirt_spec_line (s, s), 1, "line of the document");
  is_int (ocirt_spec_line (s, p), 3, "line of process");
  is_int (ocirt_spec_line (s, p->cwd), 20, "line of a string");
  is_int (ocirt_spec_line (s, p->args), 13, "line of a string array");
  is_int (ocirt_spec_line (s, &p->user), 5, "line of an embedded object");
  is_int (ocirt_spec_line (s, &p->user.gid), 7, "line of a scalar");
  is_int (ocirt_spec_line (s, &s->mounts[1]), 73, "line of an array element");
  is_int (ocirt_spec_line (s, &s->root_path), 61, "line of a flattened object (root)");
  is_int (ocirt_spec_line (s, &r->has_pids), 263, "line of a flattened object (pids)");
  is_int (ocirt_spec_line (s, &r->pids_limit), 264, "line of a scalar in a flattened object");
  is_int (ocirt_spec_line (s, &r->memory.limit), 278, "line of a deep scalar");
  is_int (ocirt_spec_line (s, "not in the spec"), 0, "unknown pointer: 0");
}

/* ---- other features of the walker ---- */

static void
test_walker (void)
{
  static const char text[] = "{\n"
                             "  \"ociVersion\": \"1.2.0\", \"future\": {\"x\": [1, {\"y\": 2}]},\n"
                             "  \"root\": {\"path\": \"/abs/rootfs\", \"unknown\": 1},\n"
                             "  \"mounts\": null,\n"
                             "  \"process\": {\"cwd\": \"/\", \"args\": [\"a\", \"\"], \"env\": [], \"newField\": true,\n"
                             "    \"user\": {\"uid\": 4294967295, \"gid\": 0, \"umask\": 18},\n"
                             "    \"consoleSize\": {\"height\": 24, \"width\": 80},\n"
                             "    \"oomScoreAdj\": -1000, \"scheduler\": {\"policy\": \"SCHED_IDLE\", \"nice\": -20,"
                             " \"priority\": 0, \"runtime\": 18446744073709551615},\n"
                             "    \"ioPriority\": {\"class\": \"IOPRIO_CLASS_IDLE\", \"priority\": 7},\n"
                             "    \"execCPUAffinity\": {\"initial\": \"0-1\", \"final\": \"0\"}},\n"
                             "  \"linux\": {\"resources\": {\"memory\": {\"limit\": -9223372036854775808},"
                             " \"unified\": {\"memory.high\": \"max\"}, \"rdma\": {\"mlx\": {\"hcaHandles\": 4294967295}}},\n"
                             "    \"netDevices\": {\"eth0\": {}}, \"intelRdt\": {\"closID\": \"c\", \"schemata\": [\"L3:0=f\"],"
                             " \"enableMonitoring\": true},\n"
                             "    \"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0\", \"flags\": [\"MPOL_F_STATIC_NODES\"]},\n"
                             "    \"personality\": {\"domain\": \"LINUX32\", \"flags\": []},\n"
                             "    \"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"defaultErrnoRet\": 1, \"listenerPath\": "
                             "\"/run/l.sock\", \"listenerMetadata\": \"m\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],"
                             " \"syscalls\": [{\"names\": [\"x\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38,"
                             " \"args\": [{\"index\": 5, \"value\": 18446744073709551615, \"valueTwo\": 1, \"op\": "
                             "\"SCMP_CMP_MASKED_EQ\"}]}]},\n"
                             "    \"namespaces\": [{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}]}\n"
                             "}\n";
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_spec struct ocirt_spec *s = ocirt_spec_parse (text, sizeof text - 1, "config.json", &err);
  cleanup_free char *problems = NULL;
  const struct ocirt_process *p;
  const struct ocirt_linux *l;

  ok (s != NULL, "unknown keys at every depth are ignored, null is absent%s%s", err ? ": " : "", err ? err->msg : "");
  if (s == NULL)
    return;
  p = s->process;
  l = &s->linux_;
  ok (s->mounts == NULL && s->n_mounts == 0, "mounts: null is no mounts");
  ok (p->n_args == 2 && p->args[1][0] == '\0', "an empty string argument");
  ok (p->env != NULL && p->n_env == 0 && p->env[0] == NULL, "an empty env is present and empty");
  is_int (p->user.uid, 4294967295U, "uint32 max");
  ok (p->user.has_umask && p->user.umask == 18, "umask");
  ok (p->has_console_size && p->console_height == 24 && p->console_width == 80, "consoleSize");
  ok (p->has_oom_score_adj && p->oom_score_adj == -1000, "oomScoreAdj");
  ok (p->has_scheduler && strcmp (p->scheduler.policy, "SCHED_IDLE") == 0 && p->scheduler.has_nice
          && p->scheduler.nice == -20 && p->scheduler.has_priority && p->scheduler.runtime == UINT64_MAX,
      "scheduler");
  ok (p->has_io_priority && strcmp (p->io_priority_class, "IOPRIO_CLASS_IDLE") == 0 && p->io_priority == 7,
      "ioPriority");
  ok (strcmp (p->exec_cpu_affinity_initial, "0-1") == 0 && strcmp (p->exec_cpu_affinity_final, "0") == 0,
      "execCPUAffinity");
  ok (l->resources.memory.limit == INT64_MIN, "int64 min");
  ok (l->resources.n_unified == 1 && strcmp (l->resources.unified[0].key, "memory.high") == 0, "unified");
  ok (l->resources.n_rdma == 1 && strcmp (l->resources.rdma[0].device, "mlx") == 0 && l->resources.rdma[0].has_hca_handles
          && l->resources.rdma[0].hca_handles == UINT32_MAX && !l->resources.rdma[0].has_hca_objects,
      "rdma keyed by device");
  ok (l->n_net_devices == 1 && strcmp (l->net_devices[0].host_name, "eth0") == 0 && l->net_devices[0].name == NULL,
      "netDevices keyed by host name");
  ok (l->has_intel_rdt && strcmp (l->intel_rdt.clos_id, "c") == 0 && l->intel_rdt.n_schemata == 1
          && l->intel_rdt.enable_monitoring,
      "intelRdt");
  ok (l->has_memory_policy && strcmp (l->memory_policy_mode, "MPOL_BIND") == 0 && l->n_memory_policy_flags == 1,
      "memoryPolicy");
  ok (l->has_personality && strcmp (l->personality_domain, "LINUX32") == 0 && l->n_personality_flags == 0,
      "personality");
  ok (l->seccomp.has_default_errno_ret && l->seccomp.default_errno_ret == 1
          && strcmp (l->seccomp.listener_path, "/run/l.sock") == 0 && strcmp (l->seccomp.listener_metadata, "m") == 0
          && l->seccomp.n_flags == 1,
      "seccomp top");
  ok (l->seccomp.syscalls[0].has_errno_ret && l->seccomp.syscalls[0].errno_ret == 38
          && l->seccomp.syscalls[0].args[0].index == 5 && l->seccomp.syscalls[0].args[0].value == UINT64_MAX
          && l->seccomp.syscalls[0].args[0].value_two == 1
          && strcmp (l->seccomp.syscalls[0].args[0].op, "SCMP_CMP_MASKED_EQ") == 0,
      "seccomp rule and arg");
  ok (l->namespaces[0].type == OCIRT_NS_NETWORK && strcmp (l->namespaces[0].path, "/proc/1/ns/net") == 0,
      "namespace with a path");
  is_int (ocirt_spec_validate (s, true, collect, &problems), 0, "and it validates%s%s", problems ? ": " : "",
          problems ? problems : "");
}

static void
test_bare_objects (void)
{
  static const char proc[] = "{\n  \"cwd\": \"/\",\n  \"args\": \"sh\"\n}";
  static const char proc_ok[] = "{\"cwd\": \"/w\", \"args\": [\"sh\"], \"terminal\": true}";
  static const char res[] = "{\n  \"memory\": {\"limit\": \"1G\"}\n}";
  static const char res_ok[] = "{\"memory\": {\"limit\": 1048576}, \"pids\": {\"limit\": -1}}";
  cleanup_err struct ocirt_err *e1 = NULL;
  cleanup_err struct ocirt_err *e2 = NULL;
  cleanup_err struct ocirt_err *e3 = NULL;
  struct ocirt_process *p;
  struct ocirt_resources *r;

  ok (ocirt_process_parse (proc, sizeof proc - 1, "process.json", &e1) == NULL, "bad process fails");
  is_str (e1 ? e1->msg : NULL, "process.json: process.args: expected array of strings at line 3",
          "process paths start at process.");
  p = ocirt_process_parse (proc_ok, sizeof proc_ok - 1, NULL, &e3);
  ok (p != NULL && p->terminal && strcmp (p->cwd, "/w") == 0 && p->n_args == 1, "process parses");
  is_int (ocirt_process_check (p, "process.json", &e3), 0, "and checks");
  ocirt_process_free (p);
  {
    static const char bad[] = "{\"cwd\": \"w\", \"args\": [\"sh\"],\n"
                              "\"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}";
    static const char one[] = "{\"cwd\": \"/\", \"args\": []}";
    cleanup_err struct ocirt_err *e4 = NULL;
    cleanup_err struct ocirt_err *e5 = NULL;
    struct ocirt_process *bp = ocirt_process_parse (bad, sizeof bad - 1, "process.json", &e4);
    struct ocirt_process *op = ocirt_process_parse (one, sizeof one - 1, "process.json", &e4);

    is_int (ocirt_process_check (bp, "process.json", &e4), -1, "a bad process fails the check");
    is_str (e4 ? e4->msg : NULL, "process.json: process.cwd: must be an absolute path, got \"w\" (and more problems)",
            "first problem, no line");
    is_int (ocirt_process_check (op, NULL, &e5), -1, "empty args fail");
    is_str (e5 ? e5->msg : NULL, "process.json: process.args: must not be empty", "args message");
    ocirt_process_free (bp);
    ocirt_process_free (op);
  }
  ok (ocirt_resources_parse (res, sizeof res - 1, "resources.json", &e2) == NULL, "bad resources fail");
  is_str (e2 ? e2->msg : NULL, "resources.json: linux.resources.memory.limit: expected int64 at line 2",
          "resources paths start at linux.resources.");
  r = ocirt_resources_parse (res_ok, sizeof res_ok - 1, NULL, &e3);
  ok (r != NULL && r->has_memory && r->memory.limit == 1048576 && r->has_pids && r->pids_limit == -1,
      "resources parse");
  ocirt_resources_free (r);
  ocirt_process_free (NULL);
  ocirt_resources_free (NULL);
  ocirt_spec_free (NULL);
}

static void
test_check_error (void)
{
  static const char text[] = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"},\n"
                             "\"process\": {\"cwd\": \"rel\", \"args\": []}}";
  static const char text_ok[] = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}}";
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_err struct ocirt_err *err2 = NULL;
  cleanup_err struct ocirt_err *err3 = NULL;
  cleanup_spec struct ocirt_spec *s = ocirt_spec_parse (text, sizeof text - 1, NULL, &err);
  cleanup_spec struct ocirt_spec *s2 = ocirt_spec_parse (text_ok, sizeof text_ok - 1, NULL, &err);

  is_int (ocirt_spec_check (s, true, &err2), -1, "check fails");
  is_str (err2 ? err2->msg : NULL,
          "config.json: process.cwd: must be an absolute path, got \"rel\" at line 2 (and 1 more problems: run `ocirt check`)",
          "the first problem, and how many more");
  is_int (ocirt_spec_check (s2, false, &err3), 0, "no process is fine at create");
  is_int (ocirt_spec_check (s2, true, &err3), -1, "but not at start");
  is_str (err3 ? err3->msg : NULL, "config.json: process: required field missing (start needs it) at line 1",
          "with a message");
}

static void
test_semver (void)
{
  static const struct
  {
    const char *v;
    bool good;
  } cases[] = {
    { "1.0.0", true },        { "1.0.2-dev", true },   { "0.5.0-dev", true }, { "1.3.0-rc.1+build.5", true },
    { "10.20.30", true },     { "1.0.0+20130313", true }, { "1.0", false },   { "01.0.0", false },
    { "1.0.0-", false },      { "1.0.0+", false },     { "1.0.0-a..b", false }, { "1.0.0-a.", false },
    { "v1.0.0", false },      { "1.0.0 ", false },     { "", false },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_free char *doc = xfmt ("{\"ociVersion\": \"%s\", \"root\": {\"path\": \"r\"}}", cases[i].v);
      cleanup_free char *got = outcome (doc, strlen (doc), false);
      cleanup_free char *want
          = cases[i].good ? xstrdup ("")
                          : xfmt ("config.json: ociVersion: \"%s\" is not a SemVer 2.0.0 version at line 1\n", cases[i].v);

      is_str (got, want, "ociVersion \"%s\" is %s", cases[i].v, cases[i].good ? "valid" : "refused");
    }
}

/* ---- names ---- */

static void
test_names (void)
{
  bool all = true;

  for (int i = 0; i <= OCIRT_CAPABILITY_LAST; i++)
    if (ocirt_capability_from_name (ocirt_capability_name (i)) != i)
      all = false;
  ok (all, "every capability name round-trips");
  is_int (ocirt_capability_from_name ("CAP_CHECKPOINT_RESTORE"), 40, "CAP_CHECKPOINT_RESTORE");
  is_int (ocirt_capability_from_name ("CAP_SYS_ADMIN"), 21, "CAP_SYS_ADMIN");
  is_int (ocirt_capability_from_name ("cap_net_raw"), 13, "any case, as runc");
  is_int (ocirt_capability_from_name ("CAP_FOO"), -1, "unknown");
  is_int (ocirt_capability_from_name ("NET_RAW"), -1, "the prefix is needed");
  ok (ocirt_capability_name (41) == NULL && ocirt_capability_name (-1) == NULL, "out of range");

  is_int (ocirt_signal_from_name ("KILL"), SIGKILL, "KILL");
  is_int (ocirt_signal_from_name ("SIGTERM"), SIGTERM, "SIGTERM");
  is_int (ocirt_signal_from_name ("sigusr1"), SIGUSR1, "any case");
  is_int (ocirt_signal_from_name ("9"), 9, "a number");
  is_int (ocirt_signal_from_name ("64"), 64, "the highest number");
  is_int (ocirt_signal_from_name ("65"), -1, "too high");
  is_int (ocirt_signal_from_name ("0"), -1, "zero");
  is_int (ocirt_signal_from_name ("-9"), -1, "negative");
  is_int (ocirt_signal_from_name ("SIGRTMIN+2"), SIGRTMIN + 2, "RTMIN+n");
  is_int (ocirt_signal_from_name ("RTMAX-1"), SIGRTMAX - 1, "RTMAX-n");
  is_int (ocirt_signal_from_name ("RTMAX+1"), -1, "past RTMAX");
  is_int (ocirt_signal_from_name ("SIGFOO"), -1, "unknown");
  is_int (ocirt_signal_from_name (""), -1, "empty");
  is_int (ocirt_signal_from_name ("IOT"), SIGABRT, "aliases");
  is_str (ocirt_signal_name (SIGKILL), "SIGKILL", "name of 9");
  ok (ocirt_signal_name (40) == NULL, "real-time signals have no name");

  is_int (ocirt_rlimit_resource ("RLIMIT_NOFILE"), RLIMIT_NOFILE, "RLIMIT_NOFILE");
  is_int (ocirt_rlimit_resource ("RLIMIT_RTTIME"), RLIMIT_RTTIME, "RLIMIT_RTTIME");
  is_int (ocirt_rlimit_resource ("RLIMIT_FOO"), -1, "unknown rlimit");
  is_str (ocirt_rlimit_type_name (RLIMIT_AS), "RLIMIT_AS", "rlimit name");

  is_int (ocirt_ns_type_from_name ("network"), OCIRT_NS_NETWORK, "namespace network");
  is_int (ocirt_ns_type_from_name ("net"), -1, "the spec's names only");
  is_str (ocirt_ns_type_name (OCIRT_NS_MOUNT), "mount", "mount");
  is_str (ocirt_ns_proc_name (OCIRT_NS_MOUNT), "mnt", "/proc name of mount");
  is_int (ocirt_ns_clone_flag (OCIRT_NS_TIME), 0x80, "CLONE_NEWTIME");
  is_str (ocirt_hook_kind_name (OCIRT_HOOK_CREATE_CONTAINER), "createContainer", "hook kind names");
  is_int (ocirt_name_index (ocirt_seccomp_action_names, "SCMP_ACT_KILL_THREAD"), 2, "seccomp action list");
  is_int (ocirt_name_index (ocirt_rootfs_propagation_names, "rslave"), 5, "propagation list");
}

/* ---- size and speed ---- */

static double
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

#if defined(__SANITIZE_ADDRESS__)
#define SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW_BUILD 1
#endif
#endif
#ifndef SLOW_BUILD
#define SLOW_BUILD 0
#endif

static void
test_speed (void)
{
  size_t len = 0;
  cleanup_free char *buf = read_file (OUR_FIXTURES "/good/runc-default.json", &len);
  const int rounds = 2000;
  double best = 1e9;

  ok (buf != NULL, "runc's default config is a fixture");
  if (buf == NULL)
    return;
  /* best of five batches: the machine may be busy with other builds */
  for (int batch = 0; batch < 5; batch++)
    {
      double t0 = now_us (), per;

      for (int i = 0; i < rounds; i++)
        {
          struct ocirt_err *err = NULL;
          struct ocirt_spec *s = ocirt_spec_parse (buf, len, "config.json", &err);

          if (s == NULL || ocirt_spec_validate (s, true, NULL, NULL) != 0)
            abort ();
          ocirt_spec_free (s);
        }
      per = (now_us () - t0) / rounds;
      if (per < best)
        best = per;
    }
  printf ("# runc's default config.json (%zu bytes): parse + validate + free in %.1f us\n", len, best);
  ok (best < (SLOW_BUILD ? 1000 : 100), "well under 100 us (%.1f us)", best);
}

static void
test_huge (void)
{
  size_t cap = 100000 * 40 + 256, n = 0;
  cleanup_free char *t = xmalloc (cap);
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_spec struct ocirt_spec *s = NULL;
  double t0, ms;

  n += (size_t) sprintf (t + n, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},\n"
                                "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], \"env\": [\n");
  for (int i = 0; i < 100000; i++)
    n += (size_t) sprintf (t + n, "%s\"VARIABLE_%d=value-%d\"\n", i ? "," : "", i, i);
  n += (size_t) sprintf (t + n, "]}}\n");
  t0 = now_us ();
  s = ocirt_spec_parse (t, n, "config.json", &err);
  ms = (now_us () - t0) / 1000;
  printf ("# 100k env entries (%zu bytes): parsed in %.1f ms\n", n, ms);
  ok (s != NULL && s->process->n_env == 100000 && strcmp (s->process->env[99999], "VARIABLE_99999=value-99999") == 0,
      "100k env entries land in the struct");
  ok (ms < (SLOW_BUILD ? 5000 : 500), "fast (%.1f ms)", ms);
  is_int (s != NULL ? ocirt_spec_line (s, s->process->env[99999]) : 0, 100002, "and keep their lines");

  /* deep nesting inside a value the model ignores still hits the reader's limit */
  {
    size_t m = 0;
    cleanup_free char *d = xmalloc (100000 + 64);
    cleanup_err struct ocirt_err *e2 = NULL;

    m += (size_t) sprintf (d, "{\"future\": ");
    for (int i = 0; i < 50000; i++)
      d[m++] = '[';
    d[m] = '\0';
    ok (ocirt_spec_parse (d, m, "config.json", &e2) == NULL, "50000 levels refused");
    is_str (e2 ? e2->msg : NULL, "config.json: nesting deeper than 200 levels at line 1", "with the limit's message");
  }
}

int
main (void)
{
  test_spec_fixtures ();
  test_our_fixtures ();
  test_spec_example ();
  test_walker ();
  test_bare_objects ();
  test_check_error ();
  test_semver ();
  test_names ();
  test_huge ();
  test_speed ();
  return done_testing ();
}
