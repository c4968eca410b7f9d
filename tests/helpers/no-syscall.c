/* no-syscall NAME[,NAME...] COMMAND [ARG...]: runs COMMAND with a seccomp filter under which the
 * named syscalls fail with ENOSYS, as some container engines' profiles do (clone3, openat2...), so
 * that the tests drive ocirt's fallback paths. Needs no privilege (sets no_new_privs). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
syscall_nr (const char *name)
{
  static const struct
  {
    const char *name;
    int nr;
  } known[] = {
    { "clone3", SYS_clone3 },
    { "openat2", SYS_openat2 },
    { "pidfd_open", SYS_pidfd_open },
    { "mount_setattr", SYS_mount_setattr },
  };

  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp (known[i].name, name) == 0)
      return known[i].nr;
  return -1;
}

int
main (int argc, char **argv)
{
  struct sock_filter f[64];
  struct sock_fprog prog;
  size_t n = 0;
  char *names, *tok, *save = NULL;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s SYSCALL[,SYSCALL...] COMMAND [ARG...]\n", argv[0]);
      return 2;
    }
  /* x86_64 only, as the CI host: the arch check keeps other ABIs away from the numbers */
  f[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch));
  f[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  f[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[n++] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr));
  names = strdup (argv[1]);
  for (tok = strtok_r (names, ",", &save); tok != NULL && n < 60; tok = strtok_r (NULL, ",", &save))
    {
      int nr = syscall_nr (tok);
      if (nr < 0)
        {
          fprintf (stderr, "%s: unknown syscall `%s`\n", argv[0], tok);
          return 2;
        }
      f[n++] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (unsigned) nr, 0, 1);
      f[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    }
  f[n++] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog.len = (unsigned short) n;
  prog.filter = f;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
    {
      perror ("seccomp");
      return 1;
    }
  execvp (argv[2], argv + 2);
  perror (argv[2]);
  return 127;
}
