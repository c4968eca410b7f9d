/* Shared by the spec area's files only (json.c, parse.c, validate.c): JSON path text and the
 * table of lines. Not a public interface. */
#ifndef OCIRT_SPEC_INTERNAL_H
#define OCIRT_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* A growing JSON path such as `linux.namespaces[2].type`. */
struct path_buf
{
  char *s;
  size_t len, cap;
};

/* Appends `.key` (or `key` at the start); keys that are not plain identifiers are written as
 * `["key"]` so that "net.ipv4.ip_forward" stays readable. Returns the old length for path_cut. */
size_t path_key (struct path_buf *p, const char *key);
size_t path_index (struct path_buf *p, size_t i);
void path_cut (struct path_buf *p, size_t len);
void path_free (struct path_buf *p);
/* The current text ("" when empty); valid until the next append. */
const char *path_text (struct path_buf *p);

/* Where each parsed value stood: a small open-addressing map from an address inside the parsed
 * spec (a string, an array element, an embedded struct) to its line in config.json. */
struct ocirt_spec_lines;
struct ocirt_spec_lines *lines_new (void);
void lines_put (struct ocirt_spec_lines *t, const void *key, unsigned line);
unsigned lines_get (const struct ocirt_spec_lines *t, const void *key);
void lines_free (struct ocirt_spec_lines *t);

#endif
