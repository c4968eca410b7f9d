/* libFuzzer target: <root>/<id>/state.json -> ocirt_state_parse, and every rendition `state` and
 * `list` make of what it accepted. Also a round trip: what ocirt_state_serialize writes must parse
 * back (abort otherwise, so the fuzzer reports it). */
#include <stdlib.h>
#include <string.h>

#include "ocirt/err.h"
#include "ocirt/state.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ocirt_err *err = NULL;
  struct ocirt_state *st = ocirt_state_parse ((const char *) data, size, "state.json", &err);

  if (st != NULL)
    {
      char *a = ocirt_state_to_json (st, true);
      char *b = ocirt_state_list_json (&st, 1);
      char *c = ocirt_state_list_table (&st, 1);
      char *d = ocirt_state_serialize (st);
      struct ocirt_state *back = ocirt_state_parse (d, strlen (d), "serialized", &err);

      if (back == NULL)
        abort ();
      ocirt_state_free (back);
      free (a);
      free (b);
      free (c);
      free (d);
      ocirt_state_free (st);
    }
  ocirt_err_free (err);
  return 0;
}
