/* libFuzzer target: the mount option parser (src/lib/linux/mount-plan.h). The input is a list of
 * options, one per line (as config.json's mounts[].options strings); besides
 * ocirt_mount_flags_parse it goes through the data splitter, the path cleaner and the
 * propagation names, all of which see text from config.json. */
#include <stdlib.h>
#include <string.h>

#include "ocirt/err.h"
#include "ocirt/xalloc.h"
#include "src/lib/linux/mount-plan.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ocirt_err *err = NULL;
  struct ocirt_mount_flags f;
  char *text = xmalloc (size + 1);
  char **opts = xzalloc ((size + 2) * sizeof *opts);
  size_t n = 0;
  char *line = text;

  memcpy (text, data, size);
  text[size] = '\0';
  for (char *p = text;; p++)
    if (*p == '\n' || *p == '\0')
      {
        bool end = *p == '\0';
        *p = '\0';
        opts[n++] = line;
        line = p + 1;
        if (end)
          break;
      }
  if (ocirt_mount_flags_parse (opts, n, &f, &err) == 0)
    {
      char **parts = ocirt_mount_data_split (f.data);
      for (char **q = parts; *q != NULL; q++)
        free (*q);
      free (parts);
      ocirt_mount_flags_free (&f);
    }
  for (size_t i = 0; i < n; i++)
    {
      free (ocirt_path_clean (opts[i]));
      ocirt_propagation_parse (opts[i]);
    }
  ocirt_err_free (err);
  free (opts);
  free (text);
  return 0;
}
