/* The model parser: a table-driven walk from the JSON tree (json.c) to the structs of spec.h.
 *
 * Each JSON object has a table of fields (key, kind, offsets into its struct). The same tables
 * drive ocirt_*_free, so a field added to a table is parsed and freed without further code.
 * Errors name the JSON path and the line: `config.json: process.args: expected array of strings
 * at line 12`. Unknown keys are ignored (forward compatibility, config.md); null counts as
 * absent, as Go clients write null for empty slices.
 *
 * Lines: every string is keyed in the line table by its pointer, every other scalar by its
 * address, struct array elements and embedded objects by their address. Objects the model
 * flattens into their parent (root, process.consoleSize, .ioPriority, .execCPUAffinity,
 * resources.pids, .network, linux.timeOffsets and its two members, .memoryPolicy, .personality)
 * are keyed by the address of their has_ flag (&r->has_pids), or when they have none, of their
 * first field (&s->root_path, &p->exec_cpu_affinity_initial). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/spec.h"
#include "ocirt/xalloc.h"
#include "spec-internal.h"

enum kind
{
  K_STR,
  K_BOOL,
  K_I64,
  K_U64,
  K_U32,
  K_I32,
  K_U16,
  K_STRV, /* array of strings: char ** at off, NULL-terminated, count at count */
  K_U32V, /* array of uint32: uint32_t * at off, count at count */
  K_OBJ,  /* object embedded in the struct at off */
  K_FLAT, /* object whose fields live in the parent struct itself; off keys its line */
  K_OBJP, /* object allocated separately, pointer at off */
  K_ARR,  /* array of objects: pointer at off, count at count */
  K_KARR, /* object of objects keyed by name (netDevices, rdma): like K_ARR, key into sub->key */
  K_MAP,  /* object of strings: struct ocirt_keyval * at off, count at count */
  K_FN,   /* custom conversion */
};

#define NONE ((ptrdiff_t) -1)
#define OFF(T, m) ((ptrdiff_t) offsetof (T, m))

struct walk;
struct field;
typedef int (*field_fn) (struct walk *w, struct ocirt_json *v, char *base, const struct field *f);

struct table
{
  const struct field *fields;
  size_t n;
  size_t size;    /* sizeof the struct, for arrays and K_OBJP */
  ptrdiff_t line; /* offset of an `unsigned line` member, or NONE */
  ptrdiff_t key;  /* K_KARR elements: offset of the char * receiving the key */
};

struct field
{
  const char *key;
  enum kind kind;
  bool required;
  ptrdiff_t off, count, has; /* has: offset of a bool set when the key is present, or NONE */
  const struct table *sub;
  field_fn fn;
};

#define F(k, kind, req, off, count, has, sub, fn) { k, kind, req, off, count, has, sub, fn }
#define F_STR(T, k, m) F (k, K_STR, false, OFF (T, m), NONE, NONE, NULL, NULL)
#define F_STR_REQ(T, k, m) F (k, K_STR, true, OFF (T, m), NONE, NONE, NULL, NULL)
#define F_BOOL(T, k, m) F (k, K_BOOL, false, OFF (T, m), NONE, NONE, NULL, NULL)
#define F_BOOL_HAS(T, k, m) F (k, K_BOOL, false, OFF (T, m), NONE, OFF (T, has_##m), NULL, NULL)
#define F_BOOL_REQ(T, k, m) F (k, K_BOOL, true, OFF (T, m), NONE, NONE, NULL, NULL)
#define F_INT(T, k, kind, m) F (k, kind, false, OFF (T, m), NONE, NONE, NULL, NULL)
#define F_INT_HAS(T, k, kind, m) F (k, kind, false, OFF (T, m), NONE, OFF (T, has_##m), NULL, NULL)
#define F_INT_HAS2(T, k, kind, m, h) F (k, kind, false, OFF (T, m), NONE, OFF (T, h), NULL, NULL)
#define F_INT_REQ(T, k, kind, m) F (k, kind, true, OFF (T, m), NONE, NONE, NULL, NULL)
#define F_STRV(T, k, m) F (k, K_STRV, false, OFF (T, m), OFF (T, n_##m), NONE, NULL, NULL)
#define F_STRV_HAS(T, k, m) F (k, K_STRV, false, OFF (T, m), OFF (T, n_##m), OFF (T, has_##m), NULL, NULL)
#define F_STRV_REQ(T, k, m) F (k, K_STRV, true, OFF (T, m), OFF (T, n_##m), NONE, NULL, NULL)
#define F_OBJ(T, k, m, has, sub) F (k, K_OBJ, false, OFF (T, m), NONE, has, sub, NULL)
#define F_FLAT(T, k, key, has, sub) F (k, K_FLAT, false, OFF (T, key), NONE, has, sub, NULL)
#define F_ARR(T, k, m, sub) F (k, K_ARR, false, OFF (T, m), OFF (T, n_##m), NONE, sub, NULL)
#define F_KARR(T, k, m, sub) F (k, K_KARR, false, OFF (T, m), OFF (T, n_##m), NONE, sub, NULL)
#define F_MAP(T, k, m) F (k, K_MAP, false, OFF (T, m), OFF (T, n_##m), NONE, NULL, NULL)
#define F_FN(T, k, req, m, fn) F (k, K_FN, req, OFF (T, m), NONE, NONE, NULL, fn)

