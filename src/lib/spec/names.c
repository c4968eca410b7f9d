/* Name tables: capabilities, signals, rlimits, namespaces and the enum values of config.json. */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "ocirt/names.h"
#include "ocirt/spec.h"

_Static_assert (CAP_LAST_CAP >= OCIRT_CAPABILITY_LAST, "kernel headers older than CAP_CHECKPOINT_RESTORE");

#define CAP(n) [CAP_##n] = "CAP_" #n
static const char *const cap_names[OCIRT_CAPABILITY_LAST + 1] = {
  CAP (CHOWN),           CAP (DAC_OVERRIDE),   CAP (DAC_READ_SEARCH), CAP (FOWNER),
  CAP (FSETID),          CAP (KILL),           CAP (SETGID),          CAP (SETUID),
  CAP (SETPCAP),         CAP (LINUX_IMMUTABLE), CAP (NET_BIND_SERVICE), CAP (NET_BROADCAST),
  CAP (NET_ADMIN),       CAP (NET_RAW),        CAP (IPC_LOCK),        CAP (IPC_OWNER),
  CAP (SYS_MODULE),      CAP (SYS_RAWIO),      CAP (SYS_CHROOT),      CAP (SYS_PTRACE),
  CAP (SYS_PACCT),       CAP (SYS_ADMIN),      CAP (SYS_BOOT),        CAP (SYS_NICE),
  CAP (SYS_RESOURCE),    CAP (SYS_TIME),       CAP (SYS_TTY_CONFIG),  CAP (MKNOD),
  CAP (LEASE),           CAP (AUDIT_WRITE),    CAP (AUDIT_CONTROL),   CAP (SETFCAP),
  CAP (MAC_OVERRIDE),    CAP (MAC_ADMIN),      CAP (SYSLOG),          CAP (WAKE_ALARM),
  CAP (BLOCK_SUSPEND),   CAP (AUDIT_READ),     CAP (PERFMON),         CAP (BPF),
  CAP (CHECKPOINT_RESTORE),
};
#undef CAP

int
ocirt_capability_from_name (const char *name)
{
  if (name == NULL || strncasecmp (name, "CAP_", 4) != 0)
    return -1;
  /* the spec writes them upper case: try that first, it is what every config holds */
  for (int i = 0; i <= OCIRT_CAPABILITY_LAST; i++)
    if (cap_names[i][4] == name[4] && strcmp (cap_names[i] + 4, name + 4) == 0)
      return i;
  /* runc and crun take any case */
  for (int i = 0; i <= OCIRT_CAPABILITY_LAST; i++)
    if (strcasecmp (cap_names[i] + 4, name + 4) == 0)
      return i;
  return -1;
}

const char *
ocirt_capability_name (int cap)
{
  return cap >= 0 && cap <= OCIRT_CAPABILITY_LAST ? cap_names[cap] : NULL;
}

struct sig_name
{
  const char *name; /* without SIG */
  int num;
};

/* The first name of each number is the one printed. */
static const struct sig_name signals[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },     { "ILL", SIGILL },
  { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },     { "IOT", SIGIOT },       { "BUS", SIGBUS },
  { "FPE", SIGFPE },       { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },     { "TERM", SIGTERM },
  { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },     { "CLD", SIGCHLD },      { "CONT", SIGCONT },
  { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
  { "URG", SIGURG },       { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM },
  { "PROF", SIGPROF },     { "WINCH", SIGWINCH },   { "IO", SIGIO },         { "POLL", SIGPOLL },
  { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

/* Parses a decimal 0..999 at s (whole string); -1 otherwise. */
static int
small_number (const char *s)
{
  int v = 0;

  if (*s == '\0' || strlen (s) > 3)
    return -1;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '9')
        return -1;
      v = v * 10 + (*s - '0');
    }
  return v;
}

int
ocirt_signal_from_name (const char *name)
{
  const char *s = name;
  int n;

  if (name == NULL)
    return -1;
  n = small_number (s);
  if (n >= 0)
    return n >= 1 && n < NSIG ? n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    if (strcasecmp (signals[i].name, s) == 0)
      return signals[i].num;
  /* real-time signals: RTMIN, RTMIN+n, RTMAX, RTMAX-n (glibc's numbering, as kill(1)) */
  if (strncasecmp (s, "RTMIN", 5) == 0 || strncasecmp (s, "RTMAX", 5) == 0)
    {
      bool min = strncasecmp (s, "RTMIN", 5) == 0;
      int base = min ? SIGRTMIN : SIGRTMAX, off = 0;

      s += 5;
      if (*s != '\0')
        {
          if (*s != (min ? '+' : '-'))
            return -1;
          off = small_number (s + 1);
          if (off < 0)
            return -1;
        }
      n = min ? base + off : base - off;
      return n >= SIGRTMIN && n <= SIGRTMAX ? n : -1;
    }
  return -1;
}

