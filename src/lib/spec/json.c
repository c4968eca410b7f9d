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
 * (the model parser, the writer's callers) stays bounded. */
#define JSON_MAX_DEPTH 200

/* The whole tree lives in one arena: nodes, strings, keys and item arrays. Building and freeing
 * a document then costs a few mallocs instead of three per value, which is most of the time
 * spent parsing a config.json. */
struct chunk
{
  struct chunk *next;
  char data[];
};

struct arena
{
  struct chunk *chunks;
  char *cur, *end;
  size_t next_size;
};

static void *
arena_alloc (struct arena *a, size_t n)
{
  void *p;

  n = (n + 7) & ~(size_t) 7;
  if ((size_t) (a->end - a->cur) < n)
    {
      size_t size = a->next_size > n ? a->next_size : n;
      struct chunk *c = xmalloc (sizeof *c + size);

      c->next = a->chunks;
      a->chunks = c;
      a->cur = c->data;
      a->end = c->data + size;
      a->next_size = size * 2;
    }
  p = a->cur;
  a->cur += n;
  return p;
}

static char *
arena_strndup (struct arena *a, const void *s, size_t len)
{
  char *r = arena_alloc (a, len + 1);

  memcpy (r, s, len);
  r[len] = '\0';
  return r;
}

static void
arena_free (struct arena *a)
{
  while (a->chunks != NULL)
    {
      struct chunk *c = a->chunks;

      a->chunks = c->next;
      free (c);
    }
}

/* What ocirt_json_parse returns: the root node first, so that the pointer is the document. */
struct doc
{
  struct ocirt_json root;
  struct arena arena;
};

/* Children of the open containers wait on one shared stack and move into an exactly sized
 * array of the arena when their container closes. */
struct child
{
  char *key; /* NULL in arrays */
  struct ocirt_json *node;
};

struct frame
{
  struct ocirt_json *node; /* the open array or object */
  size_t start;            /* its first child on the children stack */
};

struct builder
{
  struct arena arena;
  struct frame stack[JSON_MAX_DEPTH];
  size_t depth;
  struct child *children;
  size_t n_children, cap_children;
  char *key; /* the key whose value comes next */
  struct ocirt_json *root;
  unsigned line;
  const char *name;
  char *error; /* set when a callback stops the parse */
};

void
ocirt_json_free (struct ocirt_json *j)
{
  struct doc *d = (struct doc *) j;

  if (d == NULL)
    return;
  arena_free (&d->arena);
  free (d);
}

void
ocirt_json_freep (struct ocirt_json **j)
{
  ocirt_json_free (*j);
  *j = NULL;
}

/* The JSON path of the container open at stack level `level`. */
static void
builder_path (struct builder *b, size_t level, struct path_buf *p)
{
  for (size_t i = 1; i <= level; i++)
    {
      const struct child *c = &b->children[b->stack[i].start - 1];

      if (c->key != NULL)
        path_key (p, c->key);
      else
        path_index (p, b->stack[i].start - 1 - b->stack[i - 1].start);
    }
}

static int
builder_fail (struct builder *b, const char *what)
{
  b->error = xfmt ("%s: %s", b->name, what);
  return 0;
}

/* Makes a node and puts it on the children stack of the open container (or makes it the root). */
static struct ocirt_json *
builder_add (struct builder *b, enum ocirt_json_type type)
{
  struct ocirt_json *j = arena_alloc (&b->arena, sizeof *j);
  struct child *c;

  memset (j, 0, sizeof *j);
  j->type = type;
  j->line = b->line;
  if (b->depth == 0)
    {
      b->root = j;
      return j;
    }
  if (b->n_children == b->cap_children)
    {
      b->cap_children = b->cap_children ? b->cap_children * 2 : 64;
      b->children = xrealloc (b->children, b->cap_children * sizeof *b->children);
    }
  c = &b->children[b->n_children++];
  c->key = b->key;
  c->node = j;
  b->key = NULL;
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
  struct builder *b = ctx;
  struct ocirt_json *j = builder_add (b, OCIRT_JSON_NUMBER);

  j->str = arena_strndup (&b->arena, s, len);
  j->len = len;
  return 1;
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;
  struct ocirt_json *j = builder_add (b, OCIRT_JSON_STRING);

  /* the text may hold an escaped NUL: it keeps its full length */
  j->str = arena_strndup (&b->arena, s, len);
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
  b->stack[b->depth].start = b->n_children;
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

  b->key = arena_strndup (&b->arena, key, len);
  return 1;
}

static const struct child *sort_children;

static int
cmp_key_index (const void *a, const void *b)
{
  size_t i = *(const size_t *) a, j = *(const size_t *) b;
  int c = strcmp (sort_children[i].key, sort_children[j].key);

  if (c != 0)
    return c;
  return i < j ? -1 : i > j;
}

/* Finds a repeated key among n children: *first < *second, the earliest second occurrence.
 * Small objects are scanned pairwise, big ones sorted so that 100k keys stay fast. */
static bool
find_duplicate (const struct child *c, size_t n, size_t *first, size_t *second)
{
  bool found = false;
  size_t *idx;

  if (n <= 16)
    {
      for (size_t j = 1; j < n; j++)
        for (size_t i = 0; i < j; i++)
          if (strcmp (c[i].key, c[j].key) == 0)
            {
              *first = i, *second = j;
              return true;
            }
      return false;
    }
  idx = xmalloc (n * sizeof *idx);
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  sort_children = c;
  qsort (idx, n, sizeof *idx, cmp_key_index);
  sort_children = NULL;
  for (size_t i = 1; i < n; i++)
    if (strcmp (c[idx[i - 1]].key, c[idx[i]].key) == 0 && (!found || idx[i] < *second))
      {
        *first = idx[i - 1], *second = idx[i];
        found = true;
      }
  free (idx);
  return found;
}

/* Moves the children of the innermost open container into its node. */
static void
close_container (struct builder *b)
{
  struct frame *f = &b->stack[b->depth - 1];
  struct ocirt_json *j = f->node;
  size_t n = b->n_children - f->start;
  const struct child *c = n > 0 ? &b->children[f->start] : NULL; /* children is NULL before the first */

  j->len = n;
  if (n > 0)
    {
      j->items = arena_alloc (&b->arena, n * sizeof *j->items);
      for (size_t i = 0; i < n; i++)
        j->items[i] = c[i].node;
      if (j->type == OCIRT_JSON_OBJECT)
        {
          j->keys = arena_alloc (&b->arena, n * sizeof *j->keys);
          for (size_t i = 0; i < n; i++)
            j->keys[i] = c[i].key;
        }
    }
  b->n_children = f->start;
  b->depth--;
}

static int
cb_end_map (void *ctx)
{
  struct builder *b = ctx;
  const struct frame *f = &b->stack[b->depth - 1];
  size_t n = b->n_children - f->start;
  const struct child *c = n > 0 ? &b->children[f->start] : NULL; /* children is NULL before the first */
  size_t first = 0, second = 0;

  if (find_duplicate (c, n, &first, &second))
    {
      struct path_buf p = { 0 };

      builder_path (b, b->depth - 1, &p);
      path_key (&p, c[second].key);
      b->error = xfmt ("%s: %s: duplicate key (also at line %u) at line %u", b->name, path_text (&p),
                       c[first].node->line, c[second].node->line);
      path_free (&p);
      return 0;
    }
  close_container (b);
  return 1;
}

static int
cb_end_array (void *ctx)
{
  close_container (ctx);
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
  /* yajl's own words are fine except for this one, which is what a truncated file gives */
  r = n == strlen ("premature EOF") && strncmp (s, "premature EOF", n) == 0 ? xstrdup ("unexpected end of file")
                                                                            : xstrndup (s, n);
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

/* Reports a failed yajl_parse / yajl_complete_parse. col is 1-based. */
static void
parse_failed (struct builder *b, yajl_handle h, size_t col, struct ocirt_err **err)
{
  if (b->error != NULL)
    ocirt_err_make (err, 0, "%s", b->error);
  else
    {
      cleanup_free char *reason = yajl_reason (h);

      ocirt_err_make (err, 0, "%s: syntax error at line %u, column %zu: %s", b->name, b->line, col, reason);
    }
}

/* Feeds buf to yajl line by line. Returns 0, or -1 with *err. */
static int
feed (struct builder *b, yajl_handle h, const char *buf, size_t len, struct ocirt_err **err)
{
  const char *p = buf, *end = buf + len, *last = buf;
  size_t col;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      const char *next = nl != NULL ? nl + 1 : end;

      b->line++;
      last = p;
      if (yajl_parse (h, (const unsigned char *) p, (size_t) (next - p)) != yajl_status_ok)
        {
          size_t used = yajl_get_bytes_consumed (h);

          parse_failed (b, h, used > 0 ? used : 1, err);
          return -1;
        }
      p = next;
    }
  if (yajl_complete_parse (h) == yajl_status_ok)
    return 0;
  /* only a truncated document fails here: point just past its last character */
  col = (size_t) (end - last);
  while (col > 0 && (last[col - 1] == '\n' || last[col - 1] == '\r'))
    col--;
  parse_failed (b, h, col + 1, err);
  return -1;
}

struct ocirt_json *
ocirt_json_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err)
{
  struct builder b;
  struct doc *d = NULL;
  yajl_handle h;

  if (name == NULL)
    name = "JSON";
  if (all_space (buf, len))
    {
      ocirt_err_make (err, 0, "%s: empty file, expected a JSON document", name);
      return NULL;
    }
  /* every field but the frame stack, which is written before it is read */
  memset (&b.arena, 0, sizeof b.arena);
  b.depth = 0;
  b.children = NULL;
  b.n_children = b.cap_children = 0;
  b.key = NULL;
  b.root = NULL;
  b.line = 0;
  b.name = name;
  b.error = NULL;
  /* about what a pretty-printed config.json needs, so that one chunk usually does */
  b.arena.next_size = len * 2 + 1024;
  h = yajl_alloc (&callbacks, NULL, &b);
  if (feed (&b, h, buf, len, err) == 0)
    {
      d = xmalloc (sizeof *d);
      d->root = *b.root;
      d->arena = b.arena;
    }
  else
    arena_free (&b.arena);
  yajl_free (h);
  free (b.children);
  free (b.error);
  return d != NULL ? &d->root : NULL;
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