#define N_OF(a) (sizeof (a) / sizeof (a)[0])
#define TABLE(name, T, line) static const struct table name = { name##_f, N_OF (name##_f), sizeof (T), line, NONE }
#define TABLE_KEYED(name, T, key)                                                                   \
  static const struct table name = { name##_f, N_OF (name##_f), sizeof (T), NONE, OFF (T, key) }

struct walk
{
  const char *name;
  struct path_buf path;
  struct ocirt_spec_lines *lines; /* NULL: not recorded */
  struct ocirt_err **err;
};

#define AT(base, off, type) ((type *) (void *) ((base) + (off)))

static int fail (struct walk *w, unsigned line, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
fail (struct walk *w, unsigned line, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (w->path.len > 0)
    return ocirt_err_make (w->err, 0, "%s: %s: %s at line %u", w->name, path_text (&w->path), msg, line);
  return ocirt_err_make (w->err, 0, "%s: %s at line %u", w->name, msg, line);
}

/* ---- scalars ---- */

static int
take_string (struct walk *w, struct ocirt_json *v, char **out)
{
  if (v->type != OCIRT_JSON_STRING)
    return fail (w, v->line, "expected string");
  /* C strings end at the first NUL: a hidden one would silently cut a path or an argument */
  if (strlen (v->str) != v->len)
    return fail (w, v->line, "string contains a NUL character");
  *out = xmalloc (v->len + 1);
  memcpy (*out, v->str, v->len + 1);
  lines_put (w->lines, *out, v->line);
  return 0;
}

struct int_range
{
  const char *name;
  bool is_signed;
  uint64_t max;     /* largest magnitude of a positive value */
  uint64_t neg_max; /* largest magnitude of a negative value */
};

static const struct int_range ranges[] = {
  [K_I64] = { "int64", true, INT64_MAX, (uint64_t) INT64_MAX + 1 },
  [K_U64] = { "uint64", false, UINT64_MAX, 0 },
  [K_U32] = { "uint32", false, UINT32_MAX, 0 },
  [K_I32] = { "int32", true, INT32_MAX, (uint64_t) INT32_MAX + 1 },
  [K_U16] = { "uint16", false, UINT16_MAX, 0 },
};

/* Converts the number's text with an explicit range check: no detour through double, so
 * 18446744073709551615 and -9223372036854775808 are exact and 4294967296 is not a uint32. */
static int
take_int (struct walk *w, const struct ocirt_json *v, enum kind kind, void *out)
{
  const struct int_range *r = &ranges[kind];
  const char *s = v->str;
  bool neg = false;
  uint64_t mag = 0;

  if (v->type != OCIRT_JSON_NUMBER)
    return fail (w, v->line, "expected %s", r->name);
  if (*s == '-')
    neg = true, s++;
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9')
      return fail (w, v->line, "%s is not an integer (expected %s)", v->str, r->name);
  for (; *s; s++)
    {
      unsigned d = (unsigned) (*s - '0');

      if (mag > (UINT64_MAX - d) / 10)
        return fail (w, v->line, "%s is out of range for %s", v->str, r->name);
      mag = mag * 10 + d;
    }
  if ((neg && mag > r->neg_max) || (!neg && mag > r->max))
    return fail (w, v->line, "%s is out of range for %s", v->str, r->name);
  switch (kind)
    {
    case K_I64:
      *(int64_t *) out = neg ? (int64_t) (0 - mag) : (int64_t) mag;
      break;
    case K_U64:
      *(uint64_t *) out = mag;
      break;
    case K_U32:
      *(uint32_t *) out = (uint32_t) mag;
      break;
    case K_I32:
      *(int32_t *) out = neg ? (int32_t) (0 - (int64_t) mag) : (int32_t) mag;
      break;
    case K_U16:
      *(uint16_t *) out = (uint16_t) mag;
      break;
    default:
      abort ();
    }
  return 0;
}

static int
take_strv (struct walk *w, struct ocirt_json *v, char ***out, size_t *n)
{
  char **arr;

  if (v->type != OCIRT_JSON_ARRAY)
    return fail (w, v->line, "expected array of strings");
  arr = xzalloc ((v->len + 1) * sizeof *arr);
  *out = arr;
  *n = 0;
  lines_put (w->lines, arr, v->line);
  for (size_t i = 0; i < v->len; i++)
    {
      size_t old = path_index (&w->path, i);

      if (take_string (w, v->items[i], &arr[i]) < 0)
        return -1;
      *n = i + 1;
      path_cut (&w->path, old);
    }
  return 0;
}

static int
take_u32v (struct walk *w, struct ocirt_json *v, uint32_t **out, size_t *n)
{
  uint32_t *arr;

  if (v->type != OCIRT_JSON_ARRAY)
    return fail (w, v->line, "expected array of uint32");
  arr = xzalloc ((v->len + 1) * sizeof *arr);
  *out = arr;
  *n = v->len;
  lines_put (w->lines, arr, v->line);
  for (size_t i = 0; i < v->len; i++)
    {
      size_t old = path_index (&w->path, i);

      if (take_int (w, v->items[i], K_U32, &arr[i]) < 0)
        return -1;
      path_cut (&w->path, old);
    }
  return 0;
}

static int
take_map (struct walk *w, struct ocirt_json *v, struct ocirt_keyval **out, size_t *n)
{
  struct ocirt_keyval *kv;

  if (v->type != OCIRT_JSON_OBJECT)
    return fail (w, v->line, "expected object of strings");
  kv = v->len > 0 ? xzalloc (v->len * sizeof *kv) : NULL;
  *out = kv;
  *n = 0;
  for (size_t i = 0; i < v->len; i++)
    {
      size_t old = path_key (&w->path, v->keys[i]);

      if (take_string (w, v->items[i], &kv[i].value) < 0)
        return -1;
      kv[i].key = xstrdup (v->keys[i]);
      *n = i + 1;
      lines_put (w->lines, kv[i].key, v->items[i]->line);
      lines_put (w->lines, &kv[i], v->items[i]->line);
      path_cut (&w->path, old);
    }
  return 0;
}

/* ---- objects ---- */

static int walk_object (struct walk *w, struct ocirt_json *v, const struct table *t, char *base);

/* The field of t named key, NULL when the table has none (an unknown key: ignored). */
static const struct field *
field_of (const struct table *t, const char *key, size_t *index)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->fields[i].key[0] == key[0] && strcmp (t->fields[i].key, key) == 0)
      {
        *index = i;
        return &t->fields[i];
      }
  return NULL;
}

