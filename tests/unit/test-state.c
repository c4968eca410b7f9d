/* The state store: id rules, atomic writes, the lock protocol, refresh, list, and the JSON shapes
 * (golden files in tests/golden/). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/state.h"
#include "ocirt/xalloc.h"
#include "tap.h"

static char root[256];

/* Strings made inline in assertions are kept here and freed at the end (tests run under ASan). */
static char *pool[256];
static size_t n_pool;

static char *
keep (char *s)
{
  if (n_pool < sizeof pool / sizeof pool[0])
    pool[n_pool++] = s;
  return s;
}
#define K(...) keep (xfmt (__VA_ARGS__))

static char *
slurp (const char *path)
{
  FILE *f = fopen (path, "r");
  char *buf = NULL;
  size_t cap = 0;
  ssize_t n;

  if (f == NULL)
    return NULL;
  n = getdelim (&buf, &cap, '\0', f);
  fclose (f);
  if (n < 0)
    {
      free (buf);
      return xstrdup ("");
    }
  return buf;
}

static void
put_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  if (f == NULL)
    abort ();
  fputs (text, f);
  fclose (f);
}

static char *
err_text_of (struct ocirt_err *e)
{
  return e ? ocirt_err_text (e) : xstrdup ("(no error)");
}

/* A state with every field set; annotations deliberately unsorted. */
static struct ocirt_state *
sample_state (const char *id)
{
  struct ocirt_state *st = xzalloc (sizeof *st);
  st->oci_version = xstrdup ("1.3.0");
  st->id = xstrdup (id);
  st->status = OCIRT_STATUS_RUNNING;
  st->pid = 4242;
  st->pid_start_time = 123456789;
  st->bundle = xstrdup ("/srv/bundles/web");
  st->rootfs = xstrdup ("/srv/bundles/web/rootfs");
  st->created = xstrdup ("2026-01-02T03:04:05.123456789Z");
  st->owner = xstrdup ("");
  st->cgroup_path = xstrdup ("/ocirt/web");
  st->rootless = false;
  st->systemd_cgroup = true;
  st->n_annotations = 2;
  st->annotation_keys = xzalloc (3 * sizeof (char *));
  st->annotation_values = xzalloc (3 * sizeof (char *));
  st->annotation_keys[0] = xstrdup ("org.example.z");
  st->annotation_values[0] = xstrdup ("last <&>");
  st->annotation_keys[1] = xstrdup ("com.example.a");
  st->annotation_values[1] = xstrdup ("first \"quoted\"\n");
  return st;
}

static void
check_id (const char *id, const char *want)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *text = NULL;
  char shown[48];
  int r = ocirt_id_validate (id, &err);

  /* a TAP description must stay on one line and short */
  size_t k = 0;
  for (; k < sizeof shown - 1 && id[k] != '\0'; k++)
    shown[k] = (id[k] < 0x20 || id[k] > 0x7e) ? '?' : id[k];
  shown[k] = '\0';

  if (want == NULL)
    {
      text = err_text_of (err);
      ok (r == 0, "id %s is valid (%s)", shown, r == 0 ? "ok" : text);
      return;
    }
  text = err_text_of (err);
  ok (r == -1, "id %s is rejected", shown);
  is_str (text, want, "  with the message");
}

