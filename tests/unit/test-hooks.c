/* The hooks module alone: /bin/sh hooks checking stdin, args, env, status, timeout, order. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/hooks.h"
#include "ocirt/ocirt.h"
#include "ocirt/xalloc.h"
#include "tap.h"

static char dir[] = "/tmp/ocirt-test-hooks-XXXXXX";

/* A hook running `sh -c SCRIPT hook DIR`: scripts use $1 for the scratch dir. Arrays are
 * NULL-terminated, as the parser makes them. */
static struct ocirt_hook
sh_hook (const char *script, char **env, size_t n_env, int64_t timeout)
{
  char **args = xzalloc (6 * sizeof *args);
  struct ocirt_hook h = { .path = (char *) "/bin/sh", .args = args, .n_args = 5, .env = env, .n_env = n_env };

  args[0] = (char *) "sh";
  args[1] = (char *) "-c";
  args[2] = (char *) script;
  args[3] = (char *) "hook";
  args[4] = dir;
  h.has_timeout = timeout > 0;
  h.timeout = timeout;
  return h;
}

static char *
slurp (const char *name)
{
  cleanup_free char *path = xfmt ("%s/%s", dir, name);
  cleanup_fclose FILE *f = fopen (path, "re");
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n;

  if (f == NULL)
    return NULL;
  n = getdelim (&buf, &cap, '\0', f);
  if (n < 0)
    {
      free (buf);
      return xstrdup ("");
    }
  return buf;
}

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Dead: gone, or a zombie waiting for whoever reaps orphans here. */
static bool
pid_dead (pid_t pid)
{
  cleanup_free char *path = xfmt ("/proc/%d/stat", (int) pid);
  cleanup_fclose FILE *f = fopen (path, "re");
  char state = 0;

  if (f == NULL)
    return true;
  return fscanf (f, "%*d (%*[^)]) %c", &state) == 1 && state == 'Z';
}

/* The pid a script wrote to DIR/name is dead (and killed if it was not). */
static bool
pid_gone (const char *name)
{
  cleanup_free char *s = slurp (name);
  pid_t pid = s ? (pid_t) atoi (s) : 0;
  bool gone;

  if (pid <= 0)
    return false;
  for (int i = 0; i < 50 && !pid_dead (pid); i++)
    usleep (10000);
  gone = pid_dead (pid);
  if (!gone)
    kill (pid, SIGKILL);
  return gone;
}

static void
test_stdin_args_env (void)
{
  char *env[] = { (char *) "FOO=bar baz", (char *) "PATH=/usr/bin:/bin", NULL };
  struct ocirt_hook h = sh_hook ("cat > \"$1/stdin\"; echo \"$0|$1\" > \"$1/args\"; echo \"$FOO|${HOME-unset}\" > \"$1/env\"",
                                 env, 2, 0);
  struct ocirt_hooks hooks = { 0 };
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *in = NULL, *args = NULL, *envs = NULL, *want_args = NULL;
  const char *state = "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}";

  hooks.list[OCIRT_HOOK_CREATE_RUNTIME] = &h;
  hooks.n[OCIRT_HOOK_CREATE_RUNTIME] = 1;
  is_int (ocirt_hooks_run (&hooks, OCIRT_HOOK_CREATE_RUNTIME, state, &err), 0, "a hook that succeeds");
  is_str (in = slurp ("stdin"), state, "the hook reads the state JSON on stdin, byte for byte");
  want_args = xfmt ("hook|%s\n", dir);
  is_str (args = slurp ("args"), want_args, "args are argv as given (argv[0] from args)");
  is_str (envs = slurp ("env"), "bar baz|unset\n", "env is exactly the hook's env");
  free (h.args);
}

static void
test_kinds_without_hooks (void)
{
  struct ocirt_hooks hooks = { 0 };
  cleanup_err struct ocirt_err *err = NULL;

  is_int (ocirt_hooks_run (NULL, OCIRT_HOOK_PRESTART, "{}", &err), 0, "no hooks object: nothing to do");
  is_int (ocirt_hooks_run (&hooks, OCIRT_HOOK_POSTSTOP, "{}", &err), 0, "an empty list: nothing to do");
  ok (err == NULL, "and no error");
}

