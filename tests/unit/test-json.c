/* The JSON reader (src/lib/spec/json.c): tree, lines, numbers as text, and every kind of bad
 * input with its exact message. Columns are where yajl stopped (yajl_get_bytes_consumed within
 * the line): on or just past the offending token. yajl checks UTF-8 structure (lead and
 * continuation bytes), not overlong forms; the kernel never decodes them, so that is enough. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/xalloc.h"
#include "tap.h"

/* Parses text and returns the error message ("" when it parsed), to compare exactly. */
static char *
parse_error (const char *text, size_t len)
{
  cleanup_err struct ocirt_err *err = NULL;
  struct ocirt_json *j = ocirt_json_parse (text, len, "t.json", &err);

  if (j != NULL)
    {
      ocirt_json_free (j);
      return xstrdup ("");
    }
  return ocirt_err_text (err);
}

#define is_error(text, want, ...)                                                                   \
  do                                                                                                \
    {                                                                                               \
      cleanup_free char *got_ = parse_error (text, strlen (text));                                  \
      is_str (got_, want, __VA_ARGS__);                                                             \
    }                                                                                               \
  while (0)

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
test_tree (void)
{
  const char *text = "{\n"
                     "  \"s\": \"a\\u0000b\",\n"
                     "  \"n\": [18446744073709551615, -9223372036854775808, 1.5e3],\n"
                     "  \"o\": {\n"
                     "    \"t\": true, \"f\": false, \"z\": null\n"
                     "  },\n"
                     "  \"e\": [], \"eo\": {}\n"
                     "}";
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_json struct ocirt_json *j = ocirt_json_parse (text, strlen (text), "t.json", &err);
  const struct ocirt_json *s, *n, *o;

  ok (j != NULL, "a document with every type parses");
  if (j == NULL)
    return;
  is_int (j->type, OCIRT_JSON_OBJECT, "root is an object");
  is_int (j->line, 1, "root starts on line 1");
  is_int (j->len, 5, "five members");
  is_str (j->keys[0], "s", "keys keep document order");
  is_str (j->keys[4], "eo", "last key");
  s = ocirt_json_get (j, "s");
  is_int (s->type, OCIRT_JSON_STRING, "string");
  is_int (s->len, 3, "an escaped NUL stays in the length");
  ok (memcmp (s->str, "a\0b", 3) == 0, "and in the text");
  is_int (s->line, 2, "string line");
  n = ocirt_json_get (j, "n");
  is_int (n->line, 3, "array line");
  is_str (n->items[0]->str, "18446744073709551615", "uint64 max kept as text");
  is_str (n->items[1]->str, "-9223372036854775808", "int64 min kept as text");
  is_str (n->items[2]->str, "1.5e3", "a double kept as text");
  is_int (n->items[2]->type, OCIRT_JSON_NUMBER, "number type");
  o = ocirt_json_get (j, "o");
  is_int (o->line, 4, "object line is where it starts");
  is_int (ocirt_json_get (o, "t")->boolean, 1, "true");
  is_int (ocirt_json_get (o, "f")->boolean, 0, "false");
  is_int (ocirt_json_get (o, "z")->type, OCIRT_JSON_NULL, "null");
  is_int (ocirt_json_get (o, "z")->line, 5, "values on one line share it");
  is_int (ocirt_json_get (j, "e")->len, 0, "empty array");
  is_int (ocirt_json_get (j, "eo")->len, 0, "empty object");
  ok (ocirt_json_get (j, "missing") == NULL, "missing key is NULL");
  ok (ocirt_json_get (s, "x") == NULL, "get on a non-object is NULL");
  is_str (ocirt_json_type_name (OCIRT_JSON_ARRAY), "array", "type names");
}

static void
test_scalars_at_end (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_json struct ocirt_json *a = ocirt_json_parse ("[1,\n22]", 7, "t.json", &err);
  cleanup_json struct ocirt_json *b = ocirt_json_parse ("  42", 4, "t.json", &err);
  cleanup_json struct ocirt_json *c = ocirt_json_parse ("[1,\r\n2\r\n]\r\n", 11, "t.json", &err);

  ok (a != NULL && a->len == 2 && strcmp (a->items[1]->str, "22") == 0, "a number before a newline completes");
  is_int (a != NULL ? a->items[1]->line : 0, 2, "and has its line");
  ok (b != NULL && b->type == OCIRT_JSON_NUMBER && strcmp (b->str, "42") == 0,
      "a number at the very end completes (top-level scalar)");
  ok (c != NULL && c->len == 2 && c->items[1]->line == 2, "CRLF line ends");
}

