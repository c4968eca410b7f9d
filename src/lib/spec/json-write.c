/* A small streaming JSON writer with stable formatting. Serialized output is API (state, hooks'
 * stdin, spec, features): golden tests pin it, so formatting choices live here only.
 * pretty mode matches Go's json.MarshalIndent(v, "", "  ") as runc prints `state`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/json.h"
#include "ocirt/xalloc.h"

#define MAX_DEPTH 64

struct ocirt_jw
{
  char *buf;
  size_t len, cap;
  bool pretty;
  int depth;
  bool first[MAX_DEPTH]; /* no member written yet at this depth */
  bool after_key;
};

static void
put (struct ocirt_jw *w, const char *s, size_t n)
{
  if (w->len + n + 1 > w->cap)
    {
      while (w->len + n + 1 > w->cap)
        w->cap = w->cap ? w->cap * 2 : 256;
      w->buf = xrealloc (w->buf, w->cap);
    }
  memcpy (w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = '\0';
}

static void
puts_ (struct ocirt_jw *w, const char *s)
{
  put (w, s, strlen (s));
}

static void
newline_indent (struct ocirt_jw *w)
{
  if (!w->pretty)
    return;
  put (w, "\n", 1);
  for (int i = 0; i < w->depth; i++)
    put (w, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void
before_item (struct ocirt_jw *w)
{
  if (w->after_key)
    {
      w->after_key = false;
      return;
    }
  if (w->depth == 0)
    return;
  if (!w->first[w->depth])
    put (w, ",", 1);
  w->first[w->depth] = false;
  newline_indent (w);
}

static void
open_ (struct ocirt_jw *w, char c)
{
  before_item (w);
  put (w, &c, 1);
  if (w->depth + 1 < MAX_DEPTH)
    w->depth++;
  w->first[w->depth] = true;
}

static void
close_ (struct ocirt_jw *w, char c)
{
  bool empty = w->first[w->depth];
  if (w->depth > 0)
    w->depth--;
  if (!empty)
    newline_indent (w);
  put (w, &c, 1);
}

struct ocirt_jw *
ocirt_jw_new (bool pretty)
{
  struct ocirt_jw *w = xzalloc (sizeof *w);
  w->pretty = pretty;
  put (w, "", 0);
  return w;
}

void
ocirt_jw_free (struct ocirt_jw *w)
{
  if (w == NULL)
    return;
  free (w->buf);
  free (w);
}

void
ocirt_jw_freep (struct ocirt_jw **w)
{
  ocirt_jw_free (*w);
  *w = NULL;
}

void
ocirt_jw_obj_open (struct ocirt_jw *w)
{
  open_ (w, '{');
}

void
ocirt_jw_obj_close (struct ocirt_jw *w)
{
  close_ (w, '}');
}

void
ocirt_jw_arr_open (struct ocirt_jw *w)
{
  open_ (w, '[');
}

void
ocirt_jw_arr_close (struct ocirt_jw *w)
{
  close_ (w, ']');
}

/* Escapes as Go's encoding/json does for the characters that matter to clients:
 * control characters as \u00XX (\n, \r, \t short forms), '"' and '\\'; '<', '>' and '&'
 * as \u003c, \u003e, \u0026 (Go's HTML-safe default, which runc's output has). */
static void
put_string (struct ocirt_jw *w, const char *s)
{
  char esc[8];

  put (w, "\"", 1);
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      switch (*p)
        {
        case '"':
          puts_ (w, "\\\"");
          break;
        case '\\':
          puts_ (w, "\\\\");
          break;
        case '\n':
          puts_ (w, "\\n");
          break;
        case '\r':
          puts_ (w, "\\r");
          break;
        case '\t':
          puts_ (w, "\\t");
          break;
        case '<':
        case '>':
        case '&':
          snprintf (esc, sizeof esc, "\\u%04x", *p);
          puts_ (w, esc);
          break;
        default:
          if (*p < 0x20)
            {
              snprintf (esc, sizeof esc, "\\u%04x", *p);
              puts_ (w, esc);
            }
          else
            put (w, (const char *) p, 1);
        }
    }
  put (w, "\"", 1);
}

void
ocirt_jw_key (struct ocirt_jw *w, const char *key)
{
  before_item (w);
  put_string (w, key);
  puts_ (w, w->pretty ? ": " : ":");
  w->after_key = true;
}

void
ocirt_jw_str (struct ocirt_jw *w, const char *s)
{
  if (s == NULL)
    {
      ocirt_jw_null (w);
      return;
    }
  before_item (w);
  put_string (w, s);
}

void
ocirt_jw_int (struct ocirt_jw *w, int64_t v)
{
  char b[32];
  before_item (w);
  snprintf (b, sizeof b, "%" PRId64, v);
  puts_ (w, b);
}

void
ocirt_jw_uint (struct ocirt_jw *w, uint64_t v)
{
  char b[32];
  before_item (w);
  snprintf (b, sizeof b, "%" PRIu64, v);
  puts_ (w, b);
}

void
ocirt_jw_bool (struct ocirt_jw *w, bool v)
{
  before_item (w);
  puts_ (w, v ? "true" : "false");
}

void
ocirt_jw_null (struct ocirt_jw *w)
{
  before_item (w);
  puts_ (w, "null");
}

void
ocirt_jw_kstr (struct ocirt_jw *w, const char *key, const char *s)
{
  ocirt_jw_key (w, key);
  ocirt_jw_str (w, s);
}

void
ocirt_jw_kint (struct ocirt_jw *w, const char *key, int64_t v)
{
  ocirt_jw_key (w, key);
  ocirt_jw_int (w, v);
}

void
ocirt_jw_kuint (struct ocirt_jw *w, const char *key, uint64_t v)
{
  ocirt_jw_key (w, key);
  ocirt_jw_uint (w, v);
}

void
ocirt_jw_kbool (struct ocirt_jw *w, const char *key, bool v)
{
  ocirt_jw_key (w, key);
  ocirt_jw_bool (w, v);
}

const char *
ocirt_jw_text (struct ocirt_jw *w, size_t *len)
{
  if (len)
    *len = w->len;
  return w->buf;
}

char *
ocirt_jw_steal (struct ocirt_jw *w, size_t *len)
{
  char *b = w->buf;
  if (len)
    *len = w->len;
  w->buf = NULL;
  w->len = w->cap = 0;
  return b;
}