static void
test_failure_names_hook (void)
{
  struct ocirt_hook h[3] = {
    sh_hook ("echo first >> \"$1/order\"", NULL, 0, 0),
    sh_hook ("echo second >> \"$1/order\"; echo 'line one'; echo 'no such bridge br0' >&2; exit 3", NULL, 0, 0),
    sh_hook ("echo third >> \"$1/order\"", NULL, 0, 0),
  };
  struct ocirt_hooks hooks = { 0 };
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *order = NULL;

  hooks.list[OCIRT_HOOK_PRESTART] = h;
  hooks.n[OCIRT_HOOK_PRESTART] = 3;
  is_int (ocirt_hooks_run (&hooks, OCIRT_HOOK_PRESTART, "{}", &err), -1, "a failing prestart hook is an error");
  is_str (err ? err->msg : NULL, "prestart hook #1 (/bin/sh) failed: exit status 3; output: line one; no such bridge br0",
          "the error names kind, index, path, status and the output's tail");
  is_str (order = slurp ("order"), "first\nsecond\n", "hooks ran in order and the list stopped at the failure");
  for (int i = 0; i < 3; i++)
    free (h[i].args);
}

static void
test_poststop_warns (void)
{
  struct ocirt_hook h[3] = {
    sh_hook ("echo a >> \"$1/poststop\"; exit 1", NULL, 0, 0),
    sh_hook ("echo b >> \"$1/poststop\"; kill -TERM $$", NULL, 0, 0),
    sh_hook ("echo c >> \"$1/poststop\"", NULL, 0, 0),
  };
  struct ocirt_hooks hooks = { 0 };
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *seen = NULL;

  hooks.list[OCIRT_HOOK_POSTSTOP] = h;
  hooks.n[OCIRT_HOOK_POSTSTOP] = 3;
  is_int (ocirt_hooks_run (&hooks, OCIRT_HOOK_POSTSTOP, "{}", &err), 0, "failing poststop hooks are warnings");
  ok (err == NULL, "no error for poststop");
  is_str (seen = slurp ("poststop"), "a\nb\nc\n", "the remaining poststop hooks still ran");

  is_int (ocirt_hook_run (&h[1], OCIRT_HOOK_POSTSTOP, 1, "{}", &err), -1, "one poststop hook alone reports failure");
  is_str (err ? err->msg : NULL, "poststop hook #1 (/bin/sh) failed: killed by signal SIGTERM",
          "a hook killed by a signal says which");
  for (int i = 0; i < 3; i++)
    free (h[i].args);
}

static void
test_timeout (void)
{
  struct ocirt_hook h = sh_hook ("sleep 30 & echo $! > \"$1/bgpid\"; echo waiting; wait", NULL, 0, 1);
  cleanup_err struct ocirt_err *err = NULL;
  double t0 = now_s (), took;

  is_int (ocirt_hook_run (&h, OCIRT_HOOK_CREATE_RUNTIME, 0, "{}", &err), -1, "a hanging hook fails");
  took = now_s () - t0;
  is_str (err ? err->msg : NULL, "createRuntime hook #0 (/bin/sh) timed out after 1s; output: waiting",
          "the error says which hook timed out and after how long");
  ok (took >= 0.9 && took < 3, "it was killed at its timeout (took %.2fs)", took);
  ok (pid_gone ("bgpid"), "what the hook started was killed with it");
  free (h.args);
}

/* Kills the process whose pid a script wrote to DIR/name. */
static void
kill_recorded (const char *name)
{
  cleanup_free char *s = slurp (name);

  if (s != NULL && atoi (s) > 0)
    kill ((pid_t) atoi (s), SIGKILL);
}

static void
test_leftover_does_not_block (void)
{
  /* a daemon the hook starts keeps the output pipe open: the runtime must not wait for it */
  struct ocirt_hook h = sh_hook ("sleep 5 & echo $! > \"$1/daemon\"; echo done", NULL, 0, 0);
  cleanup_err struct ocirt_err *err = NULL;
  double t0 = now_s (), took;

  is_int (ocirt_hook_run (&h, OCIRT_HOOK_POSTSTART, 0, "{}", &err), 0, "a hook leaving a process behind succeeds");
  took = now_s () - t0;
  ok (took < 2, "and returns when the hook exits, not when the pipe closes (took %.2fs)", took);
  kill_recorded ("daemon");
  free (h.args);
}