static void
test_ids (void)
{
  char long_ok[1025], too_long[1026];

  memset (long_ok, 'a', 1024);
  long_ok[1024] = '\0';
  memset (too_long, 'b', 1025);
  too_long[1025] = '\0';

  check_id ("a", NULL);
  check_id ("0", NULL);
  check_id ("My_ctr-1.2+3", NULL);
  check_id ("a..b", NULL);
  check_id (long_ok, NULL);
  check_id ("", "invalid container ID \"\": it must not be empty");
  check_id (".", "invalid container ID \".\": it must not be \".\" or \"..\"");
  check_id ("..", "invalid container ID \"..\": it must not be \".\" or \"..\"");
  check_id ("a/b", "invalid container ID \"a/b\": it must not contain \"/\"");
  check_id ("../etc", "invalid container ID \"../etc\": it must not contain \"/\"");
  check_id ("-rf", "invalid container ID \"-rf\": it must start with a letter or a digit");
  check_id (".hidden", "invalid container ID \".hidden\": it must start with a letter or a digit");
  check_id ("_x", "invalid container ID \"_x\": it must start with a letter or a digit");
  check_id ("a b", "invalid container ID \"a b\": character ' ' at offset 1 is not allowed "
                   "(allowed: letters, digits and _ . + -)");
  check_id ("ab\n", "invalid container ID \"ab\\x0a\": character '\\x0a' at offset 2 is not allowed "
                    "(allowed: letters, digits and _ . + -)");
  check_id ("caf\xc3\xa9", "invalid container ID \"caf\\xc3\\xa9\": character '\\xc3' at offset 3 is not allowed "
                           "(allowed: letters, digits and _ . + -)");
  check_id (too_long, "invalid container ID \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...\": "
                      "it is 1025 bytes long, the limit is 1024");
}

static void
test_status_names (void)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
  for (int i = 0; i < 5; i++)
    {
      is_str (ocirt_status_name ((enum ocirt_status) i), names[i], "status %d is %s", i, names[i]);
      is_int (ocirt_status_from_name (names[i]), i, "and back");
    }
  is_int (ocirt_status_from_name ("zombie"), -1, "unknown status name");
}

static void
same_state (const struct ocirt_state *a, const struct ocirt_state *b)
{
  bool annotations_same = a->n_annotations == b->n_annotations;
  for (size_t i = 0; annotations_same && i < a->n_annotations; i++)
    annotations_same = strcmp (a->annotation_keys[i], b->annotation_keys[i]) == 0
                       && strcmp (a->annotation_values[i], b->annotation_values[i]) == 0;
  is_str (b->oci_version, a->oci_version, "round trip: ociVersion");
  is_str (b->id, a->id, "round trip: id");
  is_int (b->status, a->status, "round trip: status");
  is_int (b->pid, a->pid, "round trip: pid");
  ok (b->pid_start_time == a->pid_start_time, "round trip: pid_start_time");
  is_str (b->bundle, a->bundle, "round trip: bundle");
  is_str (b->rootfs, a->rootfs, "round trip: rootfs");
  is_str (b->created, a->created, "round trip: created");
  is_str (b->owner, a->owner, "round trip: owner");
  is_str (b->cgroup_path, a->cgroup_path, "round trip: cgroup_path");
  is_int (b->rootless, a->rootless, "round trip: rootless");
  is_int (b->systemd_cgroup, a->systemd_cgroup, "round trip: systemd_cgroup");
  ok (annotations_same, "round trip: annotations, in order");
}

static void
test_round_trip (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_state struct ocirt_state *st = sample_state ("rt1");
  cleanup_state struct ocirt_state *back = NULL;
  cleanup_free char *path = xfmt ("%s/rt1", root);
  struct stat sb;

  ok (ocirt_state_dir_create (root, "rt1", &err) == 0, "dir_create");
  ok (stat (path, &sb) == 0 && (sb.st_mode & 07777) == 0711, "state dir is 0711");
  ok (ocirt_state_write (root, st, &err) == 0, "write");
  free (path);
  path = xfmt ("%s/rt1/state.json", root);
  ok (stat (path, &sb) == 0 && (sb.st_mode & 07777) == 0600, "state.json is 0600");
  ok (ocirt_state_read (root, "rt1", &back, &err) == 0 && back != NULL, "read");
  if (back != NULL)
    same_state (st, back);

  /* absent optional fields */
  free (st->cgroup_path);
  st->cgroup_path = NULL;
  ocirt_state_free (back);
  back = NULL;
  ok (ocirt_state_write (root, st, &err) == 0 && ocirt_state_read (root, "rt1", &back, &err) == 0,
      "write and read without a cgroup path");
  ok (back != NULL && back->cgroup_path == NULL, "cgroup_path stays NULL");
  ok (ocirt_state_dir_create (root, "rt1", &err) == -1, "dir_create of an existing id fails");
  {
    cleanup_free char *text = err_text_of (err);
    is_str (text, "container with given ID already exists: \"rt1\"", "with runc's wording");
  }
}

