#!/usr/bin/env bats
# podman 4.3 + conmon (Debian) run their containers on the runtime under test (issue 10), offline and
# private: own CONTAINERS_CONF and storage.conf, --root/--runroot/--tmpdir in the file's temporary
# directory, overlay driver, cgroupfs manager under a cgroup parent of the file's own, file events and
# locks, no network, k8s-file logs, JSON errors from the runtime (runtime_supports_json). The image
# is the suite's busybox rootfs, `podman import`ed. RUNTIME=runc runs the same tests on runc
# (see clients.bash); default: the ocirt the suite built.
#
# What podman/conmon call: `create --bundle B --pid-file F [--console-socket S] ID` and
# `exec --pid-file F --process P --detach [--console-socket S] ID` with `--log-format=json --log
# <userdata>/oci-log` (no --root: the runtime's default state root), `start`, `kill ID 15`/`9`,
# `pause`, `resume`, `delete --force`.

bats_require_minimum_version 1.5.0

load helpers
load clients

IMAGE=localhost/busybox:latest

# pm ARGS...: podman with the file's private storage, runtime and managers.
pm() {
  podman $PM_FLAGS --runtime "$RT" "$@"
}

# pm_run / pm_create ARGS...: containers under the file's cgroup parent.
pm_run() {
  pm run --cgroup-parent "$CGP" "$@"
}

pm_create() {
  pm create --cgroup-parent "$CGP" "$@"
}

# pm_sh CMD: the podman command line as a string, for in_pty.
pm_sh() {
  echo "podman $PM_FLAGS --runtime $RT $1"
}

setup_file() {
  requires_clients podman conmon script
  RT=$(client_runtime)
  export RT
  export PM=$BATS_FILE_TMPDIR/podman
  export CGP=/ocirt-test-podman-$$
  export PM_FLAGS="--root $PM/root --runroot $PM/runroot --tmpdir $PM/tmp --storage-driver overlay --cgroup-manager cgroupfs --events-backend file"
  mkdir -p "$PM/cni" "$PM/tmp"

  # podman writes this cache outside its --root; remove it at the end only if this file made it.
  export PM_MADE=""
  [ -e /var/lib/containers ] || PM_MADE=/var/lib/containers
  [ -n "$PM_MADE" ] || [ -e /var/lib/containers/cache ] || PM_MADE=/var/lib/containers/cache
  [ -n "$PM_MADE" ] || [ -e /var/lib/containers/cache/blob-info-cache-v1.boltdb ] ||
    PM_MADE=/var/lib/containers/cache/blob-info-cache-v1.boltdb

  # No CAP_SYS_RESOURCE may be in the bounding set: podman's default nofile/nproc (1048576) would
  # then fail in every runtime ("error setting rlimit"), so use the hard limits podman itself runs
  # with (it lowers its own nproc to 32768).
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
  cat > "$PM/containers.conf" <<EOF
[containers]
netns = "none"
log_driver = "k8s-file"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_config_dir = "$PM/cni"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
lock_type = "file"
EOF
  # then the shipped drop-in's [engine] settings (runtime_supports_json, [engine.runtimes]) as
  # installed beside the runtime; a runtime of another name is added to the JSON list
  sed -e '1,/^\[engine\]$/d' -e "s|@BINDIR@|$(dirname "$RT")|" \
    -e "s|\"ocirt\"\]|\"ocirt\", \"$(basename "$RT")\"]|" \
    "$TOP/contrib/containers.conf.d/ocirt.conf.in" >> "$PM/containers.conf"
  cat > "$PM/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$PM/runroot"
graphroot = "$PM/root"
EOF
  export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
  busybox_tar "$PM/busybox.tar"
  pm import -q "$PM/busybox.tar" "$IMAGE" >/dev/null
  # the exec and top tests share one running container (each test's own would double their time)
  pm_run -d --name shared "$IMAGE" sleep 1000 >/dev/null
}

teardown_file() {
  [ -n "${PM:-}" ] || return 0
  local pid
  pm rm -af -t 0 >/dev/null 2>&1 || true
  for pid in $(pgrep -f -- "$PM/"); do # conmons of this file (their command line names $PM)
    kill -9 "$pid" 2>/dev/null || true
  done
  unmount_under "$PM"
  rm -rf "$PM"
  cgroup_tree_remove "${CGP#/}"
  [ -n "$PM_MADE" ] && rm -rf "$PM_MADE"
  return 0
}

setup() {
  cd "$PM" # conmon writes an `oom` file into its working directory
}