static void
set_has (char *base, const struct field *f)
{
  if (f->has != NONE)
    *AT (base, f->has, bool) = true;
}

static int
take_array (struct walk *w, struct ocirt_json *v, char *base, const struct field *f)
{
  const struct table *t = f->sub;
  bool keyed = f->kind == K_KARR;
  char *arr;

  if (v->type != (keyed ? OCIRT_JSON_OBJECT : OCIRT_JSON_ARRAY))
    return fail (w, v->line, keyed ? "expected object" : "expected array");
  arr = v->len > 0 ? xzalloc (v->len * t->size) : NULL;
  *AT (base, f->off, char *) = arr;
  *AT (base, f->count, size_t) = 0;
  for (size_t i = 0; i < v->len; i++)
    {
      char *elem = arr + i * t->size;
      size_t old = keyed ? path_key (&w->path, v->keys[i]) : path_index (&w->path, i);

      /* counted before it is filled, so that a failure frees what the element got so far */
      *AT (base, f->count, size_t) = i + 1;
      if (keyed)
        {
          *AT (elem, t->key, char *) = xstrdup (v->keys[i]);
          lines_put (w->lines, *AT (elem, t->key, char *), v->items[i]->line);
        }
      if (walk_object (w, v->items[i], t, elem) < 0)
        return -1;
      lines_put (w->lines, elem, v->items[i]->line);
      path_cut (&w->path, old);
    }
  return 0;
}

static int
walk_field (struct walk *w, const struct field *f, struct ocirt_json *v, char *base)
{
  /* scalars are keyed by their address; at offset 0 that is their struct's, keyed already */
  if (f->kind <= K_U16 && f->kind != K_STR && f->off != 0)
    lines_put (w->lines, base + f->off, v->line);
  if (f->kind == K_FN && f->off != 0)
    lines_put (w->lines, base + f->off, v->line);
  switch (f->kind)
    {
    case K_STR:
      return take_string (w, v, AT (base, f->off, char *));
    case K_BOOL:
      if (v->type != OCIRT_JSON_BOOL)
        return fail (w, v->line, "expected boolean");
      *AT (base, f->off, bool) = v->boolean;
      return 0;
    case K_I64:
    case K_U64:
    case K_U32:
    case K_I32:
    case K_U16:
      return take_int (w, v, f->kind, base + f->off);
    case K_STRV:
      return take_strv (w, v, AT (base, f->off, char **), AT (base, f->count, size_t));
    case K_U32V:
      return take_u32v (w, v, AT (base, f->off, uint32_t *), AT (base, f->count, size_t));
    case K_OBJ:
      lines_put (w->lines, base + f->off, v->line);
      return walk_object (w, v, f->sub, base + f->off);
    case K_FLAT:
      lines_put (w->lines, base + f->off, v->line);
      return walk_object (w, v, f->sub, base);
    case K_OBJP:
      {
        char *p = xzalloc (f->sub->size);

        *AT (base, f->off, char *) = p;
        lines_put (w->lines, p, v->line);
        return walk_object (w, v, f->sub, p);
      }
    case K_ARR:
    case K_KARR:
      return take_array (w, v, base, f);
    case K_MAP:
      return take_map (w, v, AT (base, f->off, struct ocirt_keyval *), AT (base, f->count, size_t));
    case K_FN:
      return f->fn (w, v, base, f);
    }
  abort ();
}

