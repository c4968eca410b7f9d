/* User namespace map text and the "only my own id" test that decides between writing uid_map
 * directly and newuidmap. */
#include <stdlib.h>

#include "ocirt/cleanup.h"
#include "ocirt/ocirt.h"
#include "ocirt/security.h"
#include "ocirt/spec.h"
#include "tap.h"

int
main (void)
{
  struct ocirt_id_mapping two[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
  struct ocirt_id_mapping self[] = { { 0, 1000, 1 } };
  struct ocirt_id_mapping wide[] = { { 0, 1000, 2 } };
  cleanup_free char *t = ocirt_id_map_text (two, 2);
  cleanup_free char *e = ocirt_id_map_text (two, 0);

  is_str (t, "0 1000 1\n1 100000 65536\n", "uid_map text, one line per mapping");
  is_str (e, "", "no mappings, no text");
  ok (ocirt_id_map_is_self (self, 1, 1000), "one id, the caller's own");
  ok (!ocirt_id_map_is_self (self, 1, 1001), "another id");
  ok (!ocirt_id_map_is_self (wide, 1, 1000), "more than one id");
  ok (!ocirt_id_map_is_self (two, 2, 1000), "more than one mapping");
  ok (ocirt_rootless_resolve (OCIRT_ROOTLESS_TRUE), "--rootless true");
  ok (!ocirt_rootless_resolve (OCIRT_ROOTLESS_FALSE), "--rootless false");
  return done_testing ();
}
