/* The JSON adapter. src/lib/spec/json.c is the ONLY file that includes yajl headers: replacing
 * yajl later means rewriting that one file.
 *
 * Reading: the document is built through yajl's callback API into a small tree whose every node
 * keeps the line (1-based) where its value starts, so parse errors can name JSON path and line.
 * Numbers keep their text: callers convert with explicit int64/uint64 range checks, never through
 * double. Duplicate keys in one object are an error.
 *
 * Writing: a small streaming writer with stable formatting (serialized output is API: it is pinned
 * by golden tests). */
#ifndef OCIRT_JSON_H
#define OCIRT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ocirt_err;

enum ocirt_json_type
{
  OCIRT_JSON_NULL,
  OCIRT_JSON_BOOL,
  OCIRT_JSON_NUMBER, /* text in .str */
  OCIRT_JSON_STRING, /* UTF-8 text in .str, .len bytes (may hold NUL) */
  OCIRT_JSON_ARRAY,
  OCIRT_JSON_OBJECT,
};

struct ocirt_json
{
  enum ocirt_json_type type;
  unsigned line;
  bool boolean;
  char *str;
  size_t len;                 /* string length; for arrays/objects the number of items */
  struct ocirt_json **items;  /* array items, or object values */
  char **keys;                /* object keys, parallel to items */
};

/* name is used in messages ("config.json: syntax error at line 3, column 7: ..."). */
struct ocirt_json *ocirt_json_parse (const char *buf, size_t len, const char *name, struct ocirt_err **err);
struct ocirt_json *ocirt_json_parse_file (const char *path, struct ocirt_err **err);
/* Frees a whole document: j must be what ocirt_json_parse returned (the tree is one arena). */
void ocirt_json_free (struct ocirt_json *j);
void ocirt_json_freep (struct ocirt_json **j);
#define cleanup_json __attribute__ ((cleanup (ocirt_json_freep)))

/* Object member lookup, NULL when absent or when obj is not an object. */
const struct ocirt_json *ocirt_json_get (const struct ocirt_json *obj, const char *key);
const char *ocirt_json_type_name (enum ocirt_json_type t);

/* Writer. Output accumulates in a growing buffer. pretty: two-space indentation like Go's
 * json.MarshalIndent (runc's `state`), otherwise compact. */
struct ocirt_jw;
struct ocirt_jw *ocirt_jw_new (bool pretty);
void ocirt_jw_free (struct ocirt_jw *w);
void ocirt_jw_freep (struct ocirt_jw **w);
#define cleanup_jw __attribute__ ((cleanup (ocirt_jw_freep)))
void ocirt_jw_obj_open (struct ocirt_jw *w);
void ocirt_jw_obj_close (struct ocirt_jw *w);
void ocirt_jw_arr_open (struct ocirt_jw *w);
void ocirt_jw_arr_close (struct ocirt_jw *w);
void ocirt_jw_key (struct ocirt_jw *w, const char *key);
void ocirt_jw_str (struct ocirt_jw *w, const char *s); /* NULL writes null */
void ocirt_jw_int (struct ocirt_jw *w, int64_t v);
void ocirt_jw_uint (struct ocirt_jw *w, uint64_t v);
void ocirt_jw_bool (struct ocirt_jw *w, bool v);
void ocirt_jw_null (struct ocirt_jw *w);
/* Shorthands for "key": value */
void ocirt_jw_kstr (struct ocirt_jw *w, const char *key, const char *s);
void ocirt_jw_kint (struct ocirt_jw *w, const char *key, int64_t v);
void ocirt_jw_kuint (struct ocirt_jw *w, const char *key, uint64_t v);
void ocirt_jw_kbool (struct ocirt_jw *w, const char *key, bool v);
/* The text so far (NUL-terminated, owned by w) and its length. */
const char *ocirt_jw_text (struct ocirt_jw *w, size_t *len);
/* Take ownership of the buffer. */
char *ocirt_jw_steal (struct ocirt_jw *w, size_t *len);

#endif
