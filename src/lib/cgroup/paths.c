/* Pure path logic: cleaning cgroupsPath and the per-hierarchy encoding kept in state.json. */
#include <stdlib.h>
#include <string.h>

#include "cgroup-internal.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/xalloc.h"

char *
ocirt_cg_clean_path (const char *path, struct ocirt_err **err)
{
  bool abs = path[0] == '/';
  char *out = xzalloc (strlen (path) + 2);
  size_t n = 0;
  const char *p = path;

  if (strpbrk (path, ";\n") != NULL)
    {
      free (out);
      ocirt_err_make (err, 0, "linux.cgroupsPath \"%s\": ';' and newlines are not allowed in a cgroup path", path);
      return NULL;
    }
  /* Lexically, as if rooted at "/": ".." never climbs above the start (runc's CleanPath), so a
   * relative path stays below the place it is relative to. */
  while (*p)
    {
      const char *e = strchr (p, '/');
      size_t len = e ? (size_t) (e - p) : strlen (p);

      if (len == 0 || (len == 1 && p[0] == '.'))
        ;
      else if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          while (n > 0 && out[n - 1] != '/')
            n--;
          if (n > 0)
            n--;
        }
      else
        {
          out[n++] = '/';
          memcpy (out + n, p, len);
          n += len;
        }
      p += len;
      if (*p == '/')
        p++;
    }
  out[n] = '\0';
  if (abs)
    {
      if (n == 0)
        strcpy (out, "/");
      return out;
    }
  /* relative: drop the leading '/' we built with (n bytes: the rest and the NUL) */
  if (n > 0)
    memmove (out, out + 1, n);
  return out;
}

char *
ocirt_cg_encode_paths (const char *const *names, const char *const *paths, size_t n)
{
  size_t len = 1;
  char *out;

  if (n == 0)
    return xstrdup ("");
  for (size_t i = 0; i < n; i++)
    len += strlen (names[i]) + strlen (paths[i]) + 2;
  len += strlen (paths[0]);
  out = xzalloc (len + 1);
  strcpy (out, paths[0]);
  for (size_t i = 1; i < n; i++)
    if (strcmp (paths[i], paths[0]) != 0)
      {
        strcat (out, ";");
        strcat (out, names[i]);
        strcat (out, "=");
        strcat (out, paths[i]);
      }
  return out;
}

char *
ocirt_cg_decode_path (const char *enc, const char *name)
{
  const char *semi = strchr (enc, ';');
  size_t nlen = strlen (name);

  if (enc[0] != '/')
    return NULL;
  while (semi != NULL)
    {
      const char *item = semi + 1, *eq = strchr (item, '=');
      semi = strchr (item, ';');
      if (eq == NULL || (semi != NULL && eq > semi))
        return NULL;
      if ((size_t) (eq - item) == nlen && strncmp (item, name, nlen) == 0)
        return semi ? xstrndup (eq + 1, (size_t) (semi - eq - 1)) : xstrdup (eq + 1);
    }
  semi = strchr (enc, ';');
  return semi ? xstrndup (enc, (size_t) (semi - enc)) : xstrdup (enc);
}