static int
walk_object (struct walk *w, struct ocirt_json *v, const struct table *t, char *base)
{
  uint64_t seen = 0;

  if (v->type != OCIRT_JSON_OBJECT)
    return fail (w, v->line, "expected object");
  if (t->line != NONE)
    *AT (base, t->line, unsigned) = v->line;
  /* the document's keys drive the walk: absent fields cost nothing */
  for (size_t i = 0; i < v->len; i++)
    {
      struct ocirt_json *m = v->items[i];
      size_t index = 0, old;
      const struct field *f = field_of (t, v->keys[i], &index);
      int r;

      if (f == NULL || m->type == OCIRT_JSON_NULL)
        continue;
      seen |= (uint64_t) 1 << index;
      old = path_key (&w->path, f->key);
      r = walk_field (w, f, m, base);
      path_cut (&w->path, old);
      if (r < 0)
        return -1;
      set_has (base, f);
    }
  for (size_t i = 0; i < t->n; i++)
    if (t->fields[i].required && !(seen & ((uint64_t) 1 << i)))
      {
        path_key (&w->path, t->fields[i].key);
        return fail (w, v->line, "required field missing");
      }
  return 0;
}

/* ---- custom fields ---- */

static int
take_ns_type (struct walk *w, struct ocirt_json *v, char *base, const struct field *f)
{
  cleanup_free char *s = NULL;
  int t;

  if (take_string (w, v, &s) < 0)
    return -1;
  t = ocirt_ns_type_from_name (s);
  if (t < 0)
    return fail (w, v->line, "unknown namespace \"%s\"", s);
  *AT (base, f->off, enum ocirt_ns_type) = (enum ocirt_ns_type) t;
  return 0;
}

/* A one-letter type (devices[].type, resources.devices[].type). Which letters are allowed is
 * validate.c's business, so that `check` reports it with the other problems. */
static int
take_type_char (struct walk *w, struct ocirt_json *v, char *base, const struct field *f)
{
  if (v->type != OCIRT_JSON_STRING)
    return fail (w, v->line, "expected string");
  if (v->len != 1)
    return fail (w, v->line, "unknown device type \"%s\"", v->str);
  *AT (base, f->off, char) = v->str[0];
  return 0;
}

/* ---- the tables, innermost first ---- */

#define T struct ocirt_id_mapping
static const struct field idmap_f[] = {
  F_INT_REQ (T, "containerID", K_U32, container_id),
  F_INT_REQ (T, "hostID", K_U32, host_id),
  F_INT_REQ (T, "size", K_U32, size),
};
TABLE (idmap, T, NONE);
#undef T

#define T struct ocirt_mount
static const struct field mount_f[] = {
  F_STR_REQ (T, "destination", destination),
  F_STR (T, "source", source),
  F_STR (T, "type", type),
  F_STRV (T, "options", options),
  F_ARR (T, "uidMappings", uid_mappings, &idmap),
  F_ARR (T, "gidMappings", gid_mappings, &idmap),
};
TABLE (mount, T, OFF (T, line));
#undef T

#define T struct ocirt_rlimit
static const struct field rlimit_f[] = {
  F_STR_REQ (T, "type", type),
  F_INT_REQ (T, "soft", K_U64, soft),
  F_INT_REQ (T, "hard", K_U64, hard),
};
TABLE (rlimit, T, OFF (T, line));
#undef T

#define T struct ocirt_capabilities
static const struct field caps_f[] = {
  F_STRV_HAS (T, "bounding", bounding),   F_STRV_HAS (T, "effective", effective),
  F_STRV_HAS (T, "inheritable", inheritable), F_STRV_HAS (T, "permitted", permitted),
  F_STRV_HAS (T, "ambient", ambient),
};
TABLE (caps, T, NONE);
#undef T

#define T struct ocirt_user
static const struct field user_f[] = {
  F_INT (T, "uid", K_U32, uid),
  F_INT (T, "gid", K_U32, gid),
  F_INT_HAS (T, "umask", K_U32, umask),
  F (
      "additionalGids", K_U32V, false, OFF (T, additional_gids), OFF (T, n_additional_gids), NONE, NULL, NULL),
};
TABLE (user, T, NONE);
#undef T

#define T struct ocirt_scheduler
static const struct field sched_f[] = {
  F_STR_REQ (T, "policy", policy),
  F_INT_HAS (T, "nice", K_I32, nice),
  F_INT_HAS (T, "priority", K_I32, priority),
  F_STRV (T, "flags", flags),
  F_INT (T, "runtime", K_U64, runtime),
  F_INT (T, "deadline", K_U64, deadline),
  F_INT (T, "period", K_U64, period),
};
TABLE (sched, T, NONE);
#undef T