static void
test_golden (void)
{
  cleanup_state struct ocirt_state *st = sample_state ("web");
  cleanup_state struct ocirt_state *st2 = sample_state ("db");
  cleanup_free char *store = ocirt_state_serialize (st);
  cleanup_free char *pretty = ocirt_state_to_json (st, true);
  cleanup_free char *want_store = slurp (OCIRT_SOURCE_ROOT "/tests/golden/state-store.json");
  cleanup_free char *want_pretty = slurp (OCIRT_SOURCE_ROOT "/tests/golden/state.json");
  cleanup_free char *want_list = slurp (OCIRT_SOURCE_ROOT "/tests/golden/list.json");
  cleanup_free char *want_table = slurp (OCIRT_SOURCE_ROOT "/tests/golden/list.txt");
  cleanup_free char *want_stopped = slurp (OCIRT_SOURCE_ROOT "/tests/golden/state-stopped.json");
  cleanup_free char *list = NULL, *table = NULL, *empty = NULL, *stopped = NULL;
  struct ocirt_state *two[2];

  /* golden files end with a newline (editors add one); the outputs do not */
  is_str (K ("%s\n", store), want_store, "state.json on disk matches tests/golden/state-store.json");
  is_str (K ("%s\n", pretty), want_pretty, "`state` output matches tests/golden/state.json");

  st2->status = OCIRT_STATUS_CREATED;
  free (st2->owner);
  st2->owner = xstrdup ("root");
  free (st2->bundle);
  st2->bundle = xstrdup ("/b");
  st2->n_annotations = 0;
  two[0] = st2;
  two[1] = st;
  free (st->owner);
  st->owner = xstrdup ("daemon");
  list = ocirt_state_list_json (two, 2);
  is_str (K ("%s\n", list), want_list, "`list -f json` matches tests/golden/list.json");
  table = ocirt_state_list_table (two, 2);
  is_str (table, want_table, "`list` table matches tests/golden/list.txt");
  empty = ocirt_state_list_json (NULL, 0);
  is_str (empty, "null", "`list -f json` of nothing is null, as runc");

  free (st->owner);
  st->owner = xstrdup ("");
  st->status = OCIRT_STATUS_STOPPED;
  st->n_annotations = 0;
  stopped = ocirt_state_to_json (st, true);
  is_str (K ("%s\n", stopped), want_stopped, "stopped: pid 0, no annotations (tests/golden/state-stopped.json)");
  st->n_annotations = 2; /* so that free releases them */
  st2->n_annotations = 2;
}

