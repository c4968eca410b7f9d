/* Every command: one file src/cli/cmd-<verb>.c defining cmd_<verb>.
 * Returns the process exit status (>= 0), or -1 with *err set: main prints it once and exits 1. */
#ifndef OCIRT_CLI_COMMANDS_H
#define OCIRT_CLI_COMMANDS_H

struct ocirt_ctx;
struct ocirt_err;

#define OCIRT_COMMANDS(X)                                                                           \
  X (check, "validate a bundle's config.json and print every problem")                              \
  X (create, "create a container")                                                                  \
  X (delete, "delete a container and everything it holds")                                          \
  X (events, "print container events and resource statistics")                                      \
  X (exec, "run a new process inside a container")                                                  \
  X (features, "print the features this build and kernel support, as JSON")                         \
  X (kill, "send a signal to a container's init process")                                           \
  X (list, "list the containers")                                                                   \
  X (pause, "freeze every process of a container")                                                  \
  X (ps, "list the processes of a container")                                                       \
  X (resume, "thaw a paused container")                                                             \
  X (run, "create and start a container")                                                           \
  X (spec, "write a default config.json")                                                           \
  X (start, "start the user process of a created container")                                        \
  X (state, "print the state of a container")                                                       \
  X (update, "update a container's resource limits")

#define OCIRT_DECLARE_CMD(name, summary)                                                            \
  int cmd_##name (struct ocirt_ctx *ctx, int argc, char **argv, struct ocirt_err **err);
OCIRT_COMMANDS (OCIRT_DECLARE_CMD)
#undef OCIRT_DECLARE_CMD

#endif
