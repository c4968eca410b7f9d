/* Device access rules: the list a container gets, their cgroup v1 text, and on cgroup v2 a
 * BPF_PROG_TYPE_CGROUP_DEVICE program built from them and attached with raw bpf(2) calls.
 *
 * Semantics (v1's, which the spec describes): rules apply in order on top of what the parent
 * allows (everything, for a fresh cgroup), so for one access the LAST rule that matches decides.
 * The eBPF program checks the rules from last to first and returns at the first match. */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"

/* runc's default allowed devices (libcontainer/specconv AllowedDevices, without tun/tap which
 * runc 1.2 dropped): mknod of anything, and the standard /dev nodes every container has. */
static const struct ocirt_device_rule default_rules[] = {
  { .allow = true, .type = 'c', .access = (char *) "m" },
  { .allow = true, .type = 'b', .access = (char *) "m" },
  { .allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 3, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 8, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 7, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 5, .has_minor = true, .minor = 0, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 5, .has_minor = true, .minor = 1, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 5, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 9, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 136, .access = (char *) "rwm" },
  { .allow = true, .type = 'c', .has_major = true, .major = 5, .has_minor = true, .minor = 2, .access = (char *) "rwm" },
};
#define N_DEFAULT (sizeof default_rules / sizeof default_rules[0])

static void
copy_rule (struct ocirt_device_rule *dst, const struct ocirt_device_rule *src)
{
  *dst = *src;
  dst->access = src->access ? xstrdup (src->access) : NULL;
}

struct ocirt_device_rule *
ocirt_cg_device_rules (const struct ocirt_spec *spec, size_t *n)
{
  const struct ocirt_linux *l = spec && spec->has_linux ? &spec->linux_ : NULL;
  size_t n_spec = l && l->has_resources ? l->resources.n_devices : 0;
  size_t n_dev = l ? l->n_devices : 0;
  struct ocirt_device_rule *r = xzalloc ((n_spec + N_DEFAULT + n_dev + 1) * sizeof *r);
  size_t k = 0;

  /* Order as runc: the spec's rules, then the defaults, then one allow per linux.devices node. */
  for (size_t i = 0; i < n_spec; i++)
    copy_rule (&r[k++], &l->resources.devices[i]);
  for (size_t i = 0; i < N_DEFAULT; i++)
    copy_rule (&r[k++], &default_rules[i]);
  for (size_t i = 0; i < n_dev; i++)
    {
      const struct ocirt_device *d = &l->devices[i];
      if (d->type != 'c' && d->type != 'u' && d->type != 'b')
        continue; /* fifos are not device-cgroup objects */
      r[k] = (struct ocirt_device_rule) { .allow = true, .type = d->type == 'b' ? 'b' : 'c', .has_major = true,
                                          .major = d->major, .has_minor = true, .minor = d->minor,
                                          .access = xstrdup ("rwm") };
      k++;
    }
  *n = k;
  return r;
}