static void
test_parse_errors (void)
{
  static const struct
  {
    const char *json, *want;
  } cases[] = {
    { "[]", "state.json: expected an object, got array at line 1" },
    { "{\"id\":\"x\"}", "state.json: ociVersion: missing" },
    { "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"dead\",\"pid\":1,\"bundle\":\"/b\",\"created\":\"t\"}",
      "state.json: status: unknown status \"dead\" at line 1" },
    { "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":-1,\"bundle\":\"/b\",\"created\":\"t\"}",
      "state.json: pid: expected an integer from 0 to 2147483647, got -1 at line 1" },
    { "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\n\"pid\":\"1\",\"bundle\":\"/b\",\"created\":\"t\"}",
      "state.json: pid: expected number, got string at line 2" },
    { "{\"ociVersion\":\"1\",\"id\":\"x\",\"status\":\"running\",\"pid\":1,\"bundle\":\"/b\",\"created\":\"t\","
      "\"annotations\":{\"k\":1}}",
      "state.json: annotations.k: expected string, got number at line 1" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_err struct ocirt_err *err = NULL;
      cleanup_free char *text = NULL;
      struct ocirt_state *st = ocirt_state_parse (cases[i].json, strlen (cases[i].json), "state.json", &err);
      ok (st == NULL, "bad state %zu is rejected", i);
      ocirt_state_free (st);
      text = err_text_of (err);
      is_str (text, cases[i].want, "  with its path");
    }
}

static void
test_read_errors (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_state struct ocirt_state *st = NULL;
  cleanup_state struct ocirt_state *other = sample_state ("someone-else");
  cleanup_free char *text = NULL, *path = NULL;

  ok (ocirt_state_read (root, "nope", &st, &err) == -1 && st == NULL, "reading a missing id fails");
  text = err_text_of (err);
  is_str (text, "container \"nope\" does not exist", "with runc's wording");
  free (text);
  ocirt_err_free (err);
  err = NULL;

  ok (ocirt_state_read ("/nonexistent-root-ocirt", "x", &st, &err) == -1, "a missing root: does not exist too");
  text = err_text_of (err);
  is_str (text, "container \"x\" does not exist", "  same message");
  free (text);
  ocirt_err_free (err);
  err = NULL;

  ok (ocirt_state_read (root, "../x", &st, &err) == -1, "an invalid id is refused before any path is built");
  ocirt_err_free (err);
  err = NULL;

  ocirt_state_dir_create (root, "mismatch", &err);
  path = xfmt ("%s/mismatch/state.json", root);
  {
    cleanup_free char *text2 = ocirt_state_serialize (other);
    put_file (path, text2);
  }
  ok (ocirt_state_read (root, "mismatch", &st, &err) == -1, "a state.json naming another id is refused");
  text = err_text_of (err);
  ok (strstr (text, "holds the state of \"someone-else\", not of \"mismatch\"") != NULL, "  and says so: %s", text);
  free (text);
  text = NULL;
  ocirt_err_free (err);
  err = NULL;
  ocirt_state_remove (root, "mismatch", &err);
}

/* A crash after writing state.json.tmp but before the rename. */
static void
test_crash_before_rename (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_state struct ocirt_state *st = sample_state ("crash");
  cleanup_state struct ocirt_state *back = NULL;
  cleanup_free char *tmp = xfmt ("%s/crash/state.json.tmp", root);

  ocirt_state_dir_create (root, "crash", &err);
  ocirt_state_write (root, st, &err);
  put_file (tmp, "{\"ociVersion\":\"1.3.0\",\"id\":\"crash\",\"sta"); /* torn */
  ok (ocirt_state_read (root, "crash", &back, &err) == 0 && back->pid == 4242,
      "a torn state.json.tmp left by a crash: the old state is still read");
  ocirt_state_free (back);
  back = NULL;
  st->pid = 77;
  ok (ocirt_state_write (root, st, &err) == 0, "the next write succeeds over the stale tmp");
  ok (ocirt_state_read (root, "crash", &back, &err) == 0 && back->pid == 77, "and is read back");
  ok (access (tmp, F_OK) < 0 && errno == ENOENT, "no tmp file is left behind");
  ocirt_state_remove (root, "crash", &err);
}

#define WRITERS 20
#define WRITES 40
#define READERS 3

static int
writer (int n)
{
  for (int i = 0; i < WRITES; i++)
    {
      cleanup_err struct ocirt_err *err = NULL;
      cleanup_state struct ocirt_state *st = NULL;
      int fd = -1;

      if (ocirt_state_lock (root, "busy", &fd, &err) < 0 || ocirt_state_read (root, "busy", &st, &err) < 0)
        return 1;
      st->pid_start_time++; /* the counter: lost updates show a broken lock */
      st->pid = n;
      /* vary the size so a torn read would show */
      for (size_t k = 0; k < st->n_annotations; k++)
        {
          free (st->annotation_values[k]);
          st->annotation_values[k] = xfmt ("%*d", (n * 37 + i * 11) % 300, n);
        }
      if (ocirt_state_write (root, st, &err) < 0)
        return 1;
      ocirt_state_unlock (root, "busy", &fd);
    }
  return 0;
}

static int
reader (volatile int *stop)
{
  int reads = 0;
  while (!*stop || reads < 10)
    {
      cleanup_err struct ocirt_err *err = NULL;
      cleanup_state struct ocirt_state *st = NULL;
      if (ocirt_state_read (root, "busy", &st, &err) < 0)
        {
          cleanup_free char *text = ocirt_err_text (err);
          fprintf (stderr, "reader: %s\n", text);
          return 1;
        }
      reads++;
    }
  return 0;
}

static void
test_concurrent_writers (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_state struct ocirt_state *st = sample_state ("busy");
  cleanup_state struct ocirt_state *back = NULL;
  volatile int *stop = mmap (NULL, sizeof (int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pid_t readers[READERS], writers[WRITERS];
  int bad_writers = 0, bad_readers = 0, status;

  st->pid_start_time = 0;
  ocirt_state_dir_create (root, "busy", &err);
  ocirt_state_write (root, st, &err);
  *stop = 0;
  fflush (stdout); /* children _exit, but never print twice what is buffered */
  for (int i = 0; i < READERS; i++)
    if ((readers[i] = fork ()) == 0)
      _exit (reader (stop));
  for (int i = 0; i < WRITERS; i++)
    if ((writers[i] = fork ()) == 0)
      _exit (writer (i));
  for (int i = 0; i < WRITERS; i++)
    if (waitpid (writers[i], &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
      bad_writers++;
  *stop = 1;
  for (int i = 0; i < READERS; i++)
    if (waitpid (readers[i], &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
      bad_readers++;
  is_int (bad_writers, 0, "%d writers x %d locked read-modify-writes all succeeded", WRITERS, WRITES);
  is_int (bad_readers, 0, "%d unlocked readers never saw a partial or corrupt state.json", READERS);
  ok (ocirt_state_read (root, "busy", &back, &err) == 0, "final state readable");
  ok (back != NULL && back->pid_start_time == WRITERS * WRITES, "no update was lost: counter is %d",
      WRITERS * WRITES);
  munmap ((void *) stop, sizeof (int));
  ocirt_state_remove (root, "busy", &err);
}

/* Creators and deleters racing on one id, with the lock file removed on every delete: the
 * protocol must still let one process at a time in. */
static int
churner (volatile int *inside, volatile int *overlaps)
{
  for (int i = 0; i < 60; i++)
    {
      cleanup_err struct ocirt_err *err = NULL;
      int fd = -1;

      if (ocirt_state_lock (root, "churn", &fd, &err) < 0)
        return 1;
      if (__sync_add_and_fetch (inside, 1) != 1)
        __sync_add_and_fetch (overlaps, 1);
      usleep (50);
      if (ocirt_state_dir_create (root, "churn", &err) < 0)
        {
          ocirt_err_free (err);
          err = NULL;
          if (ocirt_state_remove (root, "churn", &err) < 0)
            return 1;
        }
      __sync_sub_and_fetch (inside, 1);
      ocirt_state_unlock (root, "churn", &fd);
    }
  return 0;
}

static void
test_lock_file_removal (void)
{
  volatile int *shared = mmap (NULL, 2 * sizeof (int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  cleanup_free char *lock = xfmt ("%s/.locks/churn", root);
  cleanup_free char *dir = xfmt ("%s/churn", root);
  cleanup_err struct ocirt_err *err = NULL;
  pid_t kids[8];
  int bad = 0, status, fd = -1;

  shared[0] = shared[1] = 0;
  fflush (stdout);
  for (int i = 0; i < 8; i++)
    if ((kids[i] = fork ()) == 0)
      _exit (churner (&shared[0], &shared[1]));
  for (int i = 0; i < 8; i++)
    if (waitpid (kids[i], &status, 0) < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
      bad++;
  is_int (bad, 0, "8 processes creating and deleting one id under the lock all succeeded");
  is_int (shared[1], 0, "never two inside the lock at once, though delete unlinks the lock file");
  /* 8 x 60 toggles: even, so the id ends deleted and its lock file with it */
  ok (access (dir, F_OK) < 0 && access (lock, F_OK) < 0, "after the last delete, neither state dir nor lock file");

  ok (ocirt_state_lock (root, "keep", &fd, &err) == 0 && fd >= 0, "lock a fresh id");
  ocirt_state_dir_create (root, "keep", &err);
  ocirt_state_unlock (root, "keep", &fd);
  is_int (fd, -1, "unlock resets the fd");
  free (lock);
  lock = xfmt ("%s/.locks/keep", root);
  ok (access (lock, F_OK) == 0, "unlock keeps the lock file while the container exists");
  ocirt_state_lock (root, "keep", &fd, &err);
  ocirt_state_remove (root, "keep", &err);
  ocirt_state_unlock (root, "keep", &fd);
  ok (access (lock, F_OK) < 0, "and removes it once the container is gone");
  ok (ocirt_state_lock (root, "bad/id", &fd, &err) == -1 && fd == -1, "lock validates the id");
  munmap ((void *) shared, 2 * sizeof (int));
}

static void
test_remove (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_free char *outside = xfmt ("%s-outside", root);
  cleanup_free char *sub = xfmt ("%s/rm/sub/deeper", root);
  cleanup_free char *link = xfmt ("%s/rm/escape", root);
  cleanup_free char *victim = xfmt ("%s/precious", outside);
  cleanup_free char *text = NULL;

  mkdir (outside, 0700);
  put_file (victim, "keep me");
  ocirt_state_dir_create (root, "rm", &err);
  mkdir (K ("%s/rm/sub", root), 0700);
  mkdir (sub, 0700);
  put_file (K ("%s/f", sub), "x");
  mkfifo (K ("%s/rm/exec.fifo", root), 0600);
  symlink (outside, link);
  ok (ocirt_state_remove (root, "rm", &err) == 0, "remove a state dir with files, a fifo, subdirs, a symlink");
  ok (access (K ("%s/rm", root), F_OK) < 0, "it is gone");
  ok (access (victim, F_OK) == 0, "the symlink's target outside is untouched");
  ok (ocirt_state_remove (root, "rm", &err) == -1, "removing it again fails");
  text = err_text_of (err);
  is_str (text, "container \"rm\" does not exist", "  as does not exist");
  unlink (victim);
  rmdir (outside);
}

static void
test_refresh (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  cleanup_state struct ocirt_state *st = sample_state ("live");
  cleanup_free char *fifo = xfmt ("%s/live/exec.fifo", root);
  uint64_t me = 0;
  pid_t child;

  ok (ocirt_proc_start_time (getpid (), &me, &err) == 0 && me > 0, "start time of this process");
  ok (ocirt_proc_start_time (999999999, &me, &err) == -1, "start time of a missing pid fails");
  ocirt_state_dir_create (root, "live", &err);
  ocirt_proc_start_time (getpid (), &me, NULL);
  st->pid = getpid ();
  st->pid_start_time = me;
  st->status = OCIRT_STATUS_RUNNING;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "running", "live pid, same start time: running");
  st->status = OCIRT_STATUS_PAUSED;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "paused", "paused stays paused");
  mkfifo (fifo, 0600);
  st->status = OCIRT_STATUS_CREATED;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "created", "exec.fifo present: created");
  unlink (fifo);
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "running", "recorded created but fifo gone: running");
  st->pid_start_time = me + 1;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "stopped", "pid reused (other start time): stopped");

  fflush (stdout);
  child = fork ();
  if (child == 0)
    _exit (0);
  usleep (100000); /* a zombie until reaped */
  st->pid = child;
  st->pid_start_time = 0;
  st->status = OCIRT_STATUS_RUNNING;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "stopped", "zombie init: stopped");
  waitpid (child, NULL, 0);
  st->status = OCIRT_STATUS_RUNNING;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "stopped", "reaped init: stopped");
  st->pid = 0;
  st->status = OCIRT_STATUS_CREATING;
  ocirt_state_refresh (root, st);
  is_str (ocirt_status_name (st->status), "creating", "creating without a pid yet: creating");
  ocirt_state_remove (root, "live", &err);
}

static void
test_list (void)
{
  cleanup_err struct ocirt_err *err = NULL;
  struct ocirt_state **list = NULL;
  size_t n = 99;
  const char *ids[] = { "zeta", "alpha", "mid" };
  cleanup_free char *listroot = xfmt ("%s/listroot", root);

  ok (ocirt_state_list (listroot, &list, &n, &err) == 0 && n == 0 && list == NULL, "missing root: empty list");
  for (int i = 0; i < 3; i++)
    {
      cleanup_state struct ocirt_state *st = sample_state (ids[i]);
      int fd = -1;
      ocirt_state_lock (listroot, ids[i], &fd, &err);
      ocirt_state_dir_create (listroot, ids[i], &err);
      ocirt_state_write (listroot, st, &err);
      ocirt_state_unlock (listroot, ids[i], &fd);
    }
  ocirt_state_dir_create (listroot, "creating", &err); /* no state.json yet */
  ocirt_state_dir_create (listroot, "broken", &err);
  put_file (K ("%s/broken/state.json", listroot), "{");
  put_file (K ("%s/stray-file", listroot), "");
  ok (ocirt_state_list (listroot, &list, &n, &err) == 0, "list");
  is_int (n, 3, "three containers: no lock dir, stray file, half-created or broken entry");
  if (n == 3)
    {
      is_str (list[0]->id, "alpha", "sorted by id");
      is_str (list[1]->id, "mid", "sorted by id");
      is_str (list[2]->id, "zeta", "sorted by id");
      struct passwd *pw = getpwuid (getuid ());
      is_str (list[0]->owner, pw ? pw->pw_name : K ("#%u", (unsigned) getuid ()),
              "owner is the state dir's owner, by name");
    }
  ocirt_state_list_free (list, n);
}

static void
test_passwd_name (void)
{
  static const char text[] = "root:x:0:0:root:/root:/bin/bash\n"
                             "# a comment:x:5:5\n"
                             "broken line\n"
                             "bad:x:12a:0::/:\n"
                             ":x:13:0::/:\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "again:x:1:1::/:\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
  struct
  {
    uid_t uid;
    const char *name;
  } cases[] = { { 0, "root" }, { 1, "daemon" }, { 65534, "nobody" }, { 12, NULL }, { 13, NULL }, { 5, "# a comment" },
                { 1000, NULL } };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      FILE *f = fmemopen ((void *) text, sizeof text - 1, "r");
      cleanup_free char *name = ocirt_passwd_name (f, cases[i].uid);
      fclose (f);
      if (cases[i].name == NULL)
        ok (name == NULL, "passwd: uid %u has no name (%s)", (unsigned) cases[i].uid, name ? name : "none");
      else
        is_str (name, cases[i].name, "passwd: uid %u", (unsigned) cases[i].uid);
    }
}

static void
test_now (void)
{
  cleanup_free char *now = ocirt_rfc3339nano_now ();
  regex_t re;

  regcomp (&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*[1-9])?Z$", REG_EXTENDED);
  ok (regexec (&re, now, 0, NULL, 0) == 0, "RFC3339Nano UTC, trailing zeros trimmed: %s", now);
  regfree (&re);
}

int
main (void)
{
  const char *tmp = getenv ("TMPDIR");
  cleanup_free char *cmd = NULL;

  snprintf (root, sizeof root, "%s/ocirt-test-state-XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp (root) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  test_ids ();
  test_status_names ();
  test_round_trip ();
  test_golden ();
  test_parse_errors ();
  test_read_errors ();
  test_crash_before_rename ();
  test_concurrent_writers ();
  test_lock_file_removal ();
  test_remove ();
  test_refresh ();
  test_list ();
  test_passwd_name ();
  test_now ();
  cmd = xfmt ("rm -rf '%s'", root);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", root);
  for (size_t i = 0; i < n_pool; i++)
    free (pool[i]);
  return done_testing ();
}
