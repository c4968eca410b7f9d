/* The JSON reader: yajl's callback API builds a small tree whose nodes keep their line.
 *
 * yajl reports no positions, so the text is fed one line at a time (a JSON token never spans a
 * newline; the '\n' goes with its line so that a number at the end of a line completes): while
 * a callback runs, the line being parsed is the line of the value. This is the only file that
 * includes yajl headers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/xalloc.h"
#include "spec-internal.h"

/* Deeper documents are refused: nothing legitimate nests this far, and every recursive walk
 * (free, the model parser) stays bounded. */
#define JSON_MAX_DEPTH 200

struct frame
{
  struct ocirt_json *node; /* the open array or object */
  size_t cap;
  char *key; /* objects: the key whose value comes next */
};

struct builder
{
  struct frame stack[JSON_MAX_DEPTH];
  size_t depth;
  struct ocirt_json *root;
  unsigned line;
  const char *name;
  char *error; /* set when a callback stops the parse */
};

static void
node_free (struct ocirt_json *j)
{
  if (j == NULL)
    return;
  for (size_t i = 0; j->items != NULL && i < j->len; i++)
    {
      node_free (j->items[i]);
      if (j->keys != NULL)
        free (j->keys[i]);
    }
  free (j->items);
  free (j->keys);
  free (j->str);
  free (j);
}

void
ocirt_json_free (struct ocirt_json *j)
{
  node_free (j);
}

void
ocirt_json_freep (struct ocirt_json **j)
{
  node_free (*j);
  *j = NULL;
}

/* The JSON path of the value being built at stack level `upto` (exclusive). */
static void
builder_path (struct builder *b, size_t upto, struct path_buf *p)
{
  for (size_t i = 0; i < upto; i++)
    {
      struct ocirt_json *n = b->stack[i].node;

      if (n->type == OCIRT_JSON_OBJECT)
        path_key (p, n->keys[n->len - 1]);
      else
        path_index (p, n->len - 1);
    }
}

static int
builder_fail (struct builder *b, const char *what)
{
  b->error = xfmt ("%s: %s", b->name, what);
  return 0;
}

/* Attaches a new node to the open container (or makes it the root). */
static struct ocirt_json *
builder_add (struct builder *b, enum ocirt_json_type type)
{
  struct ocirt_json *j = xzalloc (sizeof *j);
  struct frame *f;

  j->type = type;
  j->line = b->line;
  if (b->depth == 0)
    {
      b->root = j;
      return j;
    }
  f = &b->stack[b->depth - 1];
  if (f->node->len == f->cap)
    {
      f->cap = f->cap ? f->cap * 2 : 4;
      f->node->items = xrealloc (f->node->items, f->cap * sizeof *f->node->items);
      if (f->node->type == OCIRT_JSON_OBJECT)
        f->node->keys = xrealloc (f->node->keys, f->cap * sizeof *f->node->keys);
    }
  if (f->node->type == OCIRT_JSON_OBJECT)
    {
      f->node->keys[f->node->len] = f->key;
      f->key = NULL;
    }
  f->node->items[f->node->len++] = j;
  return j;
}

static int
cb_null (void *ctx)
{
  builder_add (ctx, OCIRT_JSON_NULL);
  return 1;
}

static int
cb_boolean (void *ctx, int v)
{
  builder_add (ctx, OCIRT_JSON_BOOL)->boolean = v != 0;
  return 1;
}

static int
cb_number (void *ctx, const char *s, size_t len)
{
  struct ocirt_json *j = builder_add (ctx, OCIRT_JSON_NUMBER);

  j->str = xstrndup (s, len);
  j->len = len;
  return 1;
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  struct ocirt_json *j = builder_add (ctx, OCIRT_JSON_STRING);

  /* not strndup: the text may hold an escaped NUL and keeps its full length */
  j->str = xmalloc (len + 1);
  memcpy (j->str, s, len);
  j->str[len] = '\0';
  j->len = len;
  return 1;
}

