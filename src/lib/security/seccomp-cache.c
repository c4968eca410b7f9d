/* A cache of compiled seccomp programs. libseccomp needs ~2 ms for a podman-like profile on one
 * architecture and ~18 ms with x86, x86_64 and x32 (the usual list); a cached program loads in
 * microseconds. The key is a canonical text of everything that shapes the program (the config's
 * default action, architectures and rules, the libseccomp version, the kernel): the file stores
 * the whole key and a hit needs a byte-for-byte match, so the file name's hash may collide
 * harmlessly. The directory lives in the runtime's state root (root-owned, 0700); files are
 * written atomically and only trusted when owned by us and not writable by others. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/xalloc.h"
#include "seccomp-plan.h"
#include "security-internal.h"

#define CACHE_MAGIC "OCIRTBPF1\n"
#define CACHE_MAX_FILES 64
#define CACHE_MAX_BYTES (1 << 20)

static char *cache_dir;

void
ocirt_seccomp_set_cache_dir (const char *dir)
{
  free (cache_dir);
  cache_dir = dir ? xstrdup (dir) : NULL;
}

const char *
ocirt_seccomp_cache_dir (void)
{
  return cache_dir;
}

struct buf
{
  char *p;
  size_t len, cap;
};

static void
buf_add (struct buf *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
buf_add (struct buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  for (;;)
    {
      va_start (ap, fmt);
      n = vsnprintf (b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
      va_end (ap);
      if (n < 0)
        abort ();
      if (b->p && b->len + (size_t) n < b->cap)
        {
          b->len += (size_t) n;
          return;
        }
      b->cap = (b->cap + (size_t) n + 1) * 2;
      b->p = xrealloc (b->p, b->cap);
    }
}

/* Strings are length-prefixed so that no content can fake a field boundary. */
static void
buf_str (struct buf *b, const char *s)
{
  if (s == NULL)
    buf_add (b, "-;");
  else
    buf_add (b, "%zu:%s;", strlen (s), s);
}

char *
ocirt_seccomp_cache_key (const struct ocirt_seccomp *sc, const char *libseccomp_version)
{
  struct buf b = { 0 };
  struct utsname u;
  size_t i, j;

  buf_add (&b, "ocirt-seccomp-cache 1\n");
  buf_add (&b, "libseccomp ");
  buf_str (&b, libseccomp_version);
  if (uname (&u) == 0)
    {
      buf_add (&b, "\nkernel ");
      buf_str (&b, u.release);
      buf_str (&b, u.machine);
    }
  buf_add (&b, "\ndefault ");
  buf_str (&b, sc->default_action);
  buf_add (&b, "%d %u\narchs %zu ", sc->has_default_errno_ret, sc->default_errno_ret, sc->n_architectures);
  for (i = 0; i < sc->n_architectures; i++)
    buf_str (&b, sc->architectures[i]);
  buf_add (&b, "\nrules %zu\n", sc->n_syscalls);
  for (i = 0; i < sc->n_syscalls; i++)
    {
      const struct ocirt_seccomp_rule *r = &sc->syscalls[i];

      buf_str (&b, r->action);
      buf_add (&b, "%d %u names %zu ", r->has_errno_ret, r->errno_ret, r->n_names);
      for (j = 0; j < r->n_names; j++)
        buf_str (&b, r->names[j]);
      buf_add (&b, "args %zu ", r->n_args);
      for (j = 0; j < r->n_args; j++)
        {
          buf_add (&b, "%u %llu %llu ", r->args[j].index, (unsigned long long) r->args[j].value,
                   (unsigned long long) r->args[j].value_two);
          buf_str (&b, r->args[j].op);
        }
      buf_add (&b, "\n");
    }
  return b.p;
}

/* FNV-1a, 64 bits: only names the file. */
static char *
file_name (const char *key)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  const unsigned char *p;

  for (p = (const unsigned char *) key; *p; p++)
    {
      h ^= *p;
      h *= 0x100000001b3ULL;
    }
  return xfmt ("%016llx.bpf", (unsigned long long) h);
}

int
ocirt_seccomp_cache_load (const char *dir, const char *key, struct sock_filter **insns, size_t *n)
{
  cleanup_free char *name = file_name (key);
  cleanup_free char *path = xfmt ("%s/%s", dir, name);
  cleanup_close int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_free char *data = NULL;
  size_t key_len = strlen (key), off, done = 0;
  uint32_t klen, count;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return -1;
  if (!S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 022) || st.st_size > CACHE_MAX_BYTES)
    return -1;
  data = xmalloc ((size_t) st.st_size + 1);
  while (done < (size_t) st.st_size)
    {
      ssize_t k = read (fd, data + done, (size_t) st.st_size - done);

      if (k <= 0)
        return -1;
      done += (size_t) k;
    }
  off = strlen (CACHE_MAGIC);
  if (done < off + 8 || memcmp (data, CACHE_MAGIC, off) != 0)
    return -1;
  memcpy (&klen, data + off, 4);
  off += 4;
  if (klen != key_len || done < off + klen + 4 || memcmp (data + off, key, key_len) != 0)
    return -1;
  off += klen;
  memcpy (&count, data + off, 4);
  off += 4;
  if (count == 0 || count > BPF_MAXINSNS || done != off + (size_t) count * sizeof (struct sock_filter))
    return -1;
  *insns = xmalloc ((size_t) count * sizeof (struct sock_filter));
  memcpy (*insns, data + off, (size_t) count * sizeof (struct sock_filter));
  *n = count;
  return 0;
}

/* Keeps the directory small: past the limit, the old entries go. */
static void
evict (const char *dir)
{
  cleanup_closedir DIR *d = opendir (dir);
  struct dirent *e;
  size_t count = 0;

  if (d == NULL)
    return;
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      count++;
  if (count < CACHE_MAX_FILES)
    return;
  rewinddir (d);
  while ((e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      unlinkat (dirfd (d), e->d_name, 0);
}

void
ocirt_seccomp_cache_store (const char *dir, const char *key, const struct sock_filter *insns, size_t n)
{
  cleanup_free char *name = file_name (key);
  cleanup_free char *path = xfmt ("%s/%s", dir, name);
  cleanup_free char *tmp = xfmt ("%s/.%s.%d", dir, name, (int) getpid ());
  uint32_t klen = (uint32_t) strlen (key), count = (uint32_t) n;
  cleanup_close int fd = -1;
  struct iovec iov[5];
  ssize_t want;

  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    {
      log_debug ("seccomp cache: mkdir `%s`: %s", dir, strerror (errno));
      return;
    }
  evict (dir);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      log_debug ("seccomp cache: create `%s`: %s", tmp, strerror (errno));
      return;
    }
  iov[0] = (struct iovec){ .iov_base = (void *) CACHE_MAGIC, .iov_len = strlen (CACHE_MAGIC) };
  iov[1] = (struct iovec){ .iov_base = &klen, .iov_len = 4 };
  iov[2] = (struct iovec){ .iov_base = (void *) key, .iov_len = klen };
  iov[3] = (struct iovec){ .iov_base = &count, .iov_len = 4 };
  iov[4] = (struct iovec){ .iov_base = (void *) insns, .iov_len = n * sizeof (struct sock_filter) };
  want = (ssize_t) (iov[0].iov_len + 4 + klen + 4 + iov[4].iov_len);
  if (writev (fd, iov, 5) != want || rename (tmp, path) < 0)
    {
      log_debug ("seccomp cache: write `%s`: %s", path, strerror (errno));
      unlink (tmp);
    }
}