#define T struct ocirt_process
static const struct field console_f[] = {
  F_INT_REQ (T, "height", K_U32, console_height),
  F_INT_REQ (T, "width", K_U32, console_width),
};
TABLE (console, T, NONE);

static const struct field ioprio_f[] = {
  F_STR_REQ (T, "class", io_priority_class),
  F_INT (T, "priority", K_I32, io_priority),
};
TABLE (ioprio, T, NONE);

static const struct field affinity_f[] = {
  F_STR (T, "initial", exec_cpu_affinity_initial),
  F_STR (T, "final", exec_cpu_affinity_final),
};
TABLE (affinity, T, NONE);

static const struct field process_f[] = {
  F_BOOL (T, "terminal", terminal),
  F_FLAT (T, "consoleSize", has_console_size, OFF (T, has_console_size), &console),
  F_OBJ (T, "user", user, NONE, &user),
  F_STRV (T, "args", args),
  F_STRV (T, "env", env),
  F_STR (T, "cwd", cwd),
  F_OBJ (T, "capabilities", capabilities, OFF (T, has_capabilities), &caps),
  F_ARR (T, "rlimits", rlimits, &rlimit),
  F_BOOL (T, "noNewPrivileges", no_new_privileges),
  F_STR (T, "apparmorProfile", apparmor_profile),
  F_STR (T, "selinuxLabel", selinux_label),
  F_INT_HAS (T, "oomScoreAdj", K_I32, oom_score_adj),
  F_OBJ (T, "scheduler", scheduler, OFF (T, has_scheduler), &sched),
  F_FLAT (T, "ioPriority", has_io_priority, OFF (T, has_io_priority), &ioprio),
  F_FLAT (T, "execCPUAffinity", exec_cpu_affinity_initial, NONE, &affinity),
};
TABLE (process, T, OFF (T, line));
#undef T

#define T struct ocirt_hook
static const struct field hook_f[] = {
  F_STR_REQ (T, "path", path),
  F_STRV (T, "args", args),
  F_STRV (T, "env", env),
  F_INT_HAS (T, "timeout", K_I64, timeout),
};
TABLE (hook, T, NONE);
#undef T

#define T struct ocirt_hooks
#define F_HOOK(k, kind)                                                                             \
  F (k, K_ARR, false, OFF (T, list[kind]), OFF (T, n[kind]), NONE, &hook, NULL)
static const struct field hooks_f[] = {
  F_HOOK ("prestart", OCIRT_HOOK_PRESTART),
  F_HOOK ("createRuntime", OCIRT_HOOK_CREATE_RUNTIME),
  F_HOOK ("createContainer", OCIRT_HOOK_CREATE_CONTAINER),
  F_HOOK ("startContainer", OCIRT_HOOK_START_CONTAINER),
  F_HOOK ("poststart", OCIRT_HOOK_POSTSTART),
  F_HOOK ("poststop", OCIRT_HOOK_POSTSTOP),
};
TABLE (hooks, T, NONE);
#undef F_HOOK
#undef T

#define T struct ocirt_namespace
static const struct field ns_f[] = {
  F_FN (T, "type", true, type, take_ns_type),
  F_STR (T, "path", path),
};
TABLE (ns, T, OFF (T, line));
#undef T

#define T struct ocirt_device
static const struct field device_f[] = {
  F_FN (T, "type", true, type, take_type_char),
  F_STR_REQ (T, "path", path),
  F_INT (T, "major", K_I64, major),
  F_INT (T, "minor", K_I64, minor),
  F_INT_HAS (T, "fileMode", K_U32, file_mode),
  F_INT_HAS (T, "uid", K_U32, uid),
  F_INT_HAS (T, "gid", K_U32, gid),
};
TABLE (device, T, OFF (T, line));
#undef T

#define T struct ocirt_device_rule
static const struct field rule_f[] = {
  F_BOOL_REQ (T, "allow", allow),
  F_FN (T, "type", false, type, take_type_char),
  F_INT_HAS (T, "major", K_I64, major),
  F_INT_HAS (T, "minor", K_I64, minor),
  F_STR (T, "access", access),
};
TABLE (rule, T, NONE);
#undef T

#define T struct ocirt_memory
static const struct field memory_f[] = {
  F_INT_HAS (T, "limit", K_I64, limit),
  F_INT_HAS (T, "reservation", K_I64, reservation),
  F_INT_HAS (T, "swap", K_I64, swap),
  F_INT_HAS (T, "kernel", K_I64, kernel),
  F_INT_HAS (T, "kernelTCP", K_I64, kernel_tcp),
  F_INT_HAS (T, "swappiness", K_U64, swappiness),
  F_BOOL_HAS (T, "disableOOMKiller", disable_oom_killer),
  F_BOOL_HAS (T, "useHierarchy", use_hierarchy),
  F_BOOL_HAS (T, "checkBeforeUpdate", check_before_update),
};
TABLE (memory, T, NONE);
#undef T

