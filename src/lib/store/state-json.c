/* state.json on disk, and the state as `state` and `list` print it (runc's shapes). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/state.h"
#include "ocirt/xalloc.h"

static void
write_annotations (struct ocirt_jw *w, const struct ocirt_state *st, bool sorted);

/* Indexes of the annotations sorted by key (Go prints maps sorted). */
static size_t *
sorted_annotations (const struct ocirt_state *st)
{
  size_t *idx = xmalloc ((st->n_annotations + 1) * sizeof *idx);

  for (size_t i = 0; i < st->n_annotations; i++)
    idx[i] = i;
  /* insertion sort: a handful of annotations */
  for (size_t i = 1; i < st->n_annotations; i++)
    for (size_t j = i; j > 0 && strcmp (st->annotation_keys[idx[j - 1]], st->annotation_keys[idx[j]]) > 0; j--)
      {
        size_t t = idx[j];
        idx[j] = idx[j - 1];
        idx[j - 1] = t;
      }
  return idx;
}

static void
write_annotations (struct ocirt_jw *w, const struct ocirt_state *st, bool sorted)
{
  cleanup_free size_t *idx = sorted ? sorted_annotations (st) : NULL;

  ocirt_jw_key (w, "annotations");
  ocirt_jw_obj_open (w);
  for (size_t i = 0; i < st->n_annotations; i++)
    {
      size_t k = idx ? idx[i] : i;
      ocirt_jw_kstr (w, st->annotation_keys[k], st->annotation_values[k]);
    }
  ocirt_jw_obj_close (w);
}

static const char *
str_or_empty (const char *s)
{
  return s ? s : "";
}

/* One state object in runc's shape (the `state` and `list` outputs). */
static void
write_public (struct ocirt_jw *w, const struct ocirt_state *st)
{
  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersion", str_or_empty (st->oci_version));
  ocirt_jw_kstr (w, "id", str_or_empty (st->id));
  ocirt_jw_kint (w, "pid", st->status == OCIRT_STATUS_STOPPED ? 0 : st->pid);
  ocirt_jw_kstr (w, "status", ocirt_status_name (st->status));
  ocirt_jw_kstr (w, "bundle", str_or_empty (st->bundle));
  ocirt_jw_kstr (w, "rootfs", str_or_empty (st->rootfs));
  ocirt_jw_kstr (w, "created", str_or_empty (st->created));
  if (st->n_annotations > 0)
    write_annotations (w, st, true);
  ocirt_jw_kstr (w, "owner", str_or_empty (st->owner));
  ocirt_jw_obj_close (w);
}

char *
ocirt_state_to_json (const struct ocirt_state *st, bool pretty)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (pretty);

  write_public (w, st);
  return ocirt_jw_steal (w, NULL);
}

char *
ocirt_state_list_json (struct ocirt_state *const *list, size_t n)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  if (n == 0)
    return xstrdup ("null");
  ocirt_jw_arr_open (w);
  for (size_t i = 0; i < n; i++)
    write_public (w, list[i]);
  ocirt_jw_arr_close (w);
  return ocirt_jw_steal (w, NULL);
}

/* Display width as Go's tabwriter counts it: UTF-8 code points. */
static size_t
text_width (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char) *s & 0xc0) != 0x80)
      n++;
  return n;
}

#define TABLE_COLS 6
/* runc: tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0): every column but the last is as wide
 * as its widest cell plus 3, at least 12; the last is not padded. */
#define TABLE_MINWIDTH 12
#define TABLE_PADDING 3