static int
open_container (struct builder *b, enum ocirt_json_type type)
{
  struct ocirt_json *j;

  if (b->depth == JSON_MAX_DEPTH)
    {
      char what[96];

      snprintf (what, sizeof what, "nesting deeper than %d levels at line %u", JSON_MAX_DEPTH, b->line);
      return builder_fail (b, what);
    }
  j = builder_add (b, type);
  b->stack[b->depth].node = j;
  b->stack[b->depth].cap = 0;
  b->stack[b->depth].key = NULL;
  b->depth++;
  return 1;
}

static int
cb_start_map (void *ctx)
{
  return open_container (ctx, OCIRT_JSON_OBJECT);
}

static int
cb_start_array (void *ctx)
{
  return open_container (ctx, OCIRT_JSON_ARRAY);
}

static int
cb_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct builder *b = ctx;
  struct frame *f = &b->stack[b->depth - 1];

  free (f->key);
  f->key = xmalloc (len + 1);
  memcpy (f->key, key, len);
  f->key[len] = '\0';
  return 1;
}

static const struct ocirt_json *sort_obj;

static int
cmp_key_index (const void *a, const void *b)
{
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  int c = strcmp (sort_obj->keys[i], sort_obj->keys[j]);

  if (c != 0)
    return c;
  return i < j ? -1 : i > j;
}

/* Finds a repeated key: *first and *second are the indexes of two equal keys (second > first).
 * Small objects are scanned pairwise, big ones sorted so that 100k keys stay fast. */
static bool
find_duplicate (const struct ocirt_json *obj, size_t *first, size_t *second)
{
  size_t n = obj->len;
  bool found = false;

  if (n <= 16)
    {
      for (size_t j = 1; j < n; j++)
        for (size_t i = 0; i < j; i++)
          if (strcmp (obj->keys[i], obj->keys[j]) == 0)
            {
              *first = i, *second = j;
              return true;
            }
      return false;
    }
  size_t *idx = xmalloc (n * sizeof *idx);
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  sort_obj = obj;
  qsort (idx, n, sizeof *idx, cmp_key_index);
  sort_obj = NULL;
  for (size_t i = 1; i < n; i++)
    if (strcmp (obj->keys[idx[i - 1]], obj->keys[idx[i]]) == 0 && (!found || idx[i] < *second))
      {
        /* report the earliest second occurrence, as the pairwise scan does */
        *first = idx[i - 1], *second = idx[i];
        found = true;
      }
  free (idx);
  return found;
}

static int
cb_end_map (void *ctx)
{
  struct builder *b = ctx;
  struct ocirt_json *obj = b->stack[b->depth - 1].node;
  size_t first = 0, second = 0;

  if (find_duplicate (obj, &first, &second))
    {
      struct path_buf p = { 0 };

      builder_path (b, b->depth - 1, &p);
      path_key (&p, obj->keys[second]);
      b->error = xfmt ("%s: %s: duplicate key (also at line %u) at line %u", b->name, path_text (&p),
                       obj->items[first]->line, obj->items[second]->line);
      path_free (&p);
      return 0;
    }
  b->depth--;
  return 1;
}

static int
cb_end_array (void *ctx)
{
  struct builder *b = ctx;

  b->depth--;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = cb_null,
  .yajl_boolean = cb_boolean,
  .yajl_number = cb_number,
  .yajl_string = cb_string,
  .yajl_start_map = cb_start_map,
  .yajl_map_key = cb_map_key,
  .yajl_end_map = cb_end_map,
  .yajl_start_array = cb_start_array,
  .yajl_end_array = cb_end_array,
};

/* yajl's message without its "parse error: " / "lexical error: " prefix and trailing newline. */
static char *
yajl_reason (yajl_handle h)
{
  unsigned char *e = yajl_get_error (h, 0, NULL, 0);
  const char *s = (const char *) e, *colon = strstr (s, "error: ");
  char *r;
  size_t n;

  if (colon != NULL)
    s = colon + strlen ("error: ");
  n = strcspn (s, "\n");
  while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
    n--;
  r = xstrndup (s, n);
  yajl_free_error (h, e);
  return r;
}