const char *
ocirt_signal_name (int sig)
{
  static const char *const full[] = {
    [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
    [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
    [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
    [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",     [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
    [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
    [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
    [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",       [SIGSYS] = "SIGSYS",
  };

  if (sig <= 0 || (size_t) sig >= sizeof full / sizeof full[0])
    return NULL;
  return full[sig];
}

#define RL(n) { "RLIMIT_" #n, RLIMIT_##n }
static const struct
{
  const char *name;
  int resource;
} rlimits[] = {
  RL (CPU),     RL (FSIZE),      RL (DATA),     RL (STACK), RL (CORE),  RL (RSS),
  RL (NPROC),   RL (NOFILE),     RL (MEMLOCK),  RL (AS),    RL (LOCKS), RL (SIGPENDING),
  RL (MSGQUEUE), RL (NICE),      RL (RTPRIO),   RL (RTTIME),
};
#undef RL

int
ocirt_rlimit_resource (const char *name)
{
  if (name == NULL)
    return -1;
  for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
    if (strcmp (rlimits[i].name, name) == 0)
      return rlimits[i].resource;
  return -1;
}

const char *
ocirt_rlimit_type_name (int resource)
{
  for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
    if (rlimits[i].resource == resource)
      return rlimits[i].name;
  return NULL;
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  const char *spec_name, *proc_name;
  int clone_flag;
} namespaces[OCIRT_NS__COUNT] = {
  [OCIRT_NS_PID] = { "pid", "pid", CLONE_NEWPID },
  [OCIRT_NS_NETWORK] = { "network", "net", CLONE_NEWNET },
  [OCIRT_NS_MOUNT] = { "mount", "mnt", CLONE_NEWNS },
  [OCIRT_NS_IPC] = { "ipc", "ipc", CLONE_NEWIPC },
  [OCIRT_NS_UTS] = { "uts", "uts", CLONE_NEWUTS },
  [OCIRT_NS_USER] = { "user", "user", CLONE_NEWUSER },
  [OCIRT_NS_CGROUP] = { "cgroup", "cgroup", CLONE_NEWCGROUP },
  [OCIRT_NS_TIME] = { "time", "time", CLONE_NEWTIME },
};

const char *
ocirt_ns_type_name (enum ocirt_ns_type t)
{
  return (unsigned) t < OCIRT_NS__COUNT ? namespaces[t].spec_name : "unknown";
}

int
ocirt_ns_type_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; i < OCIRT_NS__COUNT; i++)
    if (strcmp (namespaces[i].spec_name, name) == 0)
      return i;
  return -1;
}

int
ocirt_ns_clone_flag (enum ocirt_ns_type t)
{
  return (unsigned) t < OCIRT_NS__COUNT ? namespaces[t].clone_flag : 0;
}

const char *
ocirt_ns_proc_name (enum ocirt_ns_type t)
{
  return (unsigned) t < OCIRT_NS__COUNT ? namespaces[t].proc_name : NULL;
}

const char *
ocirt_hook_kind_name (enum ocirt_hook_kind k)
{
  static const char *const names[OCIRT_HOOK__COUNT] = {
    [OCIRT_HOOK_PRESTART] = "prestart",
    [OCIRT_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCIRT_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCIRT_HOOK_START_CONTAINER] = "startContainer",
    [OCIRT_HOOK_POSTSTART] = "poststart",
    [OCIRT_HOOK_POSTSTOP] = "poststop",
  };

  return (unsigned) k < OCIRT_HOOK__COUNT ? names[k] : "unknown";
}

const char *const ocirt_seccomp_action_names[] = {
  "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", NULL,
};

const char *const ocirt_seccomp_operator_names[] = {
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
  NULL,
};

const char *const ocirt_seccomp_flag_names[] = {
  "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

const char *const ocirt_seccomp_arch_names[] = {
  "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",   "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",    "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",     "SCMP_ARCH_SH",        "SCMP_ARCH_SHEB",
  "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64",   NULL,
};

/* The spec lists private, shared, slave and unbindable; runc also takes the recursive forms. */
const char *const ocirt_rootfs_propagation_names[] = {
  "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable", NULL,
};

const char *const ocirt_sched_policy_names[] = {
  "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

const char *const ocirt_sched_flag_names[] = {
  "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

const char *const ocirt_ioprio_class_names[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };

const char *const ocirt_mempolicy_mode_names[] = {
  "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
  "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL,
};

const char *const ocirt_mempolicy_flag_names[] = { "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
                                              NULL };

const char *const ocirt_personality_domain_names[] = { "LINUX", "LINUX32", NULL };

int
ocirt_name_index (const char *const *list, const char *s)
{
  if (s == NULL)
    return -1;
  for (int i = 0; list[i] != NULL; i++)
    if (strcmp (list[i], s) == 0)
      return i;
  return -1;
}