static void
test_large_state_unread (void)
{
  struct ocirt_hook h = sh_hook ("exit 0", NULL, 0, 5);
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *big = xmalloc (1 << 20);

  memset (big, 'x', (1 << 20) - 1);
  big[(1 << 20) - 1] = '\0';
  is_int (ocirt_hook_run (&h, OCIRT_HOOK_POSTSTART, 0, big, &err), 0,
          "a hook that never reads a 1 MiB state does not block the runtime");
  free (h.args);
}

static void
test_exec_failure (void)
{
  struct ocirt_hook h = { .path = (char *) "/nonexistent/hook" };
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *text = NULL;

  is_int (ocirt_hook_run (&h, OCIRT_HOOK_START_CONTAINER, 2, "{}", &err), -1, "a missing hook binary fails");
  text = err ? ocirt_err_text (err) : NULL;
  is_str (text, "startContainer hook #2 (/nonexistent/hook) failed to start: No such file or directory",
          "with the errno of execve");
}

static void
test_chatty_hook (void)
{
  struct ocirt_hook h = sh_hook ("i=0; while [ $i -lt 3000 ]; do echo \"line $i of a chatty hook\"; i=$((i+1)); done; exit 2",
                                 NULL, 0, 10);
  cleanup_err struct ocirt_err *err = NULL;

  is_int (ocirt_hook_run (&h, OCIRT_HOOK_POSTSTART, 0, "{}", &err), -1, "a chatty failing hook");
  is_str (err ? err->msg : NULL,
          "poststart hook #0 (/bin/sh) failed: exit status 2; output: line 2997 of a chatty hook; "
          "line 2998 of a chatty hook; line 2999 of a chatty hook",
          "the error keeps only the last lines of ~90 KiB of output");
  free (h.args);
}

static void
test_status_of_kind (void)
{
  is_int (ocirt_hook_status (OCIRT_HOOK_PRESTART), OCIRT_STATUS_CREATED, "prestart sees created (runc, hooks_stdin)");
  is_int (ocirt_hook_status (OCIRT_HOOK_CREATE_RUNTIME), OCIRT_STATUS_CREATING, "createRuntime sees creating");
  is_int (ocirt_hook_status (OCIRT_HOOK_CREATE_CONTAINER), OCIRT_STATUS_CREATING, "createContainer sees creating");
  is_int (ocirt_hook_status (OCIRT_HOOK_START_CONTAINER), OCIRT_STATUS_CREATED, "startContainer sees created");
  is_int (ocirt_hook_status (OCIRT_HOOK_POSTSTART), OCIRT_STATUS_RUNNING, "poststart sees running");
  is_int (ocirt_hook_status (OCIRT_HOOK_POSTSTOP), OCIRT_STATUS_STOPPED, "poststop sees stopped");
}

static void
test_state_json (void)
{
  struct ocirt_keyval ann[] = { { (char *) "org.example.k", (char *) "v \"q\"" } };
  struct ocirt_spec spec = { .oci_version = (char *) "1.2.0", .annotations = ann, .n_annotations = 1 };
  struct ocirt_spec bare = { 0 };
  cleanup_free char *a = ocirt_hook_state_json (&spec, OCIRT_HOOK_CREATE_RUNTIME, "c1", "/b", 42);
  cleanup_free char *b = ocirt_hook_state_json (&bare, OCIRT_HOOK_POSTSTOP, "c2", "/b2", 0);

  is_str (a, "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\","
             "\"annotations\":{\"org.example.k\":\"v \\\"q\\\"\"}}",
          "the spec's state object, runc's field order, the kind's status");
  is_str (b, "{\"ociVersion\":\"" OCIRT_SPEC_VERSION "\",\"id\":\"c2\",\"status\":\"stopped\",\"bundle\":\"/b2\"}",
          "no pid when unknown, no annotations when none");
}

int
main (void)
{
  cleanup_free char *rm = NULL;

  if (mkdtemp (dir) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  test_stdin_args_env ();
  test_kinds_without_hooks ();
  test_failure_names_hook ();
  test_poststop_warns ();
  test_timeout ();
  test_leftover_does_not_block ();
  test_large_state_unread ();
  test_exec_failure ();
  test_chatty_hook ();
  test_status_of_kind ();
  test_state_json ();
  rm = xfmt ("rm -rf '%s'", dir);
  if (system (rm) != 0)
    fprintf (stderr, "# could not remove %s\n", dir);
  return done_testing ();
}
