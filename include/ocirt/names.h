/* Name tables shared by every area: capabilities, signals, rlimits, namespaces, and the enum
 * values config.json may hold for seccomp and friends (src/lib/spec/names.c). */
#ifndef OCIRT_NAMES_H
#define OCIRT_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Capabilities: "CAP_CHOWN" <-> 0 ... "CAP_CHECKPOINT_RESTORE" <-> 40 (values of <linux/capability.h>).
 * Names need the CAP_ prefix; case does not matter (as runc and crun). */
#define OCIRT_CAPABILITY_LAST 40
int ocirt_capability_from_name (const char *name); /* -1 when unknown */
const char *ocirt_capability_name (int cap);        /* NULL when out of range */

/* Signals as runc's kill takes them: "KILL", "SIGKILL", "kill", "9", and the real-time forms
 * "RTMIN", "RTMIN+3", "SIGRTMAX-2". Returns the number, -1 when unknown or out of range. */
int ocirt_signal_from_name (const char *name);
/* "SIGKILL" for 9; NULL for numbers without a name (real-time signals). */
const char *ocirt_signal_name (int sig);

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown. */
int ocirt_rlimit_resource (const char *name);
const char *ocirt_rlimit_type_name (int resource);

/* Namespaces (the enum is in spec.h; ocirt_ns_type_name/from_name are declared there too). */
enum ocirt_ns_type;
int ocirt_ns_clone_flag (enum ocirt_ns_type t);       /* CLONE_NEWPID, ... */
const char *ocirt_ns_proc_name (enum ocirt_ns_type t); /* "pid", "net", "mnt": /proc/PID/ns/<name> */

/* NULL-terminated lists of the values config.json may hold (also what `features` reports). */
extern const char *const ocirt_seccomp_action_names[];   /* "SCMP_ACT_KILL", ... */
extern const char *const ocirt_seccomp_operator_names[]; /* "SCMP_CMP_NE", ... */
extern const char *const ocirt_seccomp_flag_names[];     /* "SECCOMP_FILTER_FLAG_TSYNC", ... */
extern const char *const ocirt_seccomp_arch_names[];     /* "SCMP_ARCH_X86_64", ... */
extern const char *const ocirt_rootfs_propagation_names[];
extern const char *const ocirt_sched_policy_names[];
extern const char *const ocirt_sched_flag_names[];
extern const char *const ocirt_ioprio_class_names[];
extern const char *const ocirt_mempolicy_mode_names[];
extern const char *const ocirt_mempolicy_flag_names[];
extern const char *const ocirt_personality_domain_names[];
/* Index of s in a NULL-terminated list, -1 when absent. */
int ocirt_name_index (const char *const *list, const char *s);

#endif
