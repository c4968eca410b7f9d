/* `ocirt features` from fixed probe results: what the host answers shows up, nothing else does. */
#include <string.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/features.h"
#include "ocirt/json.h"
#include "ocirt/ocirt.h"
#include "tap.h"

#define FLAG_TSYNC 1UL
#define FLAG_LOG 2UL

static const struct ocirt_json *
path (const struct ocirt_json *j, const char *a, const char *b, const char *c)
{
  j = ocirt_json_get (j, a);
  if (j && b)
    j = ocirt_json_get (j, b);
  if (j && c)
    j = ocirt_json_get (j, c);
  return j;
}

static bool
has_string (const struct ocirt_json *arr, const char *s)
{
  for (size_t i = 0; arr && arr->type == OCIRT_JSON_ARRAY && i < arr->len; i++)
    if (arr->items[i]->type == OCIRT_JSON_STRING && strcmp (arr->items[i]->str, s) == 0)
      return true;
  return false;
}

static const char *
str_at (const struct ocirt_json *arr, size_t i)
{
  return arr && arr->type == OCIRT_JSON_ARRAY && i < arr->len && arr->items[i]->type == OCIRT_JSON_STRING
             ? arr->items[i]->str
             : NULL;
}

static struct ocirt_json *
features_of (const struct ocirt_features_host *h)
{
  cleanup_free char *text = ocirt_features_json (h);
  cleanup_err struct ocirt_err *err = NULL;
  struct ocirt_json *j = ocirt_json_parse (text, strlen (text), "features", &err);

  ok (j != NULL, "the output is JSON%s%s", err ? ": " : "", err ? err->msg : "");
  ok (text[strlen (text) - 1] == '\n', "and ends with a newline");
  return j;
}

static void
test_full_host (void)
{
  struct ocirt_features_host h = { .cap_last_cap = 37, .seccomp = true, .seccomp_flags = FLAG_LOG,
                                   .libseccomp_version = "2.5.4", .apparmor = true, .selinux = false };
  cleanup_json struct ocirt_json *j = features_of (&h);
  const struct ocirt_json *caps, *hooks, *mo, *sc, *ns;

  if (j == NULL)
    return;
  is_str (path (j, "ociVersionMin", NULL, NULL)->str, "1.0.0", "ociVersionMin");
  is_str (path (j, "ociVersionMax", NULL, NULL)->str, OCIRT_SPEC_VERSION, "ociVersionMax is the spec ocirt implements");
  hooks = path (j, "hooks", NULL, NULL);
  is_int (hooks ? hooks->len : 0, 6, "six hook kinds");
  is_str (str_at (hooks, 0), "prestart", "in the spec's order, prestart first");
  is_str (str_at (hooks, 5), "poststop", "poststop last");
  mo = path (j, "mountOptions", NULL, NULL);
  ok (has_string (mo, "rbind") && has_string (mo, "rro") && has_string (mo, "remount") && has_string (mo, "nosymfollow"),
      "mountOptions lists what the mount plan recognizes");
  ok (!has_string (mo, "acl") && !has_string (mo, "mode=755"), "and not what would go to the filesystem as data");
  ns = path (j, "linux", "namespaces", NULL);
  ok (has_string (ns, "user") && has_string (ns, "cgroup") && has_string (ns, "time"), "namespaces include user, cgroup, time");
  caps = path (j, "linux", "capabilities", NULL);
  is_int (caps ? caps->len : 0, 38, "capabilities stop at the kernel's cap_last_cap (37)");
  is_str (str_at (caps, 0), "CAP_CHOWN", "from CAP_CHOWN");
  is_str (str_at (caps, 37), "CAP_AUDIT_READ", "to the kernel's last");
  sc = path (j, "linux", "seccomp", NULL);
  ok (path (sc, "enabled", NULL, NULL) && path (sc, "enabled", NULL, NULL)->boolean, "seccomp enabled");
  ok (has_string (path (sc, "actions", NULL, NULL), "SCMP_ACT_NOTIFY"), "actions include SCMP_ACT_NOTIFY");
  ok (has_string (path (sc, "operators", NULL, NULL), "SCMP_CMP_MASKED_EQ"), "operators include MASKED_EQ");
  ok (has_string (path (sc, "archs", NULL, NULL), "SCMP_ARCH_X86_64"), "archs include x86_64");
  ok (has_string (path (sc, "knownFlags", NULL, NULL), "SECCOMP_FILTER_FLAG_TSYNC"), "knownFlags include TSYNC");
  is_int (path (sc, "supportedFlags", NULL, NULL)->len, 1, "supportedFlags: only what the kernel took");
  is_str (str_at (path (sc, "supportedFlags", NULL, NULL), 0), "SECCOMP_FILTER_FLAG_LOG", "which is LOG here");
  ok (path (j, "linux", "apparmor", "enabled")->boolean, "apparmor as probed (on)");
  ok (!path (j, "linux", "selinux", "enabled")->boolean, "selinux as probed (off)");
  ok (path (j, "linux", "cgroup", "v1")->boolean && path (j, "linux", "cgroup", "v2")->boolean, "cgroup v1 and v2");
  ok (path (j, "linux", "mountExtensions", "idmap") != NULL, "mountExtensions.idmap is stated");
  is_str (path (j, "annotations", "io.github.seccomp.libseccomp.version", NULL)->str, "2.5.4", "libseccomp version");
  is_str (path (j, "annotations", "org.opencontainers.ocirt.version", NULL)->str, OCIRT_VERSION_STRING, "ocirt version");
  ok (path (j, "annotations", "org.opencontainers.ocirt.commit", NULL) != NULL, "ocirt commit");
  ok (path (j, "potentiallyUnsafeConfigAnnotations", NULL, NULL) != NULL, "potentiallyUnsafeConfigAnnotations");
}

static void
test_bare_host (void)
{
  struct ocirt_features_host h = { .cap_last_cap = -1, .seccomp = false };
  cleanup_json struct ocirt_json *j = features_of (&h);
  const struct ocirt_json *sc, *caps;

  if (j == NULL)
    return;
  sc = path (j, "linux", "seccomp", NULL);
  ok (sc && !path (sc, "enabled", NULL, NULL)->boolean, "no seccomp: enabled false");
  ok (sc && sc->len == 1, "and no lists that would promise filters");
  caps = path (j, "linux", "capabilities", NULL);
  is_str (str_at (caps, caps ? caps->len - 1 : 0), "CAP_CHECKPOINT_RESTORE", "unknown cap_last_cap: every known name");
  ok (path (j, "annotations", "io.github.seccomp.libseccomp.version", NULL) == NULL, "no libseccomp version without it");
}

int
main (void)
{
  test_full_host ();
  test_bare_host ();
  return done_testing ();
}
