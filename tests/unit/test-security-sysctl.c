/* linux.sysctl: which namespace each key needs, and the validation against linux.namespaces. */
#include <stdlib.h>
#include <string.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "src/lib/security/security-internal.h"
#include "tap.h"

static void
test_classify (void)
{
  is_int (ocirt_sysctl_namespace ("kernel.msgmax"), OCIRT_NS_IPC, "kernel.msgmax is ipc");
  is_int (ocirt_sysctl_namespace ("kernel.sem"), OCIRT_NS_IPC, "kernel.sem is ipc");
  is_int (ocirt_sysctl_namespace ("kernel.shm_rmid_forced"), OCIRT_NS_IPC, "kernel.shm_rmid_forced is ipc");
  is_int (ocirt_sysctl_namespace ("fs.mqueue.queues_max"), OCIRT_NS_IPC, "fs.mqueue.* is ipc");
  is_int (ocirt_sysctl_namespace ("net.ipv4.ip_forward"), OCIRT_NS_NETWORK, "net.* is net");
  is_int (ocirt_sysctl_namespace ("net/ipv4/conf/eth0.100/forwarding"), OCIRT_NS_NETWORK, "slash form");
  is_int (ocirt_sysctl_namespace ("kernel.hostname"), OCIRT_NS_UTS, "kernel.hostname is uts");
  is_int (ocirt_sysctl_namespace ("kernel.domainname"), OCIRT_NS_UTS, "kernel.domainname is uts");
  is_int (ocirt_sysctl_namespace ("kernel.pid_max"), -1, "kernel.pid_max is not namespaced");
  is_int (ocirt_sysctl_namespace ("vm.overcommit_memory"), -1, "vm.* is not namespaced");
  is_int (ocirt_sysctl_namespace ("fs.file-max"), -1, "fs.file-max is not namespaced");
}

static int
validate (const char *key, enum ocirt_ns_type *types, size_t n, struct ocirt_err **err)
{
  struct ocirt_namespace ns[8] = { 0 };
  struct ocirt_keyval kv = { .key = (char *) key, .value = "1" };
  struct ocirt_spec spec = { 0 };
  size_t i;

  for (i = 0; i < n; i++)
    ns[i].type = types[i];
  spec.has_linux = true;
  spec.linux_.namespaces = ns;
  spec.linux_.n_namespaces = n;
  spec.linux_.sysctl = &kv;
  spec.linux_.n_sysctl = 1;
  return ocirt_sysctl_validate (&spec, err);
}

static void
test_validate (void)
{
  enum ocirt_ns_type all[] = { OCIRT_NS_PID, OCIRT_NS_IPC, OCIRT_NS_NETWORK, OCIRT_NS_UTS, OCIRT_NS_MOUNT };
  enum ocirt_ns_type few[] = { OCIRT_NS_PID, OCIRT_NS_MOUNT };

  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (validate ("net.ipv4.ip_forward", all, 5, &err), 0, "net.* with a net namespace");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (validate ("kernel.shmmax", all, 5, &err), 0, "kernel.shm* with an ipc namespace");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (validate ("net.ipv4.ip_forward", few, 2, &err), -1, "net.* without a net namespace");
    is_str (err ? err->msg : NULL,
            "linux.sysctl: `net.ipv4.ip_forward` needs a network namespace for the container, but linux.namespaces "
            "has none (it would change the host's)",
            "message names the key and the namespace");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (validate ("kernel.domainname", few, 2, &err), -1, "kernel.domainname without uts");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (validate ("kernel.pid_max", all, 5, &err), -1, "not namespaced");
    is_str (err ? err->msg : NULL, "linux.sysctl: `kernel.pid_max` is not a namespaced sysctl: the container may not set it",
            "message for a host-wide sysctl");
  }
  {
    cleanup_err struct ocirt_err *err = NULL;
    is_int (validate ("net/../../kernel/pid_max", all, 5, &err), -1, "`..` in a key is refused");
  }
}

int
main (void)
{
  test_classify ();
  test_validate ();
  return done_testing ();
}