#define T struct ocirt_cpu
static const struct field cpu_f[] = {
  F_INT_HAS (T, "shares", K_U64, shares),
  F_INT_HAS (T, "quota", K_I64, quota),
  F_INT_HAS (T, "burst", K_U64, burst),
  F_INT_HAS (T, "period", K_U64, period),
  F_INT_HAS (T, "realtimeRuntime", K_I64, realtime_runtime),
  F_INT_HAS (T, "realtimePeriod", K_U64, realtime_period),
  F_INT_HAS (T, "idle", K_I64, idle),
  F_STR (T, "cpus", cpus),
  F_STR (T, "mems", mems),
};
TABLE (cpu, T, NONE);
#undef T

#define T struct ocirt_weight_device
static const struct field wdev_f[] = {
  F_INT_REQ (T, "major", K_I64, major),
  F_INT_REQ (T, "minor", K_I64, minor),
  F_INT_HAS (T, "weight", K_U16, weight),
  F_INT_HAS (T, "leafWeight", K_U16, leaf_weight),
};
TABLE (wdev, T, NONE);
#undef T

#define T struct ocirt_throttle_device
static const struct field tdev_f[] = {
  F_INT_REQ (T, "major", K_I64, major),
  F_INT_REQ (T, "minor", K_I64, minor),
  F_INT (T, "rate", K_U64, rate),
};
TABLE (tdev, T, NONE);
#undef T

#define T struct ocirt_blkio
static const struct field blkio_f[] = {
  F_INT_HAS (T, "weight", K_U16, weight),
  F_INT_HAS (T, "leafWeight", K_U16, leaf_weight),
  F_ARR (T, "weightDevice", weight_device, &wdev),
  F_ARR (T, "throttleReadBpsDevice", throttle_read_bps, &tdev),
  F_ARR (T, "throttleWriteBpsDevice", throttle_write_bps, &tdev),
  F_ARR (T, "throttleReadIOPSDevice", throttle_read_iops, &tdev),
  F_ARR (T, "throttleWriteIOPSDevice", throttle_write_iops, &tdev),
};
TABLE (blkio, T, NONE);
#undef T

#define T struct ocirt_hugepage_limit
static const struct field hugepage_f[] = {
  F_STR_REQ (T, "pageSize", page_size),
  F_INT_REQ (T, "limit", K_U64, limit),
};
TABLE (hugepage, T, NONE);
#undef T

#define T struct ocirt_net_priority
static const struct field netprio_f[] = {
  F_STR_REQ (T, "name", name),
  F_INT_REQ (T, "priority", K_U32, priority),
};
TABLE (netprio, T, NONE);
#undef T

#define T struct ocirt_rdma_limit
static const struct field rdma_f[] = {
  F_INT_HAS (T, "hcaHandles", K_U32, hca_handles),
  F_INT_HAS (T, "hcaObjects", K_U32, hca_objects),
};
TABLE_KEYED (rdma, T, device);
#undef T

#define T struct ocirt_resources
static const struct field pids_f[] = {
  F_INT_REQ (T, "limit", K_I64, pids_limit),
};
TABLE (pids, T, NONE);

static const struct field network_f[] = {
  F_INT_HAS (T, "classID", K_U32, class_id),
  F_ARR (T, "priorities", net_priorities, &netprio),
};
TABLE (network, T, NONE);

static const struct field resources_f[] = {
  F_ARR (T, "devices", devices, &rule),
  F_OBJ (T, "memory", memory, OFF (T, has_memory), &memory),
  F_OBJ (T, "cpu", cpu, OFF (T, has_cpu), &cpu),
  F_FLAT (T, "pids", has_pids, OFF (T, has_pids), &pids),
  F_OBJ (T, "blockIO", blkio, OFF (T, has_blkio), &blkio),
  F_ARR (T, "hugepageLimits", hugepage_limits, &hugepage),
  F_FLAT (T, "network", has_network, OFF (T, has_network), &network),
  F_KARR (T, "rdma", rdma, &rdma),
  F_MAP (T, "unified", unified),
};
TABLE (resources, T, NONE);
#undef T

#define T struct ocirt_seccomp_arg
static const struct field scarg_f[] = {
  F_INT_REQ (T, "index", K_U32, index),
  F_INT_REQ (T, "value", K_U64, value),
  F_INT (T, "valueTwo", K_U64, value_two),
  F_STR_REQ (T, "op", op),
};
TABLE (scarg, T, NONE);
#undef T

#define T struct ocirt_seccomp_rule
static const struct field scrule_f[] = {
  F_STRV_REQ (T, "names", names),
  F_STR_REQ (T, "action", action),
  F_INT_HAS2 (T, "errnoRet", K_U32, errno_ret, has_errno_ret),
  F_ARR (T, "args", args, &scarg),
};
TABLE (scrule, T, OFF (T, line));
#undef T

#define T struct ocirt_seccomp
static const struct field seccomp_f[] = {
  F_STR_REQ (T, "defaultAction", default_action),
  F_INT_HAS2 (T, "defaultErrnoRet", K_U32, default_errno_ret, has_default_errno_ret),
  F_STRV (T, "architectures", architectures),
  F_STRV (T, "flags", flags),
  F_STR (T, "listenerPath", listener_path),
  F_STR (T, "listenerMetadata", listener_metadata),
  F_ARR (T, "syscalls", syscalls, &scrule),
};
TABLE (seccomp, T, NONE);
#undef T

