/* libFuzzer target: the `exec --process FILE` JSON -> ocirt_process_parse + ocirt_process_check. */
#include <stddef.h>
#include <stdint.h>

#include "ocirt/err.h"
#include "ocirt/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ocirt_err *err = NULL;
  struct ocirt_process *p = ocirt_process_parse ((const char *) data, size, "process.json", &err);

  if (p != NULL)
    {
      ocirt_process_check (p, "process.json", &err);
      ocirt_process_free (p);
    }
  ocirt_err_free (err);
  return 0;
}