char *
ocirt_state_list_table (struct ocirt_state *const *list, size_t n)
{
  static const char *const header[TABLE_COLS] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
  char ***cells = xzalloc ((n + 1) * sizeof *cells);
  size_t width[TABLE_COLS];
  size_t len = 0, cap = 256;
  char *out = xmalloc (cap);

  cells[0] = xmalloc (TABLE_COLS * sizeof **cells);
  for (int c = 0; c < TABLE_COLS; c++)
    cells[0][c] = xstrdup (header[c]);
  for (size_t i = 0; i < n; i++)
    {
      const struct ocirt_state *st = list[i];
      char **row = cells[i + 1] = xmalloc (TABLE_COLS * sizeof *row);
      row[0] = xstrdup (str_or_empty (st->id));
      row[1] = xfmt ("%d", st->status == OCIRT_STATUS_STOPPED ? 0 : (int) st->pid);
      row[2] = xstrdup (ocirt_status_name (st->status));
      row[3] = xstrdup (str_or_empty (st->bundle));
      row[4] = xstrdup (str_or_empty (st->created));
      row[5] = xstrdup (str_or_empty (st->owner));
    }
  for (int c = 0; c < TABLE_COLS; c++)
    {
      width[c] = TABLE_MINWIDTH;
      for (size_t r = 0; r <= n; r++)
        if (text_width (cells[r][c]) + TABLE_PADDING > width[c])
          width[c] = text_width (cells[r][c]) + TABLE_PADDING;
    }
  out[0] = '\0';
  for (size_t r = 0; r <= n; r++)
    {
      for (int c = 0; c < TABLE_COLS; c++)
        {
          size_t w = strlen (cells[r][c]);
          size_t pad = c < TABLE_COLS - 1 ? width[c] - text_width (cells[r][c]) : 0;
          while (len + w + pad + 2 > cap)
            out = xrealloc (out, cap *= 2);
          memcpy (out + len, cells[r][c], w);
          len += w;
          memset (out + len, ' ', pad);
          len += pad;
          free (cells[r][c]);
        }
      out[len++] = '\n';
      out[len] = '\0';
      free (cells[r]);
    }
  free (cells);
  return out;
}

char *
ocirt_state_serialize (const struct ocirt_state *st)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersion", str_or_empty (st->oci_version));
  ocirt_jw_kstr (w, "id", str_or_empty (st->id));
  ocirt_jw_kint (w, "pid", st->pid);
  ocirt_jw_kstr (w, "status", ocirt_status_name (st->status));
  ocirt_jw_kstr (w, "bundle", str_or_empty (st->bundle));
  ocirt_jw_kstr (w, "rootfs", str_or_empty (st->rootfs));
  ocirt_jw_kstr (w, "created", str_or_empty (st->created));
  ocirt_jw_kstr (w, "owner", str_or_empty (st->owner));
  write_annotations (w, st, false);
  ocirt_jw_kuint (w, "pid_start_time", st->pid_start_time);
  ocirt_jw_kstr (w, "cgroup_path", st->cgroup_path);
  ocirt_jw_kbool (w, "rootless", st->rootless);
  ocirt_jw_kbool (w, "systemd_cgroup", st->systemd_cgroup);
  ocirt_jw_obj_close (w);
  return ocirt_jw_steal (w, NULL);
}

/* Field readers for the parser: each names the file, the key and the line. */
struct reader
{
  const char *name;
  const struct ocirt_json *obj;
  struct ocirt_err **err;
};

static const struct ocirt_json *
field (struct reader *r, const char *key, enum ocirt_json_type type, bool required)
{
  const struct ocirt_json *v = ocirt_json_get (r->obj, key);

  if (v == NULL || (v->type == OCIRT_JSON_NULL && !required))
    {
      if (required)
        ocirt_err_make (r->err, 0, "%s: %s: missing", r->name, key);
      return NULL;
    }
  if (v->type != type)
    {
      ocirt_err_make (r->err, 0, "%s: %s: expected %s, got %s at line %u", r->name, key, ocirt_json_type_name (type),
                      ocirt_json_type_name (v->type), v->line);
      return NULL;
    }
  return v;
}

static int
get_str (struct reader *r, const char *key, bool required, char **out)
{
  const struct ocirt_json *v = field (r, key, OCIRT_JSON_STRING, required);

  if (v == NULL)
    return required || *r->err != NULL ? -1 : 0;
  if (strlen (v->str) != v->len)
    return ocirt_err_make (r->err, 0, "%s: %s: contains a NUL byte at line %u", r->name, key, v->line);
  *out = xstrdup (v->str);
  return 0;
}