#define T struct ocirt_intel_rdt
static const struct field rdt_f[] = {
  F_STR (T, "closID", clos_id),
  F_STR (T, "l3CacheSchema", l3_cache_schema),
  F_STR (T, "memBwSchema", mem_bw_schema),
  F_STRV (T, "schemata", schemata),
  F_BOOL (T, "enableMonitoring", enable_monitoring),
};
TABLE (rdt, T, NONE);
#undef T

#define T struct ocirt_net_device
static const struct field netdev_f[] = {
  F_STR (T, "name", name),
};
TABLE_KEYED (netdev, T, host_name);
#undef T

#define T struct ocirt_linux
static const struct field monotonic_f[] = {
  F_INT (T, "secs", K_I64, monotonic_secs),
  F_INT (T, "nanosecs", K_U32, monotonic_nsecs),
};
TABLE (monotonic, T, NONE);

static const struct field boottime_f[] = {
  F_INT (T, "secs", K_I64, boottime_secs),
  F_INT (T, "nanosecs", K_U32, boottime_nsecs),
};
TABLE (boottime, T, NONE);

static const struct field timeoffsets_f[] = {
  F_FLAT (T, "monotonic", has_monotonic, OFF (T, has_monotonic), &monotonic),
  F_FLAT (T, "boottime", has_boottime, OFF (T, has_boottime), &boottime),
};
TABLE (timeoffsets, T, NONE);

static const struct field mempolicy_f[] = {
  F_STR (T, "mode", memory_policy_mode),
  F_STR (T, "nodes", memory_policy_nodes),
  F_STRV (T, "flags", memory_policy_flags),
};
TABLE (mempolicy, T, NONE);

static const struct field personality_f[] = {
  F_STR (T, "domain", personality_domain),
  F_STRV (T, "flags", personality_flags),
};
TABLE (personality, T, NONE);

static const struct field linux_t_f[] = {
  F_ARR (T, "namespaces", namespaces, &ns),
  F_ARR (T, "uidMappings", uid_mappings, &idmap),
  F_ARR (T, "gidMappings", gid_mappings, &idmap),
  F_FLAT (T, "timeOffsets", has_time_offsets, OFF (T, has_time_offsets), &timeoffsets),
  F_ARR (T, "devices", devices, &device),
  F_KARR (T, "netDevices", net_devices, &netdev),
  F_STR (T, "cgroupsPath", cgroups_path),
  F_OBJ (T, "resources", resources, OFF (T, has_resources), &resources),
  F_OBJ (T, "intelRdt", intel_rdt, OFF (T, has_intel_rdt), &rdt),
  F_FLAT (T, "memoryPolicy", has_memory_policy, OFF (T, has_memory_policy), &mempolicy),
  F_MAP (T, "sysctl", sysctl),
  F_OBJ (T, "seccomp", seccomp, OFF (T, has_seccomp), &seccomp),
  F_STR (T, "rootfsPropagation", rootfs_propagation),
  F_STRV (T, "maskedPaths", masked_paths),
  F_STRV (T, "readonlyPaths", readonly_paths),
  F_STR (T, "mountLabel", mount_label),
  F_FLAT (T, "personality", has_personality, OFF (T, has_personality), &personality),
};
TABLE (linux_t, T, NONE);
#undef T

#define T struct ocirt_spec
static const struct field root_f[] = {
  F_STR (T, "path", root_path),
  F_BOOL (T, "readonly", root_readonly),
};
TABLE (root, T, NONE);

static const struct field spec_f[] = {
  F_STR (T, "ociVersion", oci_version),
  F_FLAT (T, "root", root_path, NONE, &root),
  F_ARR (T, "mounts", mounts, &mount),
  F (
      "process", K_OBJP, false, OFF (T, process), NONE, NONE, &process, NULL),
  F_STR (T, "hostname", hostname),
  F_STR (T, "domainname", domainname),
  F_OBJ (T, "hooks", hooks, OFF (T, has_hooks), &hooks),
  F_MAP (T, "annotations", annotations),
  F_OBJ (T, "linux", linux_, OFF (T, has_linux), &linux_t),
};
TABLE (spec, T, NONE);
#undef T

/* ---- freeing, driven by the same tables ---- */

static void free_object (const struct table *t, char *base);

