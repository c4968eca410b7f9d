/* Hands a seccomp listener fd to the agent at linux.seccomp.listenerPath (config-linux.md,
 * "The Container Process State"): one AF_UNIX SOCK_STREAM connection per state, the JSON as
 * payload, the fd in SCM_RIGHTS on the first sendmsg, then close. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ocirt/cleanup.h"
#include "ocirt/err.h"
#include "ocirt/json.h"
#include "ocirt/ocirt.h"
#include "ocirt/state.h"
#include "ocirt/xalloc.h"
#include "security-internal.h"

static const char *
status_name (enum ocirt_status s)
{
  static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };

  if ((unsigned) s < sizeof names / sizeof names[0])
    return names[s];
  return "unknown";
}

char *
ocirt_seccomp_notify_state_json (const char *metadata, pid_t pid, const struct ocirt_state *st)
{
  cleanup_jw struct ocirt_jw *w = ocirt_jw_new (false);
  size_t i;

  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersion", OCIRT_SPEC_VERSION);
  ocirt_jw_key (w, "fds");
  ocirt_jw_arr_open (w);
  ocirt_jw_str (w, "seccompFd");
  ocirt_jw_arr_close (w);
  ocirt_jw_kint (w, "pid", pid);
  if (metadata)
    ocirt_jw_kstr (w, "metadata", metadata);
  ocirt_jw_key (w, "state");
  ocirt_jw_obj_open (w);
  ocirt_jw_kstr (w, "ociVersion", st->oci_version ? st->oci_version : OCIRT_SPEC_VERSION);
  ocirt_jw_kstr (w, "id", st->id);
  ocirt_jw_kstr (w, "status", status_name (st->status));
  if (st->pid > 0)
    ocirt_jw_kint (w, "pid", st->pid);
  ocirt_jw_kstr (w, "bundle", st->bundle);
  if (st->n_annotations > 0)
    {
      ocirt_jw_key (w, "annotations");
      ocirt_jw_obj_open (w);
      for (i = 0; i < st->n_annotations; i++)
        ocirt_jw_kstr (w, st->annotation_keys[i], st->annotation_values[i]);
      ocirt_jw_obj_close (w);
    }
  ocirt_jw_obj_close (w);
  ocirt_jw_obj_close (w);
  return ocirt_jw_steal (w, NULL);
}

int
ocirt_seccomp_notify_send (const char *listener_path, const char *metadata, int notify_fd, pid_t pid,
                           const struct ocirt_state *st, struct ocirt_err **err)
{
  cleanup_close int sock = -1;
  cleanup_free char *json = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct iovec iov;
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  size_t len, done;
  ssize_t k;

  if (strlen (listener_path) >= sizeof addr.sun_path)
    return ocirt_err_make (err, ENAMETOOLONG, "linux.seccomp.listenerPath `%s`", listener_path);
  strcpy (addr.sun_path, listener_path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return ocirt_err_make (err, errno, "linux.seccomp.listenerPath: socket");
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return ocirt_err_make (err, errno, "linux.seccomp.listenerPath: connect to `%s`", listener_path);

  json = ocirt_seccomp_notify_state_json (metadata, pid, st);
  len = strlen (json);
  iov.iov_base = json;
  iov.iov_len = len;
  memset (&control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &notify_fd, sizeof (int));
  do
    k = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (k < 0 && errno == EINTR);
  if (k < 0)
    return ocirt_err_make (err, errno, "linux.seccomp.listenerPath: send the seccomp fd to `%s`", listener_path);
  /* The rest, if the first call was short, without the fd (the spec allows several sendmsg). */
  for (done = (size_t) k; done < len; done += (size_t) k)
    {
      do
        k = send (sock, json + done, len - done, MSG_NOSIGNAL);
      while (k < 0 && errno == EINTR);
      if (k < 0)
        return ocirt_err_make (err, errno, "linux.seccomp.listenerPath: send the state to `%s`", listener_path);
    }
  return 0;
}
