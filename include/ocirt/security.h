/* Security of the container process (src/lib/security/): capabilities, seccomp, rlimits, user
 * switching, NNP, LSM labels, sysctl, masked and readonly paths.
 *
 * Split in three so the expensive and failable work happens in the runtime before clone, and the
 * container side only applies: prepare (parent, before clone: name checks, seccomp compile), then in
 * the container apply_rootfs (after pivot_root) and apply_process (the last step before execve). */
#ifndef OCIRT_SECURITY_H
#define OCIRT_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ocirt_err;
struct ocirt_spec;
struct ocirt_process;

struct ocirt_security;

/* Validates and compiles what process needs (capability names, rlimits, seccomp filter of
 * spec->linux_.seccomp). Errors here fail `create` before any process exists. */
int ocirt_security_prepare (const struct ocirt_spec *spec, const struct ocirt_process *proc,
                            struct ocirt_security **out, struct ocirt_err **err);
void ocirt_security_free (struct ocirt_security *s);
void ocirt_security_freep (struct ocirt_security **s);
#define cleanup_security __attribute__ ((cleanup (ocirt_security_freep)))

/* In the container's mount namespace, after pivot_root: maskedPaths, readonlyPaths, sysctl. */
int ocirt_security_apply_rootfs (const struct ocirt_spec *spec, struct ocirt_err **err);

/* The last step before execve, in the container: oomScoreAdj, rlimits, scheduler, ioPriority,
 * personality, CPU affinity, setgroups/setresgid/setresuid (keeping caps), umask, capabilities,
 * noNewPrivileges, LSM labels, and the seccomp filter last. When the filter has a NOTIFY action,
 * the listener fd is written to *notify_fd (else -1): the caller hands it to the runtime, which
 * sends it to linux.seccomp.listenerPath. */
int ocirt_security_apply_process (const struct ocirt_security *s, const struct ocirt_process *proc,
                                  int *notify_fd, struct ocirt_err **err);

/* --- Additions by the security area --- */

#include <sys/types.h>

struct ocirt_state;

/* True when the prepared seccomp filter has a SCMP_ACT_NOTIFY rule: apply_process then returns a
 * listener fd, which the runtime sends with ocirt_seccomp_notify_send. The container process
 * hands it over with sendmsg/write: those two may not be NOTIFY rules (prepare refuses them). */
bool ocirt_security_uses_notify (const struct ocirt_security *s);

/* process.execCPUAffinity.initial: call in the runtime process that will join the container
 * (exec), before it moves into the container's cgroup. "final" is applied by apply_process for
 * exec processes (the spec excludes the init process; prepare tells them apart by
 * proc == spec->process). */
int ocirt_security_apply_affinity_initial (const struct ocirt_process *proc, struct ocirt_err **err);

/* Connects to listener_path (AF_UNIX, SOCK_STREAM), sends the container process state JSON
 * (ociVersion, fds ["seccompFd"], pid, metadata, state) with notify_fd in SCM_RIGHTS, closes.
 * Call from the runtime (host mount namespace), e.g. with st->status "creating". notify_fd stays
 * the caller's to close. */
int ocirt_seccomp_notify_send (const char *listener_path, const char *metadata, int notify_fd, pid_t pid,
                               const struct ocirt_state *st, struct ocirt_err **err);
/* The JSON sent above (for tests). Caller frees. */
char *ocirt_seccomp_notify_state_json (const char *metadata, pid_t pid, const struct ocirt_state *st);

/* linux.mountLabel when SELinux is enabled, else NULL (runc ignores labels without SELinux).
 * The mount code adds `context="<label>"` to the mounts it makes (tmpfs, mqueue, ...). */
const char *ocirt_selinux_mount_label (const struct ocirt_spec *spec);

/* User namespaces (userns.c). */
struct ocirt_id_mapping;
enum ocirt_rootless;
/* --rootless true/false/auto (auto: not root, or root only inside someone else's user namespace). */
bool ocirt_rootless_resolve (enum ocirt_rootless r);
/* Writes /proc/PID/uid_map and gid_map of a child that has just made its user namespace
 * (linux.uidMappings/gidMappings), from the runtime. As root: directly. Unprivileged: directly when
 * a map is only the caller's own id (gid: after writing "deny" to /proc/PID/setgroups, which the
 * kernel requires), else through newuidmap/newgidmap (/etc/subuid, /etc/subgid). */
int ocirt_userns_write_maps (pid_t pid, const struct ocirt_spec *spec, bool rootless, struct ocirt_err **err);
int ocirt_userns_write_id_maps (pid_t pid, const struct ocirt_id_mapping *uids, size_t n_uids,
                                const struct ocirt_id_mapping *gids, size_t n_gids, bool rootless,
                                struct ocirt_err **err);
/* An fd of a new user namespace with these mappings (no process left in it), for idmapped mounts:
 * mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &{ .attr_set = MOUNT_ATTR_IDMAP,
 * .userns_fd = fd }) on an open_tree(OPEN_TREE_CLONE) of the source. Caller closes it. */
int ocirt_userns_open (const struct ocirt_id_mapping *uids, size_t n_uids, const struct ocirt_id_mapping *gids,
                       size_t n_gids, bool rootless, struct ocirt_err **err);
/* "c h s\n" per entry, as uid_map takes it. Caller frees. */
char *ocirt_id_map_text (const struct ocirt_id_mapping *m, size_t n);
bool ocirt_id_map_is_self (const struct ocirt_id_mapping *m, size_t n, uint32_t self);

/* What ocirt knows, for `ocirt features` and docs (names as the spec writes them). */
const char *const *ocirt_seccomp_known_actions (size_t *n);
const char *const *ocirt_seccomp_known_operators (size_t *n);
const char *const *ocirt_seccomp_known_flags (size_t *n);
const char *const *ocirt_seccomp_known_archs (size_t *n);
bool ocirt_apparmor_enabled (void);
bool ocirt_selinux_enabled (void);

/* CVE-2019-5736 (exe-seal.c): re-executes the runtime from a sealed memfd copy of its binary
 * unless it already runs from one (then returns 0 at once). Call first thing in the commands that
 * put a runtime process into a container (create, run, exec), with main's argv. Returns only on
 * failure. */
int ocirt_exe_reexec_sealed (char **argv, struct ocirt_err **err);
bool ocirt_exe_is_sealed (void);

/* Where prepare keeps compiled seccomp programs (e.g. "<root>/.seccomp-cache"; created 0700 on
 * first use); NULL (the default) compiles every time. libseccomp takes ~18 ms for a podman-like
 * profile over x86_64+x86+x32; a cached program loads in microseconds. */
void ocirt_seccomp_set_cache_dir (const char *dir);

/* process.cwd after pivot_root (CVE-2024-21626): resolved inside the root without magic links
 * (so "/proc/self/fd/N" cannot name a runtime fd's directory), created when missing (0755),
 * entered with fchdir, and checked with getcwd. A file gives "process.cwd `X`: chdir: Not a
 * directory", as a plain chdir would. */
int ocirt_security_chdir (const char *cwd, struct ocirt_err **err);

#endif
