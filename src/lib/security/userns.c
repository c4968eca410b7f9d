/* User namespaces: rootless mode detection, writing uid_map/gid_map of a new user namespace
 * (directly when privileged or when mapping only the caller's own id, else through the setuid
 * newuidmap/newgidmap of shadow's uidmap package, which check /etc/subuid and /etc/subgid), and a
 * user namespace fd with given mappings for idmapped mounts (MOUNT_ATTR_IDMAP). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirt/fdio.h"
#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/log.h"
#include "ocirt/ocirt.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

extern char **environ;

/* True when the process is in the initial user namespace's full mapping (0 0 4294967295). */
static bool
in_initial_userns (void)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/uid_map", "re");
  unsigned long a, b, c;

  if (f == NULL)
    return true;
  if (fscanf (f, "%lu %lu %lu", &a, &b, &c) != 3)
    return true;
  return a == 0 && b == 0 && c == 4294967295UL;
}

bool
ocirt_rootless_resolve (enum ocirt_rootless r)
{
  if (r == OCIRT_ROOTLESS_TRUE)
    return true;
  if (r == OCIRT_ROOTLESS_FALSE)
    return false;
  /* auto, as runc: not root, or root only inside a user namespace someone else made. */
  return geteuid () != 0 || !in_initial_userns ();
}

char *
ocirt_id_map_text (const struct ocirt_id_mapping *m, size_t n)
{
  char *out = xstrdup ("");
  size_t i;

  for (i = 0; i < n; i++)
    {
      char *next = xfmt ("%s%u %u %u\n", out, m[i].container_id, m[i].host_id, m[i].size);

      free (out);
      out = next;
    }
  return out;
}

bool
ocirt_id_map_is_self (const struct ocirt_id_mapping *m, size_t n, uint32_t self)
{
  return n == 1 && m[0].size == 1 && m[0].host_id == self;
}

static int
write_proc_file (pid_t pid, const char *file, const char *text, struct ocirt_err **err)
{
  cleanup_free char *path = xfmt ("/proc/%d/%s", (int) pid, file);

  return ocirt_write_file (path, text, err);
}

/* newuidmap PID c h s [c h s ...]; its stderr goes into the error. */
static int
run_idmap_tool (const char *tool, pid_t pid, const struct ocirt_id_mapping *m, size_t n, struct ocirt_err **err)
{
  cleanup_free char **argv = xzalloc ((3 * n + 3) * sizeof (char *));
  cleanup_close int errfd = memfd_create ("ocirt-idmap-err", MFD_CLOEXEC);
  posix_spawn_file_actions_t fa;
  char buf[512] = "";
  size_t i, k = 0;
  pid_t child;
  int r, status;

  if (errfd < 0)
    return ocirt_err_make (err, errno, "memfd_create");
  argv[k++] = xstrdup (tool);
  argv[k++] = xfmt ("%d", (int) pid);
  for (i = 0; i < n; i++)
    {
      argv[k++] = xfmt ("%u", m[i].container_id);
      argv[k++] = xfmt ("%u", m[i].host_id);
      argv[k++] = xfmt ("%u", m[i].size);
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, errfd, 2);
  r = posix_spawnp (&child, tool, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  for (i = 0; i < k; i++)
    free (argv[i]);
  if (r != 0)
    {
      if (r == ENOENT)
        return ocirt_err_make (err, r,
                               "rootless: `%s` not found: mapping more than your own id needs it (package uidmap) "
                               "and entries in /etc/subuid and /etc/subgid",
                               tool);
      return ocirt_err_make (err, r, "run `%s`", tool);
    }
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return ocirt_err_make (err, errno, "wait for `%s`", tool);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (pread (errfd, buf, sizeof buf - 1, 0) > 0)
    buf[strcspn (buf, "\n")] = '\0';
  return ocirt_err_make (err, 0, "rootless: `%s` failed (check /etc/subuid and /etc/subgid)%s%s", tool,
                         *buf ? ": " : "", buf);
}

/* One map: directly when allowed, else with the setuid tool. Root inside a user namespace made by
 * someone else (rootless) may lack the parent's ids: then the tool is the fallback. */
static int
write_one_map (pid_t pid, const char *file, const char *tool, const struct ocirt_id_mapping *m, size_t n,
               uint32_t self, bool rootless, struct ocirt_err **err)
{
  cleanup_free char *text = ocirt_id_map_text (m, n);
  bool is_gid = strcmp (file, "gid_map") == 0;

  if (geteuid () == 0)
    {
      cleanup_err struct ocirt_err *direct = NULL;

      if (write_proc_file (pid, file, text, &direct) == 0)
        return 0;
      if (!rootless || direct->errnum != EPERM)
        {
          *err = steal_ptr (&direct);
          return -1;
        }
      return run_idmap_tool (tool, pid, m, n, err);
    }
  if (ocirt_id_map_is_self (m, n, self))
    {
      /* Without CAP_SETGID over the parent namespace the kernel takes a gid_map only after
       * setgroups is denied: the container then cannot change its groups. */
      if (is_gid && write_proc_file (pid, "setgroups", "deny", err) < 0)
        return -1;
      return write_proc_file (pid, file, text, err);
    }
  return run_idmap_tool (tool, pid, m, n, err);
}

int
ocirt_userns_write_id_maps (pid_t pid, const struct ocirt_id_mapping *uids, size_t n_uids,
                            const struct ocirt_id_mapping *gids, size_t n_gids, bool rootless,
                            struct ocirt_err **err)
{
  if (n_uids > 0 && write_one_map (pid, "uid_map", "newuidmap", uids, n_uids, geteuid (), rootless, err) < 0)
    return ocirt_err_wrap (err, "linux.uidMappings");
  if (n_gids > 0 && write_one_map (pid, "gid_map", "newgidmap", gids, n_gids, getegid (), rootless, err) < 0)
    return ocirt_err_wrap (err, "linux.gidMappings");
  return 0;
}

int
ocirt_userns_write_maps (pid_t pid, const struct ocirt_spec *spec, bool rootless, struct ocirt_err **err)
{
  if (!spec->has_linux)
    return 0;
  return ocirt_userns_write_id_maps (pid, spec->linux_.uid_mappings, spec->linux_.n_uid_mappings,
                                     spec->linux_.gid_mappings, spec->linux_.n_gid_mappings, rootless, err);
}

int
ocirt_userns_open (const struct ocirt_id_mapping *uids, size_t n_uids, const struct ocirt_id_mapping *gids,
                   size_t n_gids, bool rootless, struct ocirt_err **err)
{
  cleanup_free char *path = NULL;
  int pipefd[2], fd, status, r;
  pid_t child;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ocirt_err_make (err, errno, "pipe");
  /* A child in a new user namespace that only waits: its namespace outlives it through the fd. */
  child = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (child < 0)
    {
      int e = errno;

      close (pipefd[0]);
      close (pipefd[1]);
      return ocirt_err_make (err, e, "clone a user namespace for an idmapped mount");
    }
  if (child == 0)
    {
      char c;

      close (pipefd[1]);
      while (read (pipefd[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (pipefd[0]);
  r = ocirt_userns_write_id_maps (child, uids, n_uids, gids, n_gids, rootless, err);
  fd = -1;
  if (r == 0)
    {
      path = xfmt ("/proc/%d/ns/user", (int) child);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        ocirt_err_make (err, errno, "open `%s`", path);
    }
  close (pipefd[1]);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  return fd;
}