void
ocirt_cg_rules_free (struct ocirt_device_rule *rules, size_t n)
{
  if (rules == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free (rules[i].access);
  free (rules);
}

int
ocirt_cg_rule_check (const struct ocirt_device_rule *r, size_t index, struct ocirt_err **err)
{
  if (r->type != 0 && r->type != 'a' && r->type != 'c' && r->type != 'b')
    return ocirt_err_make (err, 0, "linux.resources.devices[%zu].type: invalid device type `%c`: expected a, c or b",
                           index, r->type);
  if (r->access != NULL)
    for (const char *p = r->access; *p; p++)
      if (*p != 'r' && *p != 'w' && *p != 'm')
        return ocirt_err_make (err, 0,
                               "linux.resources.devices[%zu].access: invalid access `%s`: expected letters of rwm",
                               index, r->access);
  if ((r->has_major && r->major < -1) || (r->has_minor && r->minor < -1) || (r->has_major && r->major > UINT32_MAX)
      || (r->has_minor && r->minor > UINT32_MAX))
    return ocirt_err_make (err, 0, "linux.resources.devices[%zu]: invalid major/minor number", index);
  return 0;
}

static bool
is_wild (bool has, int64_t v)
{
  return !has || v < 0;
}

static const char *
access_or_all (const struct ocirt_device_rule *r)
{
  return r->access == NULL || r->access[0] == '\0' ? "rwm" : r->access;
}

char *
ocirt_cg_rule_v1_text (const struct ocirt_device_rule *r)
{
  char maj[24], min[24];
  char type = r->type == 0 ? 'a' : r->type;

  if (type == 'a')
    return xfmt ("a *:* %s", access_or_all (r));
  if (is_wild (r->has_major, r->major))
    strcpy (maj, "*");
  else
    snprintf (maj, sizeof maj, "%" PRId64, r->major);
  if (is_wild (r->has_minor, r->minor))
    strcpy (min, "*");
  else
    snprintf (min, sizeof min, "%" PRId64, r->minor);
  return xfmt ("%c %s:%s %s", type, maj, min, access_or_all (r));
}

static unsigned
access_mask (const char *a)
{
  unsigned m = 0;

  for (; *a; a++)
    m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  return m;
}

static bool
rule_matches (const struct ocirt_device_rule *r, char type, int64_t major, int64_t minor, unsigned acc)
{
  char t = r->type == 0 ? 'a' : r->type;

  if ((acc & ~access_mask (access_or_all (r))) != 0)
    return false;
  if (t == 'a')
    return true;
  if (t != type)
    return false;
  if (!is_wild (r->has_major, r->major) && r->major != major)
    return false;
  return is_wild (r->has_minor, r->minor) || r->minor == minor;
}

bool
ocirt_cg_rules_allow (const struct ocirt_device_rule *rules, size_t n, char type, int64_t major, int64_t minor,
                      char access)
{
  char a[2] = { access, 0 };
  unsigned acc = access_mask (a);

  for (size_t i = n; i-- > 0;)
    if (rule_matches (&rules[i], type, major, minor, acc))
      return rules[i].allow;
  return true;
}

/* eBPF emission. Registers: r1 ctx, r2 access_type, r3 device type, r4 access, r5 major, r6 minor,
 * r7 scratch. */
struct emit
{
  struct bpf_insn *i;
  size_t n;
};

static void
put (struct emit *e, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  e->i = xrealloc (e->i, (e->n + 1) * sizeof *e->i);
  e->i[e->n++] = (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* Instructions one rule's block takes, to compute its jump offsets up front. */
static size_t
rule_len (const struct ocirt_device_rule *r)
{
  char t = r->type == 0 ? 'a' : r->type;
  size_t n = 2; /* mov r0; exit */

  if (t == 'a')
    return n + (access_mask (access_or_all (r)) != 7 ? 3 : 0);
  n += 1;
  if (access_mask (access_or_all (r)) != 7)
    n += 3;
  if (!is_wild (r->has_major, r->major))
    n++;
  if (!is_wild (r->has_minor, r->minor))
    n++;
  return n;
}

static void
emit_rule (struct emit *e, const struct ocirt_device_rule *r)
{
  char t = r->type == 0 ? 'a' : r->type;
  size_t start = e->n, len = rule_len (r);
  unsigned mask = access_mask (access_or_all (r));
/* offset from the next instruction to the end of this block */
#define SKIP ((int16_t) (start + len - (e->n + 1)))

  if (t != 'a')
    put (e, BPF_JMP32 | BPF_JNE | BPF_K, 3, 0, SKIP, t == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  if (mask != 7)
    {
      put (e, BPF_ALU | BPF_MOV | BPF_X, 7, 4, 0, 0);
      put (e, BPF_ALU | BPF_AND | BPF_K, 7, 0, 0, (int32_t) (~mask & 7));
      put (e, BPF_JMP32 | BPF_JNE | BPF_K, 7, 0, SKIP, 0);
    }
  if (t != 'a' && !is_wild (r->has_major, r->major))
    put (e, BPF_JMP32 | BPF_JNE | BPF_K, 5, 0, SKIP, (int32_t) r->major);
  if (t != 'a' && !is_wild (r->has_minor, r->minor))
    put (e, BPF_JMP32 | BPF_JNE | BPF_K, 6, 0, SKIP, (int32_t) r->minor);
  put (e, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
  put (e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
#undef SKIP
}

int
ocirt_cg_bpf_build (const struct ocirt_device_rule *rules, size_t n_rules, struct ocirt_cg_bpf *out,
                    struct ocirt_err **err)
{
  struct emit e = { 0 };
  bool complete = false;

  for (size_t i = 0; i < n_rules; i++)
    if (ocirt_cg_rule_check (&rules[i], i, err) < 0)
      return -1;
  put (&e, BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);                 /* r2 = ctx->access_type */
  put (&e, BPF_ALU | BPF_MOV | BPF_X, 3, 2, 0, 0);                 /* r3 = r2 & 0xffff: type */
  put (&e, BPF_ALU | BPF_AND | BPF_K, 3, 0, 0, 0xffff);
  put (&e, BPF_ALU | BPF_MOV | BPF_X, 4, 2, 0, 0);                 /* r4 = r2 >> 16: access */
  put (&e, BPF_ALU | BPF_RSH | BPF_K, 4, 0, 0, 16);
  put (&e, BPF_LDX | BPF_W | BPF_MEM, 5, 1, 4, 0);                 /* r5 = ctx->major */
  put (&e, BPF_LDX | BPF_W | BPF_MEM, 6, 1, 8, 0);                 /* r6 = ctx->minor */
  for (size_t i = n_rules; i-- > 0 && !complete;)
    {
      emit_rule (&e, &rules[i]);
      /* A rule matching every access ends the program: the verifier rejects unreachable code. */
      complete = (rules[i].type == 0 || rules[i].type == 'a') && access_mask (access_or_all (&rules[i])) == 7;
    }
  if (!complete)
    {
      put (&e, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1); /* no rule matched: allowed, as in a fresh v1 cgroup */
      put (&e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
  out->insns = e.i;
  out->n = e.n;
  return 0;
}

void
ocirt_cg_bpf_clear (struct ocirt_cg_bpf *p)
{
  free (p->insns);
  p->insns = NULL;
  p->n = 0;
}

static int
sys_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
prog_load (const struct ocirt_cg_bpf *p, struct ocirt_err **err)
{
  union bpf_attr a;
  char log[4096] = "";
  int fd;

  memset (&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) p->insns;
  a.insn_cnt = (uint32_t) p->n;
  a.license = (uint64_t) (uintptr_t) "Apache-2.0";
  a.log_buf = (uint64_t) (uintptr_t) log;
  a.log_size = sizeof log;
  a.log_level = 1;
  fd = sys_bpf (BPF_PROG_LOAD, &a);
  if (fd < 0 && errno == ENOSPC)
    {
      /* The verifier's log did not fit: load again without it, to get the real error. */
      memset (&a, 0, sizeof a);
      a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
      a.insns = (uint64_t) (uintptr_t) p->insns;
      a.insn_cnt = (uint32_t) p->n;
      a.license = (uint64_t) (uintptr_t) "Apache-2.0";
      fd = sys_bpf (BPF_PROG_LOAD, &a);
    }
  if (fd < 0)
    return ocirt_err_make (err, errno, "load the eBPF device program (%zu instructions)%s%s", p->n,
                           log[0] ? "; verifier: " : "", log);
  return fd;
}

/* Ids of the device programs attached to this cgroup itself (not inherited). */
static int
prog_query (int dirfd, uint32_t *ids, uint32_t *n, struct ocirt_err **err)
{
  union bpf_attr a;

  memset (&a, 0, sizeof a);
  a.query.target_fd = (uint32_t) dirfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t) (uintptr_t) ids;
  a.query.prog_cnt = *n;
  if (sys_bpf (BPF_PROG_QUERY, &a) < 0)
    return ocirt_err_make (err, errno, "query the eBPF device programs of the cgroup");
  *n = a.query.prog_cnt;
  return 0;
}

int
ocirt_cg_bpf_attach (int dirfd, const struct ocirt_cg_bpf *p, struct ocirt_err **err)
{
  cleanup_close int prog = -1;
  uint32_t ids[64], n_ids = 64;
  int old[64];
  union bpf_attr a;
  size_t n_old = 0;
  int ret = 0;

  if (prog_query (dirfd, ids, &n_ids, err) < 0)
    return -1;
  prog = prog_load (p, err);
  if (prog < 0)
    return -1;
  for (uint32_t i = 0; i < n_ids && i < 64; i++)
    {
      memset (&a, 0, sizeof a);
      a.prog_id = ids[i];
      old[n_old] = sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
      if (old[n_old] >= 0)
        n_old++;
    }
  memset (&a, 0, sizeof a);
  a.target_fd = (uint32_t) dirfd;
  a.attach_bpf_fd = (uint32_t) prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (n_old == 1)
    {
      /* One program of ours already: swap it atomically, no window without rules. */
      a.attach_flags |= BPF_F_REPLACE;
      a.replace_bpf_fd = (uint32_t) old[0];
    }
  if (sys_bpf (BPF_PROG_ATTACH, &a) < 0)
    ret = ocirt_err_make (err, errno, "attach the eBPF device program to the cgroup");
  for (size_t i = 0; i < n_old; i++)
    {
      if (ret == 0 && n_old > 1)
        {
          memset (&a, 0, sizeof a);
          a.target_fd = (uint32_t) dirfd;
          a.attach_bpf_fd = (uint32_t) old[i];
          a.attach_type = BPF_CGROUP_DEVICE;
          if (sys_bpf (BPF_PROG_DETACH, &a) < 0)
            log_warning ("detach an old eBPF device program: %s", strerror (errno));
        }
      close (old[i]);
    }
  return ret;
}
