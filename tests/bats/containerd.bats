#!/usr/bin/env bats
# containerd 1.6 + its io.containerd.runc.v2 shim + ctr (Debian) run their containers on the runtime
# under test (issue 10), offline and private: a containerd daemon of the file's own (config, root,
# state, sockets in the file's temporary directory; the CRI plugin and unused snapshotters off),
# started and stopped by pid; a namespace of the file's own, which is also the containers' cgroup
# parent (ctr's default cgroupsPath is /<namespace>/<id>); an OCI-layout tarball of the suite's
# busybox rootfs made by hand and `ctr images import`ed. `ctr run` gets the runtime through
# --runc-binary; `ctr container create` has no such flag, so the daemon's PATH has the runtime as
# `runc` (what a system-wide swap does). RUNTIME=runc runs the same tests on runc (clients.bash).
#
# What the shim calls: every call with `--root <runc-root>/<namespace> --log <bundle>/log.json
# --log-format json`; `create --bundle B --pid-file B/init.pid [--console-socket S] ID`, `start`,
# `exec --process F [--console-socket S] --detach --pid-file F ID`, `kill [--all] ID N`, `pause`,
# `resume`, `ps --format json ID`, `delete ID` / `delete --force ID`. It shows the last
# "level":"error" line of log.json to the user.

bats_require_minimum_version 1.5.0

load helpers
load clients

IMAGE=localhost/busybox:latest

# c ARGS...: ctr on the file's daemon and namespace.
c() {
  ctr -a "$CD/containerd.sock" -n "$NS" "$@"
}

# c_run ARGS...: ctr run on the runtime under test, its state under the file's directory.
c_run() {
  c run --runc-binary "$RT" --runc-root "$CD/runc" --fifo-dir "$CD/fifo" "$@"
}

# c_exec ARGS...: ctr task exec with its fifos under the file's directory.
c_exec() {
  c task exec --fifo-dir "$CD/fifo" "$@"
}

# c_sh CMD: the ctr command line as a string, for in_pty.
c_sh() {
  echo "ctr -a $CD/containerd.sock -n $NS $1"
}

# c_gone ID: force-deletes task and container ID (snapshot included).
c_gone() {
  c task rm -f "$1" >/dev/null 2>&1 || true
  c container rm "$1" >/dev/null 2>&1 || true
}