static int
get_uint (struct reader *r, const char *key, bool required, uint64_t max, uint64_t *out)
{
  const struct ocirt_json *v = field (r, key, OCIRT_JSON_NUMBER, required);
  char *end;

  if (v == NULL)
    return required || *r->err != NULL ? -1 : 0;
  errno = 0;
  *out = strtoull (v->str, &end, 10);
  if (v->str[0] == '-' || errno != 0 || *end != '\0' || end == v->str || *out > max)
    return ocirt_err_make (r->err, 0, "%s: %s: expected an integer from 0 to %" PRIu64 ", got %s at line %u", r->name,
                           key, max, v->str, v->line);
  return 0;
}

static int
get_bool (struct reader *r, const char *key, bool *out)
{
  const struct ocirt_json *v = field (r, key, OCIRT_JSON_BOOL, false);

  if (v == NULL)
    return *r->err != NULL ? -1 : 0;
  *out = v->boolean;
  return 0;
}

static int
get_annotations (struct reader *r, struct ocirt_state *st)
{
  const struct ocirt_json *v = field (r, "annotations", OCIRT_JSON_OBJECT, false);

  if (v == NULL)
    return *r->err != NULL ? -1 : 0;
  st->annotation_keys = xzalloc ((v->len + 1) * sizeof (char *));
  st->annotation_values = xzalloc ((v->len + 1) * sizeof (char *));
  for (size_t i = 0; i < v->len; i++)
    {
      if (v->items[i]->type != OCIRT_JSON_STRING)
        return ocirt_err_make (r->err, 0, "%s: annotations.%s: expected string, got %s at line %u", r->name,
                               v->keys[i], ocirt_json_type_name (v->items[i]->type), v->items[i]->line);
      st->annotation_keys[i] = xstrdup (v->keys[i]);
      st->annotation_values[i] = xstrdup (v->items[i]->str);
      st->n_annotations++;
    }
  return 0;
}

struct ocirt_state *
ocirt_state_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err)
{
  cleanup_json struct ocirt_json *doc = NULL;
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_free char *status = NULL;
  struct reader r = { .name = name, .err = err };
  uint64_t pid = 0;
  int s;

  doc = ocirt_json_parse (buf, len, name, err);
  if (doc == NULL)
    return NULL;
  if (doc->type != OCIRT_JSON_OBJECT)
    return ocirt_err_make (err, 0, "%s: expected an object, got %s at line %u", name, ocirt_json_type_name (doc->type),
                           doc->line),
           NULL;
  r.obj = doc;
  st = xzalloc (sizeof *st);
  if (get_str (&r, "ociVersion", true, &st->oci_version) < 0 || get_str (&r, "id", true, &st->id) < 0
      || get_str (&r, "status", true, &status) < 0 || get_uint (&r, "pid", true, INT32_MAX, &pid) < 0
      || get_str (&r, "bundle", true, &st->bundle) < 0 || get_str (&r, "rootfs", false, &st->rootfs) < 0
      || get_str (&r, "created", true, &st->created) < 0 || get_str (&r, "owner", false, &st->owner) < 0
      || get_annotations (&r, st) < 0 || get_uint (&r, "pid_start_time", false, UINT64_MAX, &st->pid_start_time) < 0
      || get_str (&r, "cgroup_path", false, &st->cgroup_path) < 0 || get_bool (&r, "rootless", &st->rootless) < 0
      || get_bool (&r, "systemd_cgroup", &st->systemd_cgroup) < 0)
    return NULL;
  s = ocirt_status_from_name (status);
  if (s < 0)
    return ocirt_err_make (err, 0, "%s: status: unknown status \"%s\" at line %u", name, status,
                           ocirt_json_get (doc, "status")->line),
           NULL;
  st->status = (enum ocirt_status) s;
  st->pid = (pid_t) pid;
  if (st->owner == NULL)
    st->owner = xstrdup ("");
  return steal_ptr (&st);
}
