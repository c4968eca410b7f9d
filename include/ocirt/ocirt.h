/* Public entry points of libocirt, called by the thin CLI (src/cli/). Each command file parses its
 * own flags into an options struct and makes one call here. */
#ifndef OCIRT_OCIRT_H
#define OCIRT_OCIRT_H

#include <stdbool.h>
#include <sys/types.h>

#define OCIRT_VERSION_STRING "0.1.0"
#define OCIRT_SPEC_VERSION "1.3.0"
#define OCIRT_DEFAULT_ROOT "/run/ocirt"

struct ocirt_err;

enum ocirt_rootless
{
  OCIRT_ROOTLESS_AUTO = 0,
  OCIRT_ROOTLESS_TRUE,
  OCIRT_ROOTLESS_FALSE,
};

/* Global flags, as runc takes them. */
struct ocirt_ctx
{
  const char *root; /* state root, default OCIRT_DEFAULT_ROOT */
  bool systemd_cgroup;
  enum ocirt_rootless rootless;
  bool debug;
};

/* Exit status runc uses for "the runtime failed". */
#define OCIRT_EXIT_FAILURE 1

#endif
