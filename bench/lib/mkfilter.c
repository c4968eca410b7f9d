/* Compiles a seccomp profile to the raw BPF program the floor installs, with libseccomp, as the
 * runtimes do at every start. Input (stdin) is the profile flattened by profile-rules.jq:
 *
 *   default ACTION ERRNO            (ERRNO is the errno for SCMP_ACT_ERRNO, else ignored)
 *   arch SCMP_ARCH_X86_64
 *   rule ACTION ERRNO NAME [IDX OP VALUE VALUETWO]...
 *
 *   mkfilter OUT.bpf       write the program (struct sock_filter[]) to OUT.bpf
 *   mkfilter --check       list the names libseccomp does not know, write nothing
 *
 * Unknown syscall names, and rules whose action is the default one, are skipped, as runc and crun
 * skip them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t
parse_action (const char *a, unsigned errno_ret)
{
  if (strcmp (a, "SCMP_ACT_ALLOW") == 0)
    return SCMP_ACT_ALLOW;
  if (strcmp (a, "SCMP_ACT_ERRNO") == 0)
    return SCMP_ACT_ERRNO (errno_ret);
  if (strcmp (a, "SCMP_ACT_KILL") == 0)
    return SCMP_ACT_KILL;
  if (strcmp (a, "SCMP_ACT_KILL_PROCESS") == 0)
    return SCMP_ACT_KILL_PROCESS;
  if (strcmp (a, "SCMP_ACT_TRAP") == 0)
    return SCMP_ACT_TRAP;
  if (strcmp (a, "SCMP_ACT_LOG") == 0)
    return SCMP_ACT_LOG;
  fprintf (stderr, "mkfilter: unknown action %s\n", a);
  exit (1);
}

static enum scmp_compare
parse_op (const char *op)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };

  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (op, ops[i].name) == 0)
      return ops[i].op;
  fprintf (stderr, "mkfilter: unknown operator %s\n", op);
  exit (1);
}

int
main (int argc, char **argv)
{
  char line[4096];
  scmp_filter_ctx ctx = NULL;
  uint32_t default_action = 0;
  bool check = argc == 2 && strcmp (argv[1], "--check") == 0;
  int unknown = 0;

  if (argc != 2)
    return fprintf (stderr, "usage: mkfilter OUT.bpf | --check  < rules\n"), 2;
  while (fgets (line, sizeof line, stdin) != NULL)
    {
      char *save = NULL, *kw = strtok_r (line, " \n", &save);
      if (kw == NULL)
        continue;
      if (strcmp (kw, "default") == 0)
        {
          const char *act = strtok_r (NULL, " \n", &save);
          unsigned e = (unsigned) strtoul (strtok_r (NULL, " \n", &save), NULL, 0);
          default_action = parse_action (act, e);
          ctx = seccomp_init (default_action);
          if (ctx == NULL)
            return fprintf (stderr, "mkfilter: seccomp_init failed\n"), 1;
          continue;
        }
      if (ctx == NULL)
        return fprintf (stderr, "mkfilter: `default` must come first\n"), 1;
      if (strcmp (kw, "arch") == 0)
        {
          const char *name = strtok_r (NULL, " \n", &save);
          uint32_t arch = strcmp (name, "SCMP_ARCH_X86_64") == 0 ? SCMP_ARCH_X86_64
                          : strcmp (name, "SCMP_ARCH_X86") == 0  ? SCMP_ARCH_X86
                          : strcmp (name, "SCMP_ARCH_X32") == 0  ? SCMP_ARCH_X32
                                                                 : 0;
          if (arch == 0)
            continue; /* another machine's architecture: nothing to add here */
          int rc = seccomp_arch_add (ctx, arch);
          if (rc < 0 && rc != -EEXIST)
            return fprintf (stderr, "mkfilter: add arch %s: %s\n", name, strerror (-rc)), 1;
          continue;
        }
      if (strcmp (kw, "rule") != 0)
        return fprintf (stderr, "mkfilter: bad line starting with %s\n", kw), 1;

      const char *act = strtok_r (NULL, " \n", &save);
      unsigned e = (unsigned) strtoul (strtok_r (NULL, " \n", &save), NULL, 0);
      const char *name = strtok_r (NULL, " \n", &save);
      struct scmp_arg_cmp cmp[6];
      unsigned ncmp = 0;
      char *tok;

      while ((tok = strtok_r (NULL, " \n", &save)) != NULL && ncmp < 6)
        {
          cmp[ncmp].arg = (unsigned) strtoul (tok, NULL, 0);
          cmp[ncmp].op = parse_op (strtok_r (NULL, " \n", &save));
          cmp[ncmp].datum_a = strtoull (strtok_r (NULL, " \n", &save), NULL, 0);
          cmp[ncmp].datum_b = strtoull (strtok_r (NULL, " \n", &save), NULL, 0);
          ncmp++;
        }
      int nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        {
          if (check)
            printf ("%s\n", name);
          unknown++;
          continue;
        }
      /* A rule that repeats the default action adds nothing (libseccomp refuses it): skipped. */
      if (parse_action (act, e) == default_action)
        continue;
      int rc = seccomp_rule_add_array (ctx, parse_action (act, e), nr, ncmp, cmp);
      if (rc < 0)
        return fprintf (stderr, "mkfilter: rule for %s: %s\n", name, strerror (-rc)), 1;
    }
  if (ctx == NULL)
    return fprintf (stderr, "mkfilter: empty profile\n"), 1;
  if (check)
    return 0;

  int fd = open (argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fprintf (stderr, "mkfilter: open %s: %s\n", argv[1], strerror (errno)), 1;
  int rc = seccomp_export_bpf (ctx, fd);
  if (rc < 0)
    return fprintf (stderr, "mkfilter: export: %s\n", strerror (-rc)), 1;
  close (fd);
  seccomp_release (ctx);
  if (unknown > 0)
    fprintf (stderr, "mkfilter: %d syscall name(s) unknown to libseccomp, skipped\n", unknown);
  return 0;
}
