/* `ocirt features`: the JSON of the runtime spec's features.md and features-linux.md, true to this
 * build and this kernel (src/lib/spec/features.c).
 *
 * Two halves so the output is testable: ocirt_features_probe looks at the host (cap_last_cap,
 * seccomp filter flags the kernel accepts, LSMs), ocirt_features_json turns a probe result and
 * what this build implements into the document. Lists come from the code that implements them
 * (mount options the mount plan recognizes, the security area's seccomp tables, the capability
 * name table), not from a copy. */
#ifndef OCIRT_FEATURES_H
#define OCIRT_FEATURES_H

#include <stdbool.h>

struct ocirt_features_host
{
  int cap_last_cap;              /* /proc/sys/kernel/cap_last_cap; -1 when unknown (every known name) */
  bool seccomp;                  /* libseccomp is built in and the kernel filters syscalls */
  unsigned long seccomp_flags;   /* SECCOMP_FILTER_FLAG_* bits the kernel accepts */
  char libseccomp_version[32];   /* "2.5.4"; "" without libseccomp */
  bool apparmor;                 /* AppArmor is enabled on this host */
  bool selinux;                  /* SELinux is enabled on this host */
};

void ocirt_features_probe (struct ocirt_features_host *h);
/* The document, pretty-printed, with a trailing newline. */
char *ocirt_features_json (const struct ocirt_features_host *h);

#endif
