/* The state store (see state.h and docs/state.md).
 *
 * Layout under the root (default /run/ocirt, 0700):
 *   <root>/<id>/            0711, one per container
 *   <root>/<id>/state.json  0600, written atomically: state.json.tmp, fsync, rename
 *   <root>/<id>/exec.fifo   while the container is created (made by the lifecycle engine)
 *   <root>/.locks/<id>      the id's lock file (flock)
 *
 * Lock protocol. A mutating verb opens <root>/.locks/<id> (O_CREAT), takes flock(LOCK_EX), then
 * checks that the file it locked is still the one linked at that path (same st_dev/st_ino, and
 * still linked). If not, someone removed the lock file while we waited: close and start over. The
 * lock file is only ever unlinked by a holder of the lock (ocirt_state_unlock, when the state dir
 * is gone), so at any time at most one process holds a lock on the inode linked at the path, and
 * that is the only lock that counts. Whoever locked an unlinked inode sees it and retries.
 *
 * Readers take no lock: state.json is replaced by rename(2), so a reader sees either the old or
 * the new file, whole. A crash between writing state.json.tmp and the rename leaves the old
 * state.json in place; the stale .tmp is truncated by the next write. The root lives on tmpfs, so
 * the directory itself is not fsynced (the file's data is, before it becomes visible). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ocirt/fdio.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/state.h"
#include "ocirt/xalloc.h"

#define ID_MAX 1024
#define LOCKS_DIR ".locks"
#define STATE_FILE "state.json"
#define STATE_TMP "state.json.tmp"
#define FIFO_FILE "exec.fifo"

static const char *const status_names[] = { "creating", "created", "running", "paused", "stopped" };

const char *
ocirt_status_name (enum ocirt_status s)
{
  if ((unsigned) s >= sizeof status_names / sizeof status_names[0])
    return "unknown";
  return status_names[s];
}

int
ocirt_status_from_name (const char *name)
{
  for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
    if (strcmp (name, status_names[i]) == 0)
      return (int) i;
  return -1;
}

/* A printable rendition of an id for messages: control and non-ASCII bytes as \xNN, long ids cut. */
static char *
printable_id (const char *id)
{
  size_t n = strlen (id), max = n > 64 ? 64 : n;
  char *out = xmalloc (max * 4 + 4);
  char *o = out;

  for (size_t i = 0; i < max; i++)
    {
      unsigned char c = (unsigned char) id[i];
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
        o += sprintf (o, "\\x%02x", c);
      else
        *o++ = (char) c;
    }
  if (max < n)
    o = stpcpy (o, "...");
  *o = '\0';
  return out;
}

static bool
id_char_ok (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
         || c == '+' || c == '-';
}

int
ocirt_id_validate (const char *id, struct ocirt_err **err)
{
  cleanup_free char *p = NULL;
  size_t n;

  if (id == NULL || id[0] == '\0')
    return ocirt_err_make (err, 0, "invalid container ID \"\": it must not be empty");
  n = strlen (id);
  p = printable_id (id);
  if (n > ID_MAX)
    return ocirt_err_make (err, 0, "invalid container ID \"%s\": it is %zu bytes long, the limit is %d", p, n,
                           ID_MAX);
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return ocirt_err_make (err, 0, "invalid container ID \"%s\": it must not be \".\" or \"..\"", p);
  if (strchr (id, '/') != NULL)
    return ocirt_err_make (err, 0, "invalid container ID \"%s\": it must not contain \"/\"", p);
  if (!id_char_ok (id[0]) || id[0] == '_' || id[0] == '.' || id[0] == '+' || id[0] == '-')
    return ocirt_err_make (err, 0, "invalid container ID \"%s\": it must start with a letter or a digit", p);
  for (size_t i = 1; i < n; i++)
    if (!id_char_ok (id[i]))
      {
        unsigned char c = (unsigned char) id[i];
        char shown[8];
        if (c < 0x20 || c >= 0x7f)
          snprintf (shown, sizeof shown, "\\x%02x", c);
        else
          snprintf (shown, sizeof shown, "%c", c);
        return ocirt_err_make (err, 0,
                               "invalid container ID \"%s\": character '%s' at offset %zu is not allowed "
                               "(allowed: letters, digits and _ . + -)",
                               p, shown, i);
      }
  return 0;
}

