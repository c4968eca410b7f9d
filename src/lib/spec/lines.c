/* JSON path text and the address -> line map the parser fills for later, semantic messages. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocirt/xalloc.h"
#include "spec-internal.h"

static void
path_reserve (struct path_buf *p, size_t more)
{
  if (p->len + more + 1 <= p->cap)
    return;
  p->cap = (p->len + more + 1) * 2;
  if (p->cap < 64)
    p->cap = 64;
  p->s = xrealloc (p->s, p->cap);
}

static bool
plain_key (const char *k)
{
  if (*k == '\0')
    return false;
  for (; *k; k++)
    if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_'))
      return false;
  return true;
}

size_t
path_key (struct path_buf *p, const char *key)
{
  size_t old = p->len, n = strlen (key);

  path_reserve (p, 2 * n + 5);
  if (plain_key (key))
    {
      if (p->len > 0)
        p->s[p->len++] = '.';
      memcpy (p->s + p->len, key, n);
      p->len += n;
    }
  else
    {
      p->s[p->len++] = '[';
      p->s[p->len++] = '"';
      for (const char *k = key; *k; k++)
        {
          if (*k == '"' || *k == '\\')
            p->s[p->len++] = '\\';
          p->s[p->len++] = *k;
        }
      p->s[p->len++] = '"';
      p->s[p->len++] = ']';
    }
  p->s[p->len] = '\0';
  return old;
}

size_t
path_index (struct path_buf *p, size_t i)
{
  size_t old = p->len;

  char digits[24];
  size_t n = 0;

  do
    digits[n++] = (char) ('0' + i % 10);
  while ((i /= 10) > 0);
  path_reserve (p, n + 2);
  p->s[p->len++] = '[';
  while (n > 0)
    p->s[p->len++] = digits[--n];
  p->s[p->len++] = ']';
  p->s[p->len] = '\0';
  return old;
}

void
path_cut (struct path_buf *p, size_t len)
{
  p->len = len;
  if (p->s != NULL)
    p->s[len] = '\0';
}

const char *
path_text (struct path_buf *p)
{
  return p->s != NULL ? p->s : "";
}

void
path_free (struct path_buf *p)
{
  free (p->s);
  p->s = NULL;
  p->len = p->cap = 0;
}

struct line_slot
{
  const void *key;
  unsigned line;
};

struct ocirt_spec_lines
{
  struct line_slot *slots;
  size_t used, mask;
};

static size_t
slot_of (const struct ocirt_spec_lines *t, const void *key)
{
  uint64_t h = (uint64_t) (uintptr_t) key * 0x9E3779B97F4A7C15ULL;
  size_t i = (size_t) (h >> 32) & t->mask;

  while (t->slots[i].key != NULL && t->slots[i].key != key)
    i = (i + 1) & t->mask;
  return i;
}

struct ocirt_spec_lines *
lines_new (void)
{
  struct ocirt_spec_lines *t = xzalloc (sizeof *t);

  t->mask = 255;
  t->slots = xzalloc ((t->mask + 1) * sizeof *t->slots);
  return t;
}

static void
lines_grow (struct ocirt_spec_lines *t)
{
  struct line_slot *old = t->slots;
  size_t n = t->mask + 1;

  t->mask = n * 2 - 1;
  t->slots = xzalloc ((t->mask + 1) * sizeof *t->slots);
  for (size_t i = 0; i < n; i++)
    if (old[i].key != NULL)
      t->slots[slot_of (t, old[i].key)] = old[i];
  free (old);
}

void
lines_put (struct ocirt_spec_lines *t, const void *key, unsigned line)
{
  size_t i;

  if (t == NULL || key == NULL)
    return;
  if ((t->used + 1) * 2 > t->mask + 1)
    lines_grow (t);
  i = slot_of (t, key);
  if (t->slots[i].key == NULL)
    t->used++;
  t->slots[i].key = key;
  t->slots[i].line = line;
}

unsigned
lines_get (const struct ocirt_spec_lines *t, const void *key)
{
  size_t i;

  if (t == NULL || key == NULL)
    return 0;
  i = slot_of (t, key);
  return t->slots[i].key == key ? t->slots[i].line : 0;
}

void
lines_free (struct ocirt_spec_lines *t)
{
  if (t == NULL)
    return;
  free (t->slots);
  free (t);
}