static void
test_syntax_errors (void)
{
  is_error ("{]", "t.json: syntax error at line 1, column 2: invalid object key (must be a string)", "bad key");
  is_error ("{\n  \"a\": 1,\n  \"b\": tru\n}\n", "t.json: syntax error at line 3, column 10: invalid string in json text",
            "bad literal: line and column");
  is_error ("{\n  \"a\": 1\n  \"b\": 2\n}\n",
            "t.json: syntax error at line 3, column 4: after key and value, inside map, I expect ',' or '}'",
            "missing comma");
  is_error ("{\"a\": 01}", "t.json: syntax error at line 1, column 7: after key and value, inside map, I expect ',' or '}'",
            "leading zero");
  is_error ("{\"a\": 1}\n{\"b\": 2}\n", "t.json: syntax error at line 2, column 1: trailing garbage", "two documents");
  is_error ("[1,]", "t.json: syntax error at line 1, column 4: unallowed token at this point in JSON text",
            "trailing comma");
  is_error ("/* c */ {}", "t.json: syntax error at line 1, column 1: probable comment found in input text, comments are not enabled",
            "comments are refused");
  is_error ("{\"a\": \"x\ty\"}", "t.json: syntax error at line 1, column 8: invalid character inside string",
            "raw control character in a string");
}

static void
test_empty_truncated (void)
{
  is_error ("", "t.json: empty file, expected a JSON document", "empty file");
  is_error (" \n\t\r\n", "t.json: empty file, expected a JSON document", "whitespace only");
  is_error ("{\n  \"a\": [1, 2\n", "t.json: syntax error at line 2, column 13: unexpected end of file",
            "truncated inside an array");
  is_error ("{\"a\": \"abc", "t.json: syntax error at line 1, column 11: unexpected end of file",
            "truncated inside a string");
  is_error ("{\"a\": 12", "t.json: syntax error at line 1, column 9: unexpected end of file", "truncated after a number");
}

static void
test_utf8 (void)
{
  const char bad[] = "{\n\"a\": \"caf\xe9\"\n}";
  const char overlong[] = "[\"a\x80\"]";
  const char good[] = "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"]";
  cleanup_free char *e1 = parse_error (bad, sizeof bad - 1);
  cleanup_free char *e2 = parse_error (overlong, sizeof overlong - 1);
  cleanup_free char *e3 = parse_error (good, sizeof good - 1);

  is_str (e1, "t.json: syntax error at line 2, column 11: invalid bytes in UTF8 string", "Latin-1 byte refused");
  is_str (e2, "t.json: syntax error at line 1, column 4: invalid bytes in UTF8 string", "a lone continuation byte refused");
  is_str (e3, "", "valid 2-, 3- and 4-byte sequences accepted");
}

static void
test_nul_byte_outside_string (void)
{
  const char text[] = "{\"a\": 1,\0 \"b\": 2}";
  cleanup_free char *e = parse_error (text, sizeof text - 1);

  is_str (e, "t.json: syntax error at line 1, column 9: invalid char in json text", "a raw NUL byte is a syntax error");
}

/* Found by tests/fuzz/fuzz-spec: an empty object or array closed before any value was stored
 * indexed the (still NULL) children array, undefined behaviour that clang's UBSan reports (the
 * sanitizer build of CI runs this). */
static void
test_empty_containers_first (void)
{
  is_error ("{}", "", "an empty object as the whole document");
  is_error ("[]", "", "an empty array as the whole document");
  is_error ("[[], {}, {\"a\": []}]", "", "empty containers before and after values");
}

static char *
nested (size_t depth)
{
  char *s = xmalloc (2 * depth + 1);

  memset (s, '[', depth);
  memset (s + depth, ']', depth);
  s[2 * depth] = '\0';
  return s;
}

static void
test_depth (void)
{
  cleanup_free char *ok200 = nested (200);
  cleanup_free char *bad201 = nested (201);
  cleanup_free char *huge = xmalloc (1000001);
  cleanup_free char *e1 = parse_error (ok200, strlen (ok200));
  cleanup_free char *e2 = parse_error (bad201, strlen (bad201));
  cleanup_free char *e3 = NULL;

  is_str (e1, "", "200 levels parse");
  is_str (e2, "t.json: nesting deeper than 200 levels at line 1", "201 levels refused");
  memset (huge, '[', 1000000);
  huge[1000000] = '\0';
  e3 = parse_error (huge, 1000000);
  is_str (e3, "t.json: nesting deeper than 200 levels at line 1", "a million open brackets: error, no stack overflow");
  {
    /* the same limit for objects, reported at the line where it is crossed */
    size_t n = 0;
    cleanup_free char *t = xmalloc (201 * 8 + 1);

    for (int i = 0; i < 201; i++)
      n += (size_t) sprintf (t + n, "{\"a\":%s", i == 150 ? "\n" : "");
    cleanup_free char *e4 = parse_error (t, n);
    is_str (e4, "t.json: nesting deeper than 200 levels at line 2", "deep objects: line of the 201st level");
  }
}

