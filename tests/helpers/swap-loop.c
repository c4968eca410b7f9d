/* swap-loop: exchanges two paths atomically (renameat2 RENAME_EXCHANGE) as fast as it can, for the
 * mount-target race test (CVE-2021-30465).
 *
 *   swap-loop [--timeout SECONDS] A B
 *
 * Runs until killed or SECONDS (default 60) pass; on exit, both paths are back where they started
 * (an even number of exchanges). Prints the number of exchanges on stdout when it ends. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  (void) sig;
  stop = 1;
}

static int
exchange (const char *a, const char *b)
{
  return (int) syscall (SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int
main (int argc, char **argv)
{
  unsigned long n = 0;
  int timeout = 60, i = 1;

  if (argc > 2 && strcmp (argv[1], "--timeout") == 0)
    {
      timeout = atoi (argv[2]);
      i = 3;
    }
  if (argc - i != 2)
    {
      fprintf (stderr, "usage: swap-loop [--timeout SECONDS] A B\n");
      return 2;
    }
  signal (SIGTERM, on_signal);
  signal (SIGINT, on_signal);
  signal (SIGALRM, on_signal);
  alarm ((unsigned) timeout);
  while (!stop)
    {
      if (exchange (argv[i], argv[i + 1]) < 0)
        {
          fprintf (stderr, "swap-loop: exchange `%s` and `%s`: %s\n", argv[i], argv[i + 1], strerror (errno));
          return 1;
        }
      n++;
    }
  if (n % 2 == 1 && exchange (argv[i], argv[i + 1]) == 0)
    n++;
  printf ("%lu\n", n);
  return 0;
}