/* mkdir -p with mode for the directories it creates. */
static int
mkdir_p (const char *path, mode_t mode, struct ocirt_err **err)
{
  cleanup_free char *p = xstrdup (path);

  for (char *s = p + 1;; s++)
    {
      if (*s != '/' && *s != '\0')
        continue;
      char saved = *s;
      *s = '\0';
      if (mkdir (p, mode) < 0 && errno != EEXIST)
        return ocirt_err_make (err, errno, "create state directory `%s`", p);
      *s = saved;
      if (saved == '\0')
        break;
    }
  return 0;
}

/* Opens <root>/.locks, creating the root and it as needed. */
static int
open_locks_dir (const char *root, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("%s/" LOCKS_DIR, root);
  int fd;

  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return ocirt_err_make (err, errno, "open `%s`", path);
  if (mkdir_p (path, 0700, err) < 0)
    return -1;
  fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", path);
  return fd;
}

int
ocirt_state_lock (const char *root, const char *id, int *lock_fd, struct ocirt_err **err)
{
  cleanup_close int dfd = -1;

  *lock_fd = -1;
  if (ocirt_id_validate (id, err) < 0)
    return -1;
  dfd = open_locks_dir (root, err);
  if (dfd < 0)
    return -1;
  for (;;)
    {
      cleanup_close int fd = -1;
      struct stat held, linked;

      fd = openat (dfd, id, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        return ocirt_err_make (err, errno, "open lock file `%s/" LOCKS_DIR "/%s`", root, id);
      while (flock (fd, LOCK_EX) < 0)
        if (errno != EINTR)
          return ocirt_err_make (err, errno, "lock `%s/" LOCKS_DIR "/%s`", root, id);
      if (fstat (fd, &held) < 0)
        return ocirt_err_make (err, errno, "stat lock file `%s/" LOCKS_DIR "/%s`", root, id);
      if (fstatat (dfd, id, &linked, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue; /* removed while we waited: lock the new one */
          return ocirt_err_make (err, errno, "stat lock file `%s/" LOCKS_DIR "/%s`", root, id);
        }
      if (held.st_dev != linked.st_dev || held.st_ino != linked.st_ino || held.st_nlink == 0)
        continue;
      *lock_fd = steal_fd (&fd);
      return 0;
    }
}

void
ocirt_state_unlock (const char *root, const char *id, int *lock_fd)
{
  cleanup_free char *dir = NULL;
  struct stat st;

  if (*lock_fd < 0)
    return;
  dir = xfmt ("%s/%s", root, id);
  if (lstat (dir, &st) < 0 && errno == ENOENT)
    {
      cleanup_free char *lock = xfmt ("%s/" LOCKS_DIR "/%s", root, id);
      /* Still holding the lock: nobody else can be between their flock and their check. */
      if (unlink (lock) < 0 && errno != ENOENT)
        log_debug ("remove lock file `%s`: %s", lock, strerror (errno));
    }
  close (*lock_fd);
  *lock_fd = -1;
}

static int
does_not_exist (struct ocirt_err **err, const char *id)
{
  return ocirt_err_make (err, 0, "container \"%s\" does not exist", id);
}

int
ocirt_state_dir_create (const char *root, const char *id, struct ocirt_err **err)
{
  cleanup_free char *dir = NULL;

  if (ocirt_id_validate (id, err) < 0)
    return -1;
  if (mkdir_p (root, 0700, err) < 0)
    return -1;
  dir = xfmt ("%s/%s", root, id);
  if (mkdir (dir, 0711) < 0)
    {
      if (errno == EEXIST)
        return ocirt_err_make (err, 0, "container with given ID already exists: \"%s\"", id);
      return ocirt_err_make (err, errno, "create state directory `%s`", dir);
    }
  /* The umask may have taken bits away: the state dir is searchable by all, as runc's, so that
   * an unprivileged process can reach exec.fifo when it is its owner. */
  if (chmod (dir, 0711) < 0)
    {
      int saved = errno;
      rmdir (dir);
      return ocirt_err_make (err, saved, "chmod state directory `%s`", dir);
    }
  return 0;
}

int
ocirt_state_write (const char *root, const struct ocirt_state *st, struct ocirt_err **err)
{
  cleanup_free char *dir = NULL;
  cleanup_free char *text = NULL;
  cleanup_close int dfd = -1;
  cleanup_close int fd = -1;

  if (ocirt_id_validate (st->id, err) < 0)
    return -1;
  dir = xfmt ("%s/%s", root, st->id);
  dfd = open (dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    {
      if (errno == ENOENT)
        return does_not_exist (err, st->id);
      return ocirt_err_make (err, errno, "open state directory `%s`", dir);
    }
  text = ocirt_state_serialize (st);
  fd = openat (dfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return ocirt_err_make (err, errno, "create `%s/" STATE_TMP "`", dir);
  if (ocirt_write_all (fd, text, strlen (text)) < 0 || fsync (fd) < 0)
    {
      int saved = errno;
      unlinkat (dfd, STATE_TMP, 0);
      return ocirt_err_make (err, saved, "write `%s/" STATE_TMP "`", dir);
    }
  if (renameat (dfd, STATE_TMP, dfd, STATE_FILE) < 0)
    {
      int saved = errno;
      unlinkat (dfd, STATE_TMP, 0);
      return ocirt_err_make (err, saved, "rename `%s/" STATE_TMP "` to " STATE_FILE, dir);
    }
  return 0;
}

/* Reads a whole (small) file opened at fd. */
static char *
read_fd (int fd, size_t *len)
{
  size_t cap = 4096, n = 0;
  char *buf = xmalloc (cap);

  for (;;)
    {
      ssize_t r;
      if (n + 1 >= cap)
        buf = xrealloc (buf, cap *= 2);
      r = read (fd, buf + n, cap - n - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          free (buf);
          errno = saved;
          return NULL;
        }
      if (r == 0)
        break;
      n += (size_t) r;
    }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* ENOENT is reported as the id not existing (and *missing set); dfd (may be AT_FDCWD) anchors
 * path; shown is the full path for messages. */
static struct ocirt_state *
read_state_at (int dfd, const char *path, const char *shown, const char *id, bool *missing, struct ocirt_err **err)
{
  cleanup_close int fd = -1;
  cleanup_free char *buf = NULL;
  struct ocirt_state *st;
  size_t len = 0;

  fd = openat (dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        {
          *missing = true;
          return does_not_exist (err, id), NULL;
        }
      return ocirt_err_make (err, errno, "open `%s`", shown), NULL;
    }
  buf = read_fd (fd, &len);
  if (buf == NULL)
    return ocirt_err_make (err, errno, "read `%s`", shown), NULL;
  st = ocirt_state_parse (buf, len, shown, err);
  if (st == NULL)
    return NULL;
  if (strcmp (st->id, id) != 0)
    {
      ocirt_err_make (err, 0, "%s: holds the state of \"%s\", not of \"%s\"", shown, st->id, id);
      ocirt_state_free (st);
      return NULL;
    }
  return st;
}

int
ocirt_state_read (const char *root, const char *id, struct ocirt_state **out, struct ocirt_err **err)
{
  cleanup_free char *path = NULL;
  bool missing = false;

  *out = NULL;
  if (ocirt_id_validate (id, err) < 0)
    return -1;
  path = xfmt ("%s/%s/" STATE_FILE, root, id);
  *out = read_state_at (AT_FDCWD, path, path, id, &missing, err);
  return *out == NULL ? -1 : 0;
}

/* State (field 3) and start time (field 22) of /proc/PID/stat. comm (field 2) may hold spaces
 * and parentheses, so fields are counted from the last ')'. */
static int
proc_stat (pid_t pid, char *state, uint64_t *start_time, struct ocirt_err **err)
{
  char path[64], buf[1024];
  cleanup_close int fd = -1;
  ssize_t n;
  char *p;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", path);
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return ocirt_err_make (err, errno, "read `%s`", path);
  buf[n] = '\0';
  p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return ocirt_err_make (err, 0, "%s: unexpected format", path);
  p += 2;
  *state = *p;
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return ocirt_err_make (err, 0, "%s: unexpected format: fewer than 22 fields", path);
      p++;
    }
  errno = 0;
  *start_time = strtoull (p, NULL, 10);
  if (errno != 0)
    return ocirt_err_make (err, errno, "%s: bad start time", path);
  return 0;
}

int
ocirt_proc_start_time (pid_t pid, uint64_t *out, struct ocirt_err **err)
{
  char state;
  return proc_stat (pid, &state, out, err);
}

/* True when st->pid still is the container's init: alive, not a zombie, same start time. */
static bool
init_alive (const struct ocirt_state *st)
{
  cleanup_err struct ocirt_err *err = NULL;
  uint64_t start = 0;
  char state = 0;

  if (st->pid <= 0)
    return false;
  if (proc_stat (st->pid, &state, &start, &err) < 0)
    return false;
  if (state == 'Z' || state == 'X' || state == 'x')
    return false;
  return st->pid_start_time == 0 || start == st->pid_start_time;
}

void
ocirt_state_refresh (const char *root, struct ocirt_state *st)
{
  cleanup_free char *fifo = NULL;
  struct stat sb;

  if (st->status == OCIRT_STATUS_STOPPED)
    return;
  if (st->pid <= 0 && st->status == OCIRT_STATUS_CREATING)
    return;
  if (!init_alive (st))
    {
      st->status = OCIRT_STATUS_STOPPED;
      return;
    }
  if (st->status == OCIRT_STATUS_CREATING)
    return;
  fifo = xfmt ("%s/%s/" FIFO_FILE, root, st->id);
  if (lstat (fifo, &sb) == 0)
    st->status = OCIRT_STATUS_CREATED;
  else if (st->status == OCIRT_STATUS_CREATED)
    st->status = OCIRT_STATUS_RUNNING; /* start consumed the fifo */
}

/* rm -rf of the directory entry name under dfd, never following symlinks. */
static int
remove_at (int dfd, const char *name, const char *shown, struct ocirt_err **err)
{
  cleanup_closedir DIR *d = NULL;
  struct dirent *de;
  int fd;

  if (unlinkat (dfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return ocirt_err_make (err, errno, "remove `%s`", shown);
  fd = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return ocirt_err_make (err, errno, "open `%s`", shown);
  d = fdopendir (fd);
  if (d == NULL)
    {
      int saved = errno;
      close (fd);
      return ocirt_err_make (err, saved, "open `%s`", shown);
    }
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *child = NULL;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = xfmt ("%s/%s", shown, de->d_name);
      if (remove_at (dirfd (d), de->d_name, child, err) < 0)
        return -1;
    }
  if (unlinkat (dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return ocirt_err_make (err, errno, "remove `%s`", shown);
  return 0;
}

int
ocirt_state_remove (const char *root, const char *id, struct ocirt_err **err)
{
  cleanup_free char *dir = NULL;
  cleanup_close int rfd = -1;
  struct stat st;

  if (ocirt_id_validate (id, err) < 0)
    return -1;
  rfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0 || fstatat (rfd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return does_not_exist (err, id);
      return ocirt_err_make (err, errno, "open state directory `%s/%s`", root, id);
    }
  dir = xfmt ("%s/%s", root, id);
  return remove_at (rfd, id, dir, err);
}

char *
ocirt_passwd_name (FILE *passwd, uid_t uid)
{
  cleanup_free char *line = NULL;
  size_t cap = 0;

  while (getline (&line, &cap, passwd) >= 0)
    {
      char *name = line, *end;
      char *pw = strchr (line, ':');
      char *id = pw != NULL ? strchr (pw + 1, ':') : NULL;
      unsigned long v;

      if (id == NULL)
        continue;
      *pw = '\0';
      errno = 0;
      v = strtoul (++id, &end, 10);
      while (*name == ' ' || *name == '\t')
        name++;
      if (end != id && *end == ':' && errno == 0 && v == (unsigned long) uid && *name != '\0')
        return xstrdup (name);
    }
  return NULL;
}

/* As runc's `list`, which reads /etc/passwd itself: no NSS, so a static ocirt needs no libnss. */
static char *
user_name (uid_t uid)
{
  cleanup_fclose FILE *f = fopen ("/etc/passwd", "re");
  char *name = f != NULL ? ocirt_passwd_name (f, uid) : NULL;

  return name != NULL ? name : xfmt ("#%u", (unsigned) uid);
}

static int
by_id (const void *a, const void *b)
{
  const struct ocirt_state *x = *(struct ocirt_state *const *) a, *y = *(struct ocirt_state *const *) b;
  return strcmp (x->id, y->id);
}

int
ocirt_state_list (const char *root, struct ocirt_state ***out, size_t *n, struct ocirt_err **err)
{
  cleanup_closedir DIR *d = NULL;
  struct ocirt_state **list = NULL;
  size_t count = 0, cap = 0;
  struct dirent *de;

  *out = NULL;
  *n = 0;
  d = opendir (root);
  if (d == NULL)
    {
      if (errno == ENOENT)
        return 0;
      return ocirt_err_make (err, errno, "open state root `%s`", root);
    }
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL, *shown = NULL;
      cleanup_err struct ocirt_err *e = NULL;
      struct ocirt_state *st;
      bool missing = false;
      struct stat sb;

      if (de->d_name[0] == '.' || ocirt_id_validate (de->d_name, NULL) < 0)
        continue;
      if (fstatat (dirfd (d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (sb.st_mode))
        continue;
      path = xfmt ("%s/" STATE_FILE, de->d_name);
      shown = xfmt ("%s/%s", root, path);
      st = read_state_at (dirfd (d), path, shown, de->d_name, &missing, &e);
      if (st == NULL)
        {
          cleanup_free char *text = ocirt_err_text (e);
          if (!missing)
            log_warning ("list: skipping container \"%s\": %s", de->d_name, text);
          continue;
        }
      free (st->owner);
      st->owner = user_name (sb.st_uid);
      if (count == cap)
        list = xrealloc (list, (cap = cap ? cap * 2 : 16) * sizeof *list);
      list[count++] = st;
    }
  if (count > 1)
    qsort (list, count, sizeof *list, by_id);
  *out = list;
  *n = count;
  return 0;
}

void
ocirt_state_list_free (struct ocirt_state **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    ocirt_state_free (list[i]);
  free (list);
}

void
ocirt_state_free (struct ocirt_state *st)
{
  if (st == NULL)
    return;
  free (st->oci_version);
  free (st->id);
  free (st->bundle);
  free (st->rootfs);
  free (st->created);
  free (st->owner);
  free (st->cgroup_path);
  for (size_t i = 0; i < st->n_annotations; i++)
    {
      free (st->annotation_keys[i]);
      free (st->annotation_values[i]);
    }
  free (st->annotation_keys);
  free (st->annotation_values);
  free (st);
}

void
ocirt_state_freep (struct ocirt_state **st)
{
  ocirt_state_free (*st);
  *st = NULL;
}

char *
ocirt_rfc3339nano_now (void)
{
  struct timespec ts;
  struct tm tm;
  char date[32], frac[16] = "";

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts.tv_nsec != 0)
    {
      size_t len;
      snprintf (frac, sizeof frac, ".%09ld", ts.tv_nsec);
      len = strlen (frac);
      while (len > 1 && frac[len - 1] == '0') /* tv_nsec != 0: stops at a digit anyway */
        frac[--len] = '\0';
    }
  return xfmt ("%s%sZ", date, frac);
}