static void
free_field (const struct field *f, char *base)
{
  switch (f->kind)
    {
    case K_STR:
      free (*AT (base, f->off, char *));
      break;
    case K_STRV:
      {
        char **v = *AT (base, f->off, char **);

        for (size_t i = 0; v != NULL && i < *AT (base, f->count, size_t); i++)
          free (v[i]);
        free (v);
        break;
      }
    case K_U32V:
      free (*AT (base, f->off, uint32_t *));
      break;
    case K_OBJ:
      free_object (f->sub, base + f->off);
      break;
    case K_FLAT:
      free_object (f->sub, base);
      break;
    case K_OBJP:
      {
        char *p = *AT (base, f->off, char *);

        if (p != NULL)
          free_object (f->sub, p);
        free (p);
        break;
      }
    case K_ARR:
    case K_KARR:
      {
        char *arr = *AT (base, f->off, char *);

        for (size_t i = 0; arr != NULL && i < *AT (base, f->count, size_t); i++)
          {
            if (f->sub->key != NONE)
              free (*AT (arr + i * f->sub->size, f->sub->key, char *));
            free_object (f->sub, arr + i * f->sub->size);
          }
        free (arr);
        break;
      }
    case K_MAP:
      {
        struct ocirt_keyval *kv = *AT (base, f->off, struct ocirt_keyval *);

        for (size_t i = 0; kv != NULL && i < *AT (base, f->count, size_t); i++)
          {
            free (kv[i].key);
            free (kv[i].value);
          }
        free (kv);
        break;
      }
    default:
      break; /* scalars, and K_FN fields, which hold no memory */
    }
}

static void
free_object (const struct table *t, char *base)
{
  for (size_t i = 0; i < t->n; i++)
    free_field (&t->fields[i], base);
}

void
ocirt_spec_free (struct ocirt_spec *s)
{
  if (s == NULL)
    return;
  free_object (&spec, (char *) s);
  lines_free (s->lines);
  free (s);
}

void
ocirt_spec_freep (struct ocirt_spec **s)
{
  ocirt_spec_free (*s);
  *s = NULL;
}

void
ocirt_process_free (struct ocirt_process *p)
{
  if (p == NULL)
    return;
  free_object (&process, (char *) p);
  free (p);
}

void
ocirt_resources_free (struct ocirt_resources *r)
{
  if (r == NULL)
    return;
  free_object (&resources, (char *) r);
  free (r);
}

unsigned
ocirt_spec_line (const struct ocirt_spec *s, const void *value)
{
  return s != NULL ? lines_get (s->lines, value) : 0;
}

/* ---- entry points ---- */

/* Walks tree into a new struct described by t; path is the JSON path of the document's root. */
static char *
parse_tree (struct ocirt_json *tree, const struct table *t, const char *path, const char *name,
            struct ocirt_spec_lines *lines, struct ocirt_err **err)
{
  struct walk w = { .name = name, .lines = lines, .err = err };
  char *obj;
  int r;

  if (tree->type != OCIRT_JSON_OBJECT)
    {
      ocirt_err_make (err, 0, "%s: expected a JSON object at the top, got %s at line %u", name,
                      ocirt_json_type_name (tree->type), tree->line);
      return NULL;
    }
  obj = xzalloc (t->size);

  if (path != NULL)
    {
      w.path.len = strlen (path);
      w.path.cap = w.path.len + 1;
      w.path.s = xstrdup (path);
    }
  r = walk_object (&w, tree, t, obj);
  path_free (&w.path);
  if (r < 0)
    {
      free_object (t, obj);
      free (obj);
      return NULL;
    }
  return obj;
}

static struct ocirt_spec *
spec_from_tree (struct ocirt_json *tree, const char *name, struct ocirt_err **err)
{
  struct ocirt_spec_lines *lines = lines_new ();
  struct ocirt_spec *s = (struct ocirt_spec *) parse_tree (tree, &spec, NULL, name, lines, err);

  if (s == NULL)
    {
      lines_free (lines);
      return NULL;
    }
  s->lines = lines;
  lines_put (lines, s, tree->line);
  return s;
}

struct ocirt_spec *
ocirt_spec_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err)
{
  cleanup_json struct ocirt_json *tree = NULL;

  if (name == NULL)
    name = "config.json";
  tree = ocirt_json_parse (buf, len, name, err);
  if (tree == NULL)
    return NULL;
  return spec_from_tree (tree, name, err);
}

struct ocirt_spec *
ocirt_spec_parse_file (const char *path, struct ocirt_err **err)
{
  cleanup_json struct ocirt_json *tree = ocirt_json_parse_file (path, err);
  const char *name = strrchr (path, '/');

  if (tree == NULL)
    return NULL;
  return spec_from_tree (tree, name != NULL ? name + 1 : path, err);
}

struct ocirt_process *
ocirt_process_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err)
{
  cleanup_json struct ocirt_json *tree = NULL;

  if (name == NULL)
    name = "process.json";
  tree = ocirt_json_parse (buf, len, name, err);
  if (tree == NULL)
    return NULL;
  return (struct ocirt_process *) parse_tree (tree, &process, "process", name, NULL, err);
}

struct ocirt_resources *
ocirt_resources_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err)
{
  cleanup_json struct ocirt_json *tree = NULL;

  if (name == NULL)
    name = "resources.json";
  tree = ocirt_json_parse (buf, len, name, err);
  if (tree == NULL)
    return NULL;
  return (struct ocirt_resources *) parse_tree (tree, &resources, "linux.resources", name, NULL, err);
}
