#!/usr/bin/env bats
# File descriptors (issue 9): the container's init holds only its stdio (and the preserved fds)
# once it runs, whatever the config used on the way (hooks, a user namespace, a seccomp filter);
# and ocirt's own commands close every fd they open (valgrind --track-fds).

load helpers

setup() {
  setup_common
  ID=fds$$-$BATS_TEST_NUMBER
}

teardown() {
  teardown_common
}

# fds of the container's pid 1, read from a process exec'd into the container.
init_fds() {
  "$OCIRT" --root "$TEST_ROOT" exec "$ID" sh -c 'ls /proc/1/fd | sort -n | tr "\n" " "'
}

@test "the container's pid 1 has only 0 1 2 (and the preserved fds), whatever the config" {
  set_args sleep 1000
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run init_fds
  [ "$output" = "0 1 2 " ] || { echo "plain: $output"; false; }
  ocirt delete --force "$ID"

  echo x >"$BATS_TEST_TMPDIR/f"
  run ocirt_bg run -d --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3<"$BATS_TEST_TMPDIR/f" 4<"$BATS_TEST_TMPDIR/f" 5<"$BATS_TEST_TMPDIR/f"
  [ "$status" -eq 0 ]
  run init_fds
  [ "$output" = "0 1 2 3 4 " ] || { echo "preserve-fds 2: $output"; false; }
  ocirt delete --force "$ID"

  # every hook kind that runs before the process, a seccomp filter, a user namespace
  update_config '.hooks = {"prestart": [{"path": "/bin/true"}], "createRuntime": [{"path": "/bin/true"}],
                           "createContainer": [{"path": "/bin/true"}], "startContainer": [{"path": "/bin/true"}]}
                 | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mknod"], "action": "SCMP_ACT_ERRNO"}]}
                 | .linux.namespaces += [{"type": "user"}]
                 | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                 | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  userns_reachable "$BUNDLE/rootfs"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  run init_fds
  [ "$output" = "0 1 2 " ] || { echo "hooks+seccomp+userns: $output"; false; }
  ocirt delete --force "$ID"
  no_leftovers "$ID"
}

# valgrind --track-fds: every fd the command opened itself is closed at exit (inherited ones are
# listed as such and ignored). --tool=none: ocirt is linked statically, where memcheck cannot
# replace malloc and reports glibc's internals (the sanitizer pass checks memory).
no_fd_leak() {
  local log=$BATS_TEST_TMPDIR/vg.log
  run valgrind -q --tool=none --track-fds=yes --log-file="$log" "$OCIRT" --root "$TEST_ROOT" "$@" 3>&-
  grep -q "FILE DESCRIPTORS" "$log" || { echo "valgrind did not run $*:"; cat "$log"; return 1; }
  # "Open file descriptor N: ..." blocks; an inherited one says "<inherited from parent>"
  local leaked
  leaked=$(awk '/Open (file|AF_UNIX socket|AF_INET socket) descriptor/ {fd=$0; getline; if ($0 !~ /inherited from parent/) print fd}' "$log" \
             | grep -v -E 'descriptor [012]:' || true)
  [ -z "$leaked" ] || { echo "fds left open by $*:"; echo "$leaked"; cat "$log"; return 1; }
}

@test "valgrind --track-fds: state, list, check, features, spec and an error leave no fd open" {
  # (kill and delete open pidfds: pidfd_open is a syscall this valgrind does not know)
  set_args sleep 1000
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  no_fd_leak state "$ID"
  [ "$(jq -r .status <<<"$output")" = running ]
  no_fd_leak list
  [[ "$output" == *"$ID"* ]]
  no_fd_leak list --format json
  no_fd_leak check "$BUNDLE"
  [ "$status" -eq 0 ]
  no_fd_leak features
  [ "$status" -eq 0 ]
  mkdir "$BATS_TEST_TMPDIR/spec"
  no_fd_leak spec --bundle "$BATS_TEST_TMPDIR/spec"
  [ -s "$BATS_TEST_TMPDIR/spec/config.json" ]
  no_fd_leak state nosuch # an error path
  [ "$status" -eq 1 ]
  ocirt delete --force "$ID"
  no_leftovers "$ID"
}
