/* Lifecycle hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle"), src/lib/run/hooks.c.
 *
 * A hook is forked from the calling process, so it inherits the caller's namespaces, root, cgroup
 * and credentials: WHICH process calls ocirt_hooks_run decides where the hook runs. The engine
 * calls it at these points (the state's status is the step's, see ocirt_hook_status):
 *
 *   kind             caller                                    when                          status
 *   prestart         the runtime (ocirt create / run)          namespaces and mounts exist,  created (*)
 *   createRuntime    the runtime, right after prestart         init not yet pivoted          creating
 *   createContainer  the container's init, in all its          after the mounts, before      creating
 *                    namespaces (path still resolves in the    pivot_root
 *                    runtime's tree: not yet pivoted)
 *   startContainer   the container's init, after pivot_root    start released it, right      created
 *                    (path resolves in the container)          before execve of the process
 *   poststart        the runtime (ocirt start / run)           the user process was exec'd,  running
 *                                                              before start returns
 *   poststop         the runtime (ocirt delete)                the container is destroyed,   stopped
 *                                                              before delete returns
 * (*) runc's status for prestart, which the conformance suite's hooks_stdin test expects.
 *
 * Each hook gets the state JSON on stdin (a memfd of its own: a hook that does not read it never
 * blocks the runtime), its `args` (argv; [path] when absent) and `env` (the runtime's own
 * environment when absent, as runc), and runs in its own process group. Its stdout and stderr are
 * captured: each line goes to the log (info with --log FILE, debug otherwise, so a foreground
 * `run` never mixes hook output into the container's stderr) and the last lines go into the error.
 * Past `timeout` seconds the hook's process group is killed.
 *
 * Failure of a prestart, createRuntime, createContainer, startContainer or poststart hook stops
 * the list and is an error: "prestart hook #1 (/bin/false) failed: exit status 1" (index from 0),
 * the engine then stops the container and cleans up. A failing poststop hook is logged as a
 * warning and the remaining hooks still run (ocirt_hooks_run returns 0). */
#ifndef OCIRT_HOOKS_H
#define OCIRT_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ocirt/spec.h"
#include "ocirt/state.h"

struct ocirt_err;

/* The status the state passed to a hook of this kind carries: creating, created, running, stopped. */
enum ocirt_status ocirt_hook_status (enum ocirt_hook_kind kind);

static inline bool
ocirt_hooks_has (const struct ocirt_hooks *hooks, enum ocirt_hook_kind kind)
{
  return hooks != NULL && hooks->n[kind] > 0;
}

/* Runs every hook of one kind, in order, with state_json on stdin. hooks may be NULL (no hooks).
 * Returns 0, or -1 with *err naming the kind, index and path of the hook that failed. */
int ocirt_hooks_run (const struct ocirt_hooks *hooks, enum ocirt_hook_kind kind, const char *state_json,
                     struct ocirt_err **err);

/* The same with the state built from spec (ociVersion, annotations), id, bundle and the init's
 * pid (0: left out): what the engine calls at each point. Does nothing when spec has no hook of
 * this kind. */
int ocirt_hooks_run_spec (const struct ocirt_spec *spec, enum ocirt_hook_kind kind, const char *id, const char *bundle,
                          pid_t pid, struct ocirt_err **err);
/* That state: the spec's state object {ociVersion, id, status, pid, bundle, annotations} with
 * the status of kind. Caller frees. */
char *ocirt_hook_state_json (const struct ocirt_spec *spec, enum ocirt_hook_kind kind, const char *id,
                             const char *bundle, pid_t pid);

/* One hook; index is used in messages. Poststop failures are errors here too: the list runner
 * turns them into warnings. */
int ocirt_hook_run (const struct ocirt_hook *hook, enum ocirt_hook_kind kind, size_t index, const char *state_json,
                    struct ocirt_err **err);

#endif