# Every test removes what it made; a container still listed fails the test (and is removed).
teardown() {
  local left
  left=$(pm ps -a --format '{{.Names}}' 2>/dev/null | grep -vx shared)
  [ -z "$left" ] && return 0
  pm rm -f -t 0 $left >/dev/null 2>&1
  echo "teardown: containers left behind: $left" >&2
  return 1
}

# started NAME: waits until the container's output has a line "ready".
started() {
  wait_until 100 eval "pm logs $1 2>/dev/null | grep -qx ready"
}

@test "podman run: output and exit code 0" {
  run pm_run --rm "$IMAGE" echo hello from podman
  [ "$status" -eq 0 ]
  [ "$output" = "hello from podman" ]
}

@test "podman run: the container's exit code" {
  run pm_run --rm "$IMAGE" sh -c 'exit 42'
  [ "$status" -eq 42 ]
}

@test "podman run: a missing command exits 127 with the runtime's JSON error as the message" {
  run -127 pm_run --rm "$IMAGE" no-such-command
  [ "${#lines[@]}" -eq 1 ]
  # podman's own text around the msg of the runtime's JSON log line (no raw JSON, no time=)
  [[ "$output" == "Error: $RT: "*'no-such-command'*'executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found' ]]
  if [ "$(basename "$RT")" = ocirt ]; then
    [ "$output" = "Error: $RT: exec: \"no-such-command\": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found" ]
  fi
  [[ "$output" != *'"msg"'* && "$output" != *'level='* ]]
}

@test "podman run: a missing absolute path exits 127 naming the path" {
  run -127 pm_run --rm "$IMAGE" /no/such/binary
  [ "${#lines[@]}" -eq 1 ]
  # strerror's "No such file ..." (C) or Go's "no such file ..." (runc): podman matches either
  [[ "${output,,}" == "error: ${RT,,}: "*'/no/such/binary'*': no such file or directory: oci runtime attempted to invoke a command that was not found' ]]
  if [ "$(basename "$RT")" = ocirt ]; then
    [ "$output" = "Error: $RT: exec: \"/no/such/binary\": stat /no/such/binary: No such file or directory: OCI runtime attempted to invoke a command that was not found" ]
  fi
}

@test "podman init of a bad container: the oci-log is the one JSON object podman shows the msg of" {
  id=$(pm_create --name bad "$IMAGE" no-such-command)
  run -125 pm init bad
  log=$PM/runroot/overlay-containers/$id/userdata/oci-log
  [ "$(wc -l < "$log")" -eq 1 ]
  [ "$(jq -r '[.level, (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))] | @tsv' "$log")" = "error	true" ]
  msg=$(jq -r .msg "$log")
  [[ "$msg" == *'"no-such-command": executable file not found in $PATH' ]]
  [ "$output" = "Error: $RT: $msg: OCI runtime attempted to invoke a command that was not found" ]
  pm rm bad
}

@test "podman run -i: stdin reaches the container" {
  run pm_run --rm -i "$IMAGE" sh -c 'read -r l; echo "got $l"' <<<"piped line"
  [ "$status" -eq 0 ]
  [ "$output" = "got piped line" ]
}

@test "podman run -e -w: environment and working directory" {
  run pm_run --rm -e FOO=bar -w /tmp "$IMAGE" sh -c 'echo "$FOO"; pwd'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = bar ]
  [ "${lines[1]}" = /tmp ]
}

@test "podman run --user 1000:1000" {
  run pm_run --rm --user 1000:1000 "$IMAGE" sh -c 'id -u; id -g'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 1000 ]
}

@test "podman run --read-only: the root is read-only, /tmp is a writable tmpfs" {
  run pm_run --rm --read-only "$IMAGE" sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-ok'
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *"Read-only file system"* ]]
  [ "${lines[1]}" = tmp-ok ]
}