# oci_layout_tar FILE: an OCI image layout (one uncompressed layer: the busybox rootfs) as a tarball,
# the image named $IMAGE by containerd's annotation.
oci_layout_tar() {
  local dir=$CD/oci b=$CD/oci/blobs/sha256 layer cfg man
  mkdir -p "$b"
  busybox_tar "$dir/layer"
  layer=$(sha256sum "$dir/layer" | cut -d' ' -f1)
  mv "$dir/layer" "$b/$layer"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$layer" > "$dir/cfg"
  cfg=$(sha256sum "$dir/cfg" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cfg" "$(stat -c %s "$dir/cfg")" "$layer" "$(stat -c %s "$b/$layer")" > "$dir/man"
  man=$(sha256sum "$dir/man" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s"}}]}' \
    "$man" "$(stat -c %s "$dir/man")" "$IMAGE" > "$dir/index.json"
  mv "$dir/cfg" "$b/$cfg"
  mv "$dir/man" "$b/$man"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  tar -C "$dir" -cf "$1" oci-layout index.json blobs
  rm -rf "$dir"
}

setup_file() {
  requires_clients containerd ctr containerd-shim-runc-v2 script
  RT=$(client_runtime)
  export RT
  export CD=$BATS_FILE_TMPDIR/containerd
  export NS=ocirt-test-ctr-$$
  mkdir -p "$CD/bin" "$CD/fifo"
  ln -s "$RT" "$CD/bin/runc"

  # The shim puts its sockets in /run/containerd/s whatever the daemon's state dir, and `ctr
  # container create` leaves the runtime's root at /run/containerd/runc/<namespace>: remove at the
  # end what this file made.
  export CD_MADE=""
  local d
  for d in /run/containerd /run/containerd/s /run/containerd/runc; do
    if [ ! -e "$d" ]; then
      CD_MADE=$d
      break
    fi
  done

  cat > "$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.native",
  "io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CD/containerd.sock"

[ttrpc]
  address = "$CD/containerd.sock.ttrpc"

[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "$CD/runtime-v1"
EOF
  PATH=$CD/bin:$PATH containerd --config "$CD/config.toml" </dev/null >"$CD/daemon.log" 2>&1 3>&- &
  export CD_PID=$!
  wait_until 200 ctr -a "$CD/containerd.sock" version >/dev/null 2>&1 || {
    cat "$CD/daemon.log" >&2
    return 1
  }
  oci_layout_tar "$CD/busybox-oci.tar"
  c images import "$CD/busybox-oci.tar" >/dev/null
}

teardown_file() {
  [ -n "${CD:-}" ] || return 0
  local id pid
  if [ -n "${CD_PID:-}" ]; then
    for id in $(c containers ls -q 2>/dev/null); do
      c_gone "$id"
    done
    kill "$CD_PID" 2>/dev/null && wait "$CD_PID" 2>/dev/null
  fi
  for pid in $(pgrep -f -- "-namespace $NS "); do # shims of this file's namespace
    kill -9 "$pid" 2>/dev/null || true
  done
  unmount_under "$CD"
  rm -rf "$CD"
  rm -rf "/run/containerd/runc/$NS"
  cgroup_tree_remove "$NS"
  [ -n "$CD_MADE" ] && rm -rf "$CD_MADE"
  return 0
}

# Every test removes what it made; a container still listed fails the test (and is removed).
teardown() {
  local left id
  if [ -n "${EVENTS_PID:-}" ]; then
    kill "$EVENTS_PID" 2>/dev/null
    wait "$EVENTS_PID" 2>/dev/null
  fi
  left=$(c containers ls -q 2>/dev/null)
  [ -z "$left" ] && return 0
  for id in $left; do
    c_gone "$id"
  done
  echo "teardown: containers left behind: $left" >&2
  return 1
}

# task_pid ID: the pid of task ID's init, as `ctr task ls` shows it.
task_pid() {
  c task ls | awk -v id="$1" '$1 == id { print $2 }'
}

# task_status ID: RUNNING, PAUSED, STOPPED, ...
task_status() {
  c task ls | awk -v id="$1" '$1 == id { print $3 }'
}

# log_has ID TEXT: the detached task's log (--log-uri) has a line TEXT.
log_has() {
  grep -qx "$2" "$CD/$1.log" 2>/dev/null
}

# run_logged ID CMD...: a detached task whose output goes to $CD/ID.log; waits for its "ready" line.
run_logged() {
  local id=$1
  shift
  c_run -d --log-uri "file://$CD/$id.log" "$IMAGE" "$id" "$@"
  wait_until 100 log_has "$id" ready
}

@test "ctr run: output and exit code 0" {
  run c_run --rm "$IMAGE" c1 echo hello from containerd
  [ "$status" -eq 0 ]
  [ "$output" = "hello from containerd" ]
}

@test "ctr run: the container's exit code" {
  run c_run --rm "$IMAGE" c1 sh -c 'exit 7'
  [ "$status" -eq 7 ]
}

@test "ctr run: a missing binary is the runtime's JSON error in ctr's message" {
  run c_run --rm "$IMAGE" c1 /no/such/binary
  [ "$status" -ne 0 ]
  [ "${#lines[@]}" -eq 1 ]
  # the shim's text around the msg of the last "level":"error" line of log.json
  [[ "${output,,}" == 'ctr: failed to create shim task: oci runtime create failed: '*'"/no/such/binary"'*': no such file or directory: unknown' ]]
  if [ "$(basename "$RT")" = ocirt ]; then
    [ "$output" = 'ctr: failed to create shim task: OCI runtime create failed: exec: "/no/such/binary": stat /no/such/binary: No such file or directory: unknown' ]
  fi
  [[ "$output" != *'"msg"'* && "$output" != *'level='* ]]
}

@test "ctr run: stdin" {
  run c_run --rm "$IMAGE" c1 sh -c 'read -r l; echo "got $l"' <<<"piped line"
  [ "$status" -eq 0 ]
  [ "$output" = "got piped line" ]
}

@test "ctr run --env --cwd" {
  run c_run --rm --env FOO=bar --cwd /tmp "$IMAGE" c1 sh -c 'echo "$FOO"; pwd'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = bar ]
  [ "${lines[1]}" = /tmp ]
}

@test "ctr run --read-only" {
  run c_run --rm --read-only "$IMAGE" c1 sh -c 'touch /x 2>&1; echo rc=$?'
  [[ "${lines[0]}" == *"Read-only file system"* ]]
  [ "${lines[1]}" = rc=1 ]
}

@test "ctr run --cap-drop" {
  run c_run --rm --cap-drop CAP_CHOWN "$IMAGE" c1 sh -c 'chown 1 /tmp 2>&1; grep CapBnd /proc/self/status'
  [[ "${lines[0]}" == *"Operation not permitted"* ]]
  bnd=0x${lines[1]##*[[:space:]]}
  [ $((bnd & 1)) -eq 0 ]         # CAP_CHOWN gone
  [ $((bnd & (1 << 5))) -ne 0 ]  # CAP_KILL of containerd's default set kept
}

@test "ctr run --memory-limit and --cpu-quota: in the container's cgroups" {
  c_run -d --null-io --memory-limit $((48 * 1024 * 1024)) --cpu-quota 50000 --cpu-period 100000 "$IMAGE" c1 sleep 100
  pid=$(task_pid c1)
  [ "$(cgroup_file "$pid" memory memory.limit_in_bytes)" -eq $((48 * 1024 * 1024)) ]
  [ "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)" -eq 50000 ]
  [ "$(cgroup_file "$pid" cpu cpu.cfs_period_us)" -eq 100000 ]
  grep -q ":memory:/$NS/c1\$" "/proc/$pid/cgroup"
  c_gone c1
}

@test "ctr run --memory-limit: going over it is an OOM kill, exit 137, and the shim's /tasks/oom event" {
  c events > "$BATS_TEST_TMPDIR/events" 2>&1 3>&- &
  EVENTS_PID=$! # (teardown stops it)
  run c_run --rm --memory-limit $((16 * 1024 * 1024)) "$IMAGE" c1 sh -c 'head -c 200m /dev/zero | tail'
  [ "$status" -eq 137 ]
  wait_until 100 grep -q "/tasks/oom.*c1" "$BATS_TEST_TMPDIR/events"
}

@test "ctr run -t: a terminal with the caller's window size" {
  run in_pty "$(c_sh "run --runc-binary $RT --runc-root $CD/runc --fifo-dir $CD/fifo --rm -t $IMAGE c1 sh -c '$WINSIZE; exit 3'")"
  [ "$status" -eq 3 ]
  [[ "$output" == *"/dev/pts/"*"30 101"* ]]
}

@test "ctr run -d, task ls and task ps" {
  run c_run -d --null-io "$IMAGE" c1 sleep 100
  [ "$status" -eq 0 ]
  [ "$(task_status c1)" = RUNNING ]
  pid=$(task_pid c1)
  [ "$(cat "/proc/$pid/cmdline" | tr '\0' ' ')" = "sleep 100 " ]
  # the shim ran the runtime under test (--runc-binary): its state reads back
  run "$RT" --root "$CD/runc/$NS" state c1
  [ "$(jq -r .pid <<<"$output")" = "$pid" ]
  run c task ps c1
  [ "$status" -eq 0 ]
  [[ "$output" == *$'\n'"$pid "* ]]
  c_gone c1
}

@test "ctr task exec: exit code, --user, --cwd, stdin" {
  c_run -d --null-io "$IMAGE" c1 sleep 100
  run c_exec --exec-id e1 c1 sh -c 'exit 4'
  [ "$status" -eq 4 ]
  run c_exec --exec-id e2 --user 1000 --cwd /tmp c1 sh -c 'id -u; pwd'
  [ "$status" -eq 0 ]
  [ "$output" = "1000
/tmp" ]
  run c_exec --exec-id e3 c1 sh -c 'read -r l; echo "got $l"' <<<"through exec"
  [ "$output" = "got through exec" ]
  c_gone c1
}

@test "ctr task exec: a missing binary is the runtime's error in ctr's message" {
  c_run -d --null-io "$IMAGE" c1 sleep 100
  run c_exec --exec-id e1 c1 /no/such/binary
  [ "$status" -ne 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "${output,,}" == 'ctr: oci runtime exec failed: '*'"/no/such/binary"'*': no such file or directory: unknown' ]]
  if [ "$(basename "$RT")" = ocirt ]; then
    [ "$output" = 'ctr: OCI runtime exec failed: exec failed: exec: "/no/such/binary": stat /no/such/binary: No such file or directory: unknown' ]
  fi
  [[ "$output" != *'"msg"'* && "$output" != *'level='* ]]
  c_gone c1
}

@test "ctr task exec -t: a terminal with the window size" {
  c_run -d --null-io "$IMAGE" c1 sleep 100
  run in_pty "$(c_sh "task exec --fifo-dir $CD/fifo -t --exec-id e1 c1 sh -c '$WINSIZE; exit 5'")"
  [ "$status" -eq 5 ]
  [[ "$output" == *"/dev/pts/"*"30 101"* ]]
  c_gone c1
}

@test "ctr task exec -d, task ps, kill --exec-id" {
  c_run -d --null-io "$IMAGE" c1 sleep 100
  run c_exec -d --exec-id e1 c1 sleep 200
  [ "$status" -eq 0 ]
  wait_until 100 eval "c task ps c1 | grep -q ExecID:e1,"
  epid=$(c task ps c1 | awk '/ExecID:e1,/ { print $1 }')
  [ "$(cat "/proc/$epid/cmdline" | tr '\0' ' ')" = "sleep 200 " ]
  c task kill --exec-id e1 -s KILL c1
  wait_until 100 eval "! kill -0 $epid 2>/dev/null"
  [ "$(task_status c1)" = RUNNING ]
  c_gone c1
}

@test "ctr task metrics" {
  c_run -d --null-io --memory-limit $((48 * 1024 * 1024)) "$IMAGE" c1 sleep 100
  run c task metrics --format json c1
  [ "$status" -eq 0 ]
  [ "$(jq -r .memory.usage.limit <<<"$output")" -eq $((48 * 1024 * 1024)) ]
  [ "$(jq -r .pids.current <<<"$output")" -eq 1 ]
  [ "$(jq -r .cpu.usage.total <<<"$output")" -gt 0 ]
  c_gone c1
}

@test "ctr task pause/resume: frozen, then running again" {
  c_run -d --null-io "$IMAGE" c1 sleep 100
  pid=$(task_pid c1)
  c task pause c1
  [ "$(task_status c1)" = PAUSED ]
  [ "$(freezer_state "$pid")" = FROZEN ]
  c task resume c1
  [ "$(task_status c1)" = RUNNING ]
  [ "$(freezer_state "$pid")" = THAWED ]
  run c_exec --exec-id e1 c1 echo alive
  [ "$output" = alive ]
  c_gone c1
}

@test "ctr task kill: TERM trapped by the container, exit code" {
  run_logged c1 sh -c 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
  c task kill c1
  wait_until 100 eval '[ "$(task_status c1)" = STOPPED ]'
  log_has c1 "got TERM"
  run c task rm c1
  [[ "$output" == *"exit with non-zero exit code 3"* ]]
  c container rm c1
}

@test "ctr task kill -s USR1" {
  run_logged c1 sh -c 'trap "echo got USR1; exit 7" USR1; echo ready; while :; do sleep 0.1; done'
  c task kill -s USR1 c1
  wait_until 100 eval '[ "$(task_status c1)" = STOPPED ]'
  log_has c1 "got USR1"
  run c task rm c1
  [[ "$output" == *"exit with non-zero exit code 7"* ]]
  c container rm c1
}

@test "ctr task kill -s KILL: exit 137" {
  run_logged c1 sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
  c task kill -s KILL c1
  wait_until 100 eval '[ "$(task_status c1)" = STOPPED ]'
  run c task rm c1
  [[ "$output" == *"exit with non-zero exit code 137"* ]]
  c container rm c1
}

@test "ctr task kill -a: every process of the container" {
  run_logged c1 sh -c 'sleep 101 & sleep 102 & echo ready; wait'
  pids=$(c task ps c1 | awk 'NR > 1 { print $1 }')
  [ "$(echo "$pids" | wc -l)" -eq 3 ]
  c task kill -a -s KILL c1
  wait_until 100 eval '[ "$(task_status c1)" = STOPPED ]'
  for pid in $pids; do
    wait_until 100 eval "! kill -0 $pid 2>/dev/null"
  done
  c_gone c1
}

@test "ctr task delete -f of a running task" {
  c_run -d --null-io "$IMAGE" c1 sleep 100
  pid=$(task_pid c1)
  run c task rm -f c1
  [ "$status" -eq 0 ]
  ! kill -0 "$pid" 2>/dev/null
  [ ! -e "$CD/runc/$NS/c1" ]
  c container rm c1
  [ -z "$(cgroup_dirs_named c1 "$NS")" ]
}

@test "ctr container create + task start (the runtime found as runc in the daemon's PATH)" {
  c container create "$IMAGE" c2 echo created then started
  run c task start --fifo-dir "$CD/fifo" c2
  [ "$status" -eq 0 ]
  [ "$output" = "created then started" ] # (task start waits for the task and deletes it)
  # it was the runtime under test: its state of a detached one reads back
  c container create "$IMAGE" c3 sleep 100
  c task start --fifo-dir "$CD/fifo" -d c3 </dev/null >/dev/null
  run "$RT" --root "/run/containerd/runc/$NS" state c3
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = running ]
  c_gone c3
  c container rm c2
}

@test "the shipped CRI snippet (contrib/containerd/ocirt.toml) is a containerd config naming the runtime" {
  sed "s|@BINDIR@|$(dirname "$RT")|" "$TOP/contrib/containerd/ocirt.toml.in" > "$BATS_TEST_TMPDIR/ocirt.toml"
  run containerd --config "$BATS_TEST_TMPDIR/ocirt.toml" config dump
  [ "$status" -eq 0 ]
  grep -qx '      default_runtime_name = "ocirt"' <<<"$output"
  grep -A12 -x '        \[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirt\]' <<<"$output" |
    grep -qx '          runtime_type = "io.containerd.runc.v2"'
  grep -qx "            BinaryName = \"$(dirname "$RT")/ocirt\"" <<<"$output"
}

@test "containerd: nothing left behind (tasks, snapshots, runtime state, shims, cgroups, mounts)" {
  local bad="" d
  [ -z "$(c task ls -q)" ] || bad+=" tasks"
  [ -z "$(c snapshots ls | awk 'NR > 1 && $3 == "Active"')" ] || bad+=" snapshots"
  # no container's state dir, no lock file (hidden runtime directories such as ocirt's .locks stay)
  for d in "$CD/runc/$NS" "/run/containerd/runc/$NS"; do
    [ -z "$(ls "$d" 2>/dev/null)" ] || bad+=" state:$(ls "$d" | tr '\n' ' ')"
    [ -z "$(ls -A "$d/.locks" 2>/dev/null)" ] || bad+=" locks:$(ls -A "$d/.locks" | tr '\n' ' ')"
  done
  pgrep -f -- "-namespace $NS " >/dev/null && bad+=" shims:$(pgrep -f -- "-namespace $NS " | tr '\n' ' ')"
  [ -z "$(find /sys/fs/cgroup/*/"$NS" -mindepth 1 -type d 2>/dev/null)" ] || bad+=" cgroups"
  [ -z "$(mounts_under "$CD")" ] || bad+=" mounts:$(mounts_under "$CD" | tr '\n' ' ')"
  [ -z "$bad" ] || { echo "left behind:$bad" >&2; false; }
}