static void
test_duplicates (void)
{
  is_error ("{\n  \"a\": 1,\n  \"b\": {\"x\": 1, \"y\": [\n {\"k\": 1,\n \"k\": 2}]},\n  \"a\": 3\n}",
            "t.json: b.y[0].k: duplicate key (also at line 4) at line 5", "duplicate key inside arrays and objects");
  is_error ("{\"a\": 1, \"a\": 1}", "t.json: a: duplicate key (also at line 1) at line 1", "top-level duplicate");
  is_error ("{\"ann\": {\"com.example.x\": \"1\",\n\"com.example.x\": \"2\"}}",
            "t.json: ann[\"com.example.x\"]: duplicate key (also at line 1) at line 2", "dotted keys are quoted in the path");

  /* a big object takes the sorting path: still the first repeated key, still fast */
  {
    size_t n = 0, cap = 100000 * 24 + 64;
    cleanup_free char *t = xmalloc (cap);
    cleanup_free char *e = NULL;
    double t0;

    n += (size_t) sprintf (t + n, "{\n");
    for (int i = 0; i < 100000; i++)
      n += (size_t) sprintf (t + n, "\"k%d\": %d,\n", i == 90000 ? 10 : i, i);
    n += (size_t) sprintf (t + n, "\"end\": 0}\n");
    t0 = now_ms ();
    e = parse_error (t, n);
    printf ("# 100k-key object with a duplicate: %.1f ms\n", now_ms () - t0);
    is_str (e, "t.json: k10: duplicate key (also at line 12) at line 90002", "duplicate found among 100k keys");
  }
}

static void
test_big_fast (void)
{
  size_t n = 0, cap = 100000 * 32 + 64;
  cleanup_free char *t = xmalloc (cap);
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_json struct ocirt_json *j = NULL;
  double t0, ms;

  n += (size_t) sprintf (t + n, "{\"o\": {\n");
  for (int i = 0; i < 100000; i++)
    n += (size_t) sprintf (t + n, "%s\"key%d\": \"value%d\"\n", i ? "," : "", i, i);
  n += (size_t) sprintf (t + n, "}}\n");
  t0 = now_ms ();
  j = ocirt_json_parse (t, n, "t.json", &err);
  ms = now_ms () - t0;
  printf ("# 100k-key object (%zu bytes): %.1f ms\n", n, ms);
  ok (j != NULL && ocirt_json_get (j, "o")->len == 100000, "100k keys parse");
  ok (ms < 2000, "in well under 2 s (took %.1f ms)", ms);
  is_int (j != NULL ? ocirt_json_get (j, "o")->items[99999]->line : 0, 100001, "last line right");
}

static void
test_file (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_err struct ocirt_err *err2 = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *text2 = NULL;
  char dir[] = "/tmp/ocirt-test-json-XXXXXX";
  cleanup_free char *path = NULL;
  FILE *f;

  ok (ocirt_json_parse_file ("/nonexistent/config.json", &err) == NULL, "missing file fails");
  text = ocirt_err_text (err);
  is_str (text, "open `/nonexistent/config.json`: No such file or directory", "with the path and errno");
  is_int (err->errnum, ENOENT, "errno kept");

  if (mkdtemp (dir) == NULL)
    {
      ok (0, "mkdtemp: %s", strerror (errno));
      return;
    }
  path = xfmt ("%s/config.json", dir);
  f = fopen (path, "w");
  fputs ("{\n  \"a\": [1,\n  2,,\n]}\n", f);
  fclose (f);
  ok (ocirt_json_parse_file (path, &err2) == NULL, "bad file fails");
  text2 = ocirt_err_text (err2);
  is_str (text2, "config.json: syntax error at line 3, column 5: unallowed token at this point in JSON text",
          "messages name the file by its base name");
  ok (ocirt_json_parse_file (dir, &err2) == NULL, "a directory fails");
  unlink (path);
  rmdir (dir);
}

int
main (void)
{
  test_tree ();
  test_scalars_at_end ();
  test_syntax_errors ();
  test_empty_truncated ();
  test_utf8 ();
  test_nul_byte_outside_string ();
  test_empty_containers_first ();
  test_depth ();
  test_duplicates ();
  test_big_fast ();
  test_file ();
  return done_testing ();
}