static bool
all_space (const char *buf, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
      return false;
  return true;
}

static void
builder_clear (struct builder *b)
{
  for (size_t i = 0; i < b->depth; i++)
    free (b->stack[i].key);
  node_free (b->root);
  b->root = NULL;
  free (b->error);
}

/* Reports a failed yajl_parse / yajl_complete_parse. col is 1-based. */
static struct ocirt_json *
parse_failed (struct builder *b, yajl_handle h, unsigned line, size_t col, struct ocirt_err **err)
{
  if (b->error != NULL)
    ocirt_err_make (err, 0, "%s", b->error);
  else
    {
      cleanup_free char *reason = yajl_reason (h);

      ocirt_err_make (err, 0, "%s: syntax error at line %u, column %zu: %s", b->name, line, col, reason);
    }
  builder_clear (b);
  yajl_free (h);
  return NULL;
}

struct ocirt_json *
ocirt_json_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err)
{
  struct builder *b;
  struct ocirt_json *root;
  const char *p = buf, *end = buf + len, *last = buf;
  yajl_handle h;

  if (name == NULL)
    name = "JSON";
  if (all_space (buf, len))
    {
      ocirt_err_make (err, 0, "%s: empty file, expected a JSON document", name);
      return NULL;
    }
  b = xzalloc (sizeof *b);
  b->name = name;
  h = yajl_alloc (&callbacks, NULL, b);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *next = nl != NULL ? nl + 1 : end;

      b->line++;
      last = p;
      if (yajl_parse (h, (const unsigned char *) p, (size_t) (next - p)) != yajl_status_ok)
        {
          size_t used = yajl_get_bytes_consumed (h);

          root = parse_failed (b, h, b->line, used > 0 ? used : 1, err);
          free (b);
          return root;
        }
      p = next;
    }
  if (yajl_complete_parse (h) != yajl_status_ok)
    {
      /* only a truncated document fails here: point just past its last character */
      size_t col = (size_t) (end - last);

      while (col > 0 && (last[col - 1] == '\n' || last[col - 1] == '\r'))
        col--;
      root = parse_failed (b, h, b->line, col + 1, err);
      free (b);
      return root;
    }
  yajl_free (h);
  root = b->root;
  free (b);
  return root;
}

struct ocirt_json *
ocirt_json_parse_file (const char *path, struct ocirt_err **err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  const char *name = strrchr (path, '/');
  size_t len = 0, cap;
  struct stat st;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", path), NULL;
  if (fstat (fd, &st) < 0)
    return ocirt_err_make (err, errno, "stat `%s`", path), NULL;
  if (!S_ISREG (st.st_mode))
    return ocirt_err_make (err, 0, "`%s` is not a regular file", path), NULL;
  cap = (size_t) st.st_size + 1;
  buf = xmalloc (cap);
  for (;;)
    {
      ssize_t r = read (fd, buf + len, cap - len);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ocirt_err_make (err, errno, "read `%s`", path), NULL;
      if (r == 0)
        break;
      len += (size_t) r;
      if (len == cap)
        {
          cap *= 2;
          buf = xrealloc (buf, cap);
        }
    }
  return ocirt_json_parse (buf, len, name != NULL ? name + 1 : path, err);
}

const struct ocirt_json *
ocirt_json_get (const struct ocirt_json *obj, const char *key)
{
  if (obj == NULL || obj->type != OCIRT_JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->len; i++)
    if (strcmp (obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

const char *
ocirt_json_type_name (enum ocirt_json_type t)
{
  switch (t)
    {
    case OCIRT_JSON_NULL:
      return "null";
    case OCIRT_JSON_BOOL:
      return "boolean";
    case OCIRT_JSON_NUMBER:
      return "number";
    case OCIRT_JSON_STRING:
      return "string";
    case OCIRT_JSON_ARRAY:
      return "array";
    case OCIRT_JSON_OBJECT:
      return "object";
    }
  return "unknown";
}
