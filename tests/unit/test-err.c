/* The error object and the JSON writer's formatting. */
#include <errno.h>
#include <stdlib.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "tap.h"

static int
fails_with_errno (struct ocirt_err **err)
{
  return ocirt_err_make (err, ENOENT, "open `%s`", "/nope");
}

static void
test_make_wrap (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *text = NULL;

  is_int (fails_with_errno (&err), -1, "make returns -1");
  is_int (err->errnum, ENOENT, "errno kept");
  ocirt_err_wrap (&err, "create container `%s`", "c1");
  text = ocirt_err_text (err);
  is_str (text, "create container `c1`: open `/nope`: No such file or directory", "wrap prefixes, text adds strerror");
}

static void
test_first_error_wins (void)
{
  cleanup_err struct ocirt_err *err = NULL;

  ocirt_err_make (&err, 0, "first");
  ocirt_err_make (&err, EPERM, "second");
  is_str (err->msg, "first", "a second make keeps the first cause");
  is_int (err->errnum, 0, "and its errno");
}

static void
test_writer (void)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (true);
  cleanup_jw struct ocirt_jw *c = ocirt_jw_new (false);

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "a", "x\"<y>\n");
  ocirt_jw_key (w, "b");
  ocirt_jw_arr_open (w);
  ocirt_jw_int (w, -1);
  ocirt_jw_uint (w, 18446744073709551615ULL);
  ocirt_jw_arr_close (w);
  ocirt_jw_key (w, "e");
  ocirt_jw_obj_open (w);
  ocirt_jw_obj_close (w);
  ocirt_jw_obj_close (w);
  is_str (ocirt_jw_text (w, NULL),
          "{\n  \"a\": \"x\\\"\\u003cy\\u003e\\n\",\n  \"b\": [\n    -1,\n    18446744073709551615\n  ],\n  \"e\": {}\n}",
          "pretty output matches Go's MarshalIndent");

  ocirt_jw_arr_open (c);
  ocirt_jw_bool (c, true);
  ocirt_jw_null (c);
  ocirt_jw_str (c, "\x01");
  ocirt_jw_arr_close (c);
  is_str (ocirt_jw_text (c, NULL), "[true,null,\"\\u0001\"]", "compact output");
}

int
main (void)
{
  test_make_wrap ();
  test_first_error_wins ();
  test_writer ();
  return done_testing ();
}