@test "podman run --cap-drop: the capability is gone" {
  run pm_run --rm --cap-drop CHOWN "$IMAGE" sh -c 'chown 1 /tmp 2>&1; grep CapBnd /proc/self/status'
  [[ "${lines[0]}" == *"Operation not permitted"* ]]
  bnd=0x${lines[1]##*[[:space:]]}
  [ $((bnd & 1)) -eq 0 ]         # CAP_CHOWN gone
  [ $((bnd & (1 << 5))) -ne 0 ]  # CAP_KILL of podman's default set kept
}

@test "podman run --memory: the limit is in the container's memory cgroup" {
  run pm_run -d --name mem --memory 48m "$IMAGE" sleep 100
  [ "$status" -eq 0 ]
  pid=$(pm inspect --format '{{.State.Pid}}' mem)
  [ "$(cgroup_file "$pid" memory memory.limit_in_bytes)" -eq $((48 * 1024 * 1024)) ]
  pm rm -f -t 0 mem
}

@test "podman run --memory: going over the limit is an OOM kill, exit 137" {
  run pm_run --name oom --memory 16m --memory-swap 16m "$IMAGE" sh -c 'head -c 200m /dev/zero | tail'
  [ "$status" -eq 137 ]
  # conmon saw the OOM event of the container's memory cgroup: it writes `oom` into its working
  # directory (podman 4.3 looks for it in the bundle, so State.OOMKilled stays false with any runtime)
  [ -e "$PM/oom" ]
  rm -f "$PM/oom"
  pm rm oom
}

@test "podman run --pids-limit: enforced" {
  run pm_run --rm --pids-limit 5 "$IMAGE" sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null
    for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait'
  [[ "$output" == *"Resource temporarily unavailable"* || "$output" == *"can't fork"* ]]
}

@test "podman run --hostname" {
  run pm_run --rm --hostname box.example "$IMAGE" hostname
  [ "$status" -eq 0 ]
  [ "$output" = box.example ]
}

@test "podman run -t: a terminal with the caller's window size" {
  run in_pty "$(pm_sh "run --cgroup-parent $CGP --rm -t $IMAGE sh -c 'tty; stty size'")"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == /dev/pts/* ]]
  [ "${lines[1]%$'\r'}" = "30 101" ]
}

@test "podman run -it: interactive terminal, exit code" {
  run in_pty "$(pm_sh "run --cgroup-parent $CGP --rm -it $IMAGE sh")" $'stty size; echo typed-$((6*7))\nexit 3\n'
  [ "$status" -eq 3 ]
  [[ "$output" == *"30 101"*"typed-42"* ]]
}

@test "podman run -d and ps" {
  run pm_run -d --name bg "$IMAGE" sleep 100
  [ "$status" -eq 0 ]
  run pm ps --filter name=bg --format '{{.Names}} {{.Status}}'
  [[ "$output" == "bg Up"* ]]
  pm rm -f -t 0 bg
}

@test "podman exec: the process' exit code" {
  run pm exec shared sh -c 'exit 5'
  [ "$status" -eq 5 ]
}

@test "podman exec: a missing command exits 127 with the runtime's error" {
  run -127 pm exec shared no-such-command
  [[ "$output" == *'no-such-command'*'executable file not found in $PATH'* ]]
  if [ "$(basename "$RT")" = ocirt ]; then
    [ "$output" = "Error: $RT: exec failed: exec: \"no-such-command\": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found" ]
  fi
  [[ "$output" != *'"msg"'* ]]
}

@test "podman exec -u -e -w" {
  run pm exec -u 1000:1000 -e X=y -w /tmp shared sh -c 'id -u; id -g; echo "$X"; pwd'
  [ "$status" -eq 0 ]
  [ "$output" = "1000
1000
y
/tmp" ]
}

@test "podman exec -i: stdin" {
  run pm exec -i shared cat <<<"through exec"
  [ "$status" -eq 0 ]
  [ "$output" = "through exec" ]
}

@test "podman exec -t and -it: a terminal with the window size" {
  # (podman passes no process.consoleSize to exec: conmon resizes once the process runs)
  run in_pty "$(pm_sh "exec -t shared sh -c '$WINSIZE'")"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == /dev/pts/* ]]
  [ "${lines[1]%$'\r'}" = "30 101" ]
  run in_pty "$(pm_sh "exec -it shared sh")" "$WINSIZE; echo in-\$((2+3))"$'\nexit 4\n'
  [ "$status" -eq 4 ]
  [[ "$output" == *"30 101"*"in-5"* ]]
}

@test "podman exec -d: detached process runs" {
  run pm exec -d shared sh -c 'echo detached > /tmp/mark'
  [ "$status" -eq 0 ]
  wait_until 100 eval "pm exec shared cat /tmp/mark 2>/dev/null | grep -qx detached"
}

@test "podman top" {
  run pm top shared
  [ "$status" -eq 0 ]
  [[ "$output" == *"sleep 1000"* ]]
}

@test "podman pause/unpause: the container is frozen, then runs again" {
  pm_run -d --name pz "$IMAGE" sleep 100
  pid=$(pm inspect --format '{{.State.Pid}}' pz)
  pm pause pz
  [ "$(pm inspect --format '{{.State.Status}}' pz)" = paused ]
  [ "$(freezer_state "$pid")" = FROZEN ]
  pm unpause pz
  [ "$(pm inspect --format '{{.State.Status}}' pz)" = running ]
  [ "$(freezer_state "$pid")" = THAWED ]
  run pm exec pz echo alive
  [ "$output" = alive ]
  pm rm -f -t 0 pz
}

@test "podman logs" {
  pm_run --name lg "$IMAGE" sh -c 'echo one; echo two >&2' >/dev/null 2>&1
  run pm logs lg
  [ "$status" -eq 0 ]
  [[ "$output" == *one*two* ]]
  pm rm lg
}

@test "podman stop: the container traps TERM and exits on its own" {
  pm_run -d --name st "$IMAGE" sh -c 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
  started st
  run pm stop -t 10 st
  [ "$status" -eq 0 ]
  [ "$(pm inspect --format '{{.State.ExitCode}}' st)" -eq 3 ]
  [[ "$(pm logs st)" == *"got TERM"* ]]
  pm rm st
}

@test "podman stop: a container ignoring TERM is killed after the timeout (137)" {
  pm_run -d --name st "$IMAGE" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
  started st
  t0=$(date +%s%N)
  run pm stop -t 1 st
  t1=$(date +%s%N)
  [ "$status" -eq 0 ]
  [ $(((t1 - t0) / 1000000)) -ge 1000 ]
  [ "$(pm inspect --format '{{.State.ExitCode}}' st)" -eq 137 ]
  pm rm st
}

@test "podman kill -s USR1" {
  pm_run -d --name kl "$IMAGE" sh -c 'trap "echo got USR1; exit 7" USR1; echo ready; while :; do sleep 0.1; done'
  started kl
  pm kill -s USR1 kl
  run pm wait kl
  [ "$output" = 7 ]
  [[ "$(pm logs kl)" == *"got USR1"* ]]
  pm rm kl
}

@test "podman start: an exited container runs again" {
  pm_run --name again "$IMAGE" sh -c 'echo ran' >/dev/null
  run pm start -a again
  [ "$status" -eq 0 ]
  [ "$output" = ran ]
  [ "$(pm logs again | grep -c ran)" -eq 2 ]
  pm rm again
}

@test "podman rm -f: a running container is gone with its process and runtime state" {
  pm_run -d --name rmf "$IMAGE" sleep 100
  pid=$(pm inspect --format '{{.State.Pid}}' rmf)
  id=$(pm inspect --format '{{.Id}}' rmf)
  run pm rm -f -t 0 rmf
  [ "$status" -eq 0 ]
  ! kill -0 "$pid" 2>/dev/null
  [ ! -e "/run/$(basename "$RT")/$id" ]
  [ -z "$(cgroup_dirs_named "libpod-$id" "$CGP")" ]
}

@test "podman create + start -a" {
  pm_create --name cs "$IMAGE" echo made then started
  [ "$(pm inspect --format '{{.State.Status}}' cs)" = created ]
  run pm start -a cs
  [ "$status" -eq 0 ]
  [ "$output" = "made then started" ]
  pm rm cs
}

@test "podman run --rm: the container is removed" {
  run pm_run --rm --name gone "$IMAGE" true
  [ "$status" -eq 0 ]
  run pm container exists gone
  [ "$status" -eq 1 ]
}

@test "podman --runtime ocirt: the name from the shipped drop-in's [engine.runtimes]" {
  [ "$(basename "$RT")" = ocirt ] || skip "the runtime under test is not called ocirt"
  run podman $PM_FLAGS --runtime ocirt info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
  [ "$status" -eq 0 ]
  [ "$output" = "ocirt $RT" ]
  run podman $PM_FLAGS --runtime ocirt run --cgroup-parent "$CGP" --rm "$IMAGE" echo by name
  [ "$status" -eq 0 ]
  [ "$output" = "by name" ]
}

@test "podman: nothing left behind (state, cgroups, processes, mounts)" {
  local id ids cgs bad=""
  pm rm -f -t 0 shared
  ids=$(grep -o '"ID":"[0-9a-f]*"' "$PM/tmp/events/events.log" | cut -d'"' -f4 | sort -u)
  [ -n "$ids" ]
  cgs=$(find /sys/fs/cgroup/*/"$CGP" -type d -name 'libpod-*')
  for id in $ids; do
    [ -e "/run/$(basename "$RT")/$id" ] && bad+=" state:$id"
    grep -q "/libpod-$id\$" <<<"$cgs" && bad+=" cgroup:$id"
  done
  pgrep -f -- "$PM/" >/dev/null && bad+=" processes:$(pgrep -f -- "$PM/" | tr '\n' ' ')"
  [ -z "$(mounts_under "$PM" | grep -v "^$PM/root/overlay\$")" ] || bad+=" mounts:$(mounts_under "$PM" | tr '\n' ' ')"
  [ -z "$bad" ] || { echo "left behind:$bad" >&2; false; }
}
