#!/usr/bin/env bats
# ocirt exec: a new process in a live container, runc's flags and errors.

load helpers

setup() {
  setup_common
  ID=ex$$-$BATS_TEST_NUMBER
}

teardown() {
  teardown_common
}

# start_sleeper [JQ]: a running container (sleep) with the given config change.
start_sleeper() {
  [ -z "${1:-}" ] || update_config "$1"
  set_args sleep 1000
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  INIT=$(ocirt state "$ID" | jq .pid)
}

@test "exec: runs in every namespace of the container, its cgroup and root; exit status comes back" {
  start_sleeper
  run ocirt exec "$ID" sh -c 'for n in /proc/self/ns/*; do readlink $n; done; cat /proc/self/cgroup; ls /; exit 7'
  echo "$output"
  [ "$status" -eq 7 ]
  for ns in ipc mnt net pid uts cgroup; do
    [[ "$output" == *"$(readlink /proc/$INIT/ns/$ns)"* ]] || { echo "not in the init's $ns namespace"; false; }
  done
  # the cgroup, seen from the host: the exec'd process sits where the init does
  run ocirt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 100
  [ "$status" -eq 0 ]
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  [ "$(cat /proc/$pid/cgroup)" = "$(cat /proc/$INIT/cgroup)" ]
  [ "$(readlink /proc/$pid/root)" = "$(readlink /proc/$INIT/root)" ]
  # it is in the container's pid namespace: ps there lists it
  run ocirt exec "$ID" ps -o pid,comm
  [[ "$output" == *sleep* ]]
  [ "$(grep -c sleep <<<"$output")" -eq 2 ]
}

@test "exec -d: returns at once, the pid file holds the pid (written atomically), the process runs on" {
  start_sleeper
  run ocirt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sh -c 'sleep 100'
  [ "$status" -eq 0 ]
  pid=$(cat "$BATS_TEST_TMPDIR/p")
  [ -d /proc/$pid ]
  [ "$(cat /proc/$pid/comm)" = sleep ] || [ "$(cat /proc/$pid/comm)" = sh ]
  # no temporary file left next to it
  [ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c '^\.p')" -eq 0 ]
  # foreground with --pid-file writes it too
  run ocirt exec --pid-file "$BATS_TEST_TMPDIR/p2" "$ID" true
  [ "$status" -eq 0 ]
  [ -s "$BATS_TEST_TMPDIR/p2" ]
}

@test "exec: env is the container's plus -e, --cwd, -u, --additional-gids" {
  start_sleeper '.process.env = ["PATH=/bin:/usr/bin", "KEEP=1", "OVER=old"] | .process.cwd = "/tmp"'
  run ocirt exec -e OVER=new -e ADDED=yes "$ID" sh -c 'echo "$KEEP $OVER $ADDED"; pwd'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1 new yes" ]
  [ "${lines[1]}" = /tmp ]
  run ocirt exec --cwd /etc -u 1000:1001 -g 5 -g 7 "$ID" sh -c 'pwd; id -u; id -g; id -G'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = /etc ]
  [ "${lines[1]}" = 1000 ]
  [ "${lines[2]}" = 1001 ]
  [ "${lines[3]}" = "1001 5 7" ]
}

@test "exec: --cap adds a capability, --no-new-privs sets NoNewPrivs" {
  start_sleeper '.process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"]} | .process.noNewPrivileges = false'
  run ocirt exec "$ID" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
  [ "$status" -eq 0 ]
  [[ "$output" == *"CapEff:	0000000000000001"* ]]
  [[ "$output" == *"NoNewPrivs:	0"* ]]
  # CAP_NET_RAW is bit 13
  run ocirt exec --cap CAP_NET_RAW --no-new-privs "$ID" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"CapEff:	0000000000002001"* ]]
  [[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "exec: the container's seccomp filter applies to the new process" {
  start_sleeper '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
  run ocirt exec "$ID" mkdir /tmp/x
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"not permitted"* ]]
}

@test "exec: config.json edited after create does not reach the exec'd process" {
  start_sleeper '.process.env = ["PATH=/bin", "WHO=original"]'
  update_config '.process.env = ["PATH=/bin", "WHO=edited"]'
  run ocirt exec "$ID" sh -c 'echo $WHO'
  [ "$status" -eq 0 ]
  [ "$output" = original ]
}

@test "exec --process FILE: the process JSON as given" {
  start_sleeper
  cat > "$BATS_TEST_TMPDIR/p.json" <<'EOF'
{"args": ["sh", "-c", "echo $X; pwd; id -u"], "env": ["PATH=/bin", "X=from-json"], "cwd": "/etc", "user": {"uid": 42, "gid": 42}}
EOF
  run ocirt exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = from-json ]
  [ "${lines[1]}" = /etc ]
  [ "${lines[2]}" = 42 ]
}

@test "exec --process with a wrong type: the JSON path and line, exit 255, nothing left" {
  start_sleeper
  printf '{\n  "cwd": "/",\n  "args": "sh"\n}\n' > "$BATS_TEST_TMPDIR/bad.json"
  run ocirt exec --process "$BATS_TEST_TMPDIR/bad.json" "$ID"
  echo "$output"
  [ "$status" -eq 255 ]
  [[ "$output" == *"exec failed: "*"process.args: expected array of strings at line 3"* ]]
  [ "$(wc -l <<<"$output")" -eq 1 ]
  # only the init is left in the container
  # the shell expands the glob itself: the init and this sh
  run ocirt exec "$ID" sh -c 'echo /proc/[0-9]*'
  [ "$(wc -w <<<"$output")" -eq 2 ]
}

@test "exec: runc's errors: missing id, missing binary, bad cwd, stopped, no command (exit 255)" {
  run ocirt exec nope-$ID true
  [ "$status" -eq 255 ]
  [ "$output" = "ocirt: exec failed: container \"nope-$ID\" does not exist" ]
  start_sleeper
  run ocirt exec "$ID" /no/such/binary
  [ "$status" -eq 255 ]
  [[ "$output" == *'exec failed: exec: "/no/such/binary": stat /no/such/binary: No such file or directory' ]]
  run ocirt exec "$ID" nosuchcmd
  [ "$status" -eq 255 ]
  [[ "$output" == *'exec: "nosuchcmd": executable file not found in $PATH' ]]
  run ocirt exec --cwd /nope "$ID" true
  [ "$status" -eq 255 ]
  [[ "$output" == *'chdir to cwd ("/nope") set in config.json failed: No such file or directory' ]]
  run ocirt exec "$ID"
  [ "$status" -eq 255 ]
  [[ "$output" == *"no command"* ]]
  ocirt kill "$ID" KILL
  wait_status "$ID" stopped
  run ocirt exec "$ID" true
  [ "$status" -eq 255 ]
  [[ "$output" == *"cannot exec in a stopped container" ]]
}

@test "exec: a paused container needs --ignore-paused; the process then runs at resume" {
  start_sleeper
  ocirt pause "$ID" || skip "pause is not available: $(ocirt pause "$ID" 2>&1)"
  run ocirt exec "$ID" true
  [ "$status" -eq 255 ]
  [[ "$output" == *"cannot exec in a paused container (use --ignore-paused to override)" ]]
  # with --ignore-paused the process is frozen with the container: exec returns after resume
  ( sleep 1; "$OCIRT" --root "$TEST_ROOT" resume "$ID" ) &
  run ocirt exec --ignore-paused "$ID" sh -c 'echo ran'
  wait
  [ "$status" -eq 0 ]
  [ "$output" = ran ]
}

@test "exec: into a created (not yet started) container" {
  set_args sleep 1000
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt exec "$ID" sh -c 'echo in; cat /proc/1/comm'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = in ]
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = created ]
}

@test "exec: a container with a user namespace: its maps apply" {
  userns_reachable "$BUNDLE"
  chmod o+rx "$BUNDLE/rootfs"
  start_sleeper '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
  run ocirt exec -u 1000 "$ID" sh -c 'id -u; cat /proc/self/uid_map'
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 1000 ]
  [ "$(echo ${lines[1]})" = "0 200000 65536" ]
  run ocirt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
  [ "$status" -eq 0 ]
  # on the host the process runs as 200000 + 0
  [ "$(awk '/^Uid:/ {print $2}' /proc/$(cat "$BATS_TEST_TMPDIR/p")/status)" = 200000 ]
}

@test "exec --preserve-fds: fd 3 reaches the process, no other fd does" {
  start_sleeper
  echo secret > "$BATS_TEST_TMPDIR/f"
  run ocirt exec --preserve-fds 1 "$ID" sh -c 'cat <&3; ls /proc/self/fd | sort -n | tr "\n" " "' 3<"$BATS_TEST_TMPDIR/f"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = secret ]
  # 0 1 2 3 and the fd ls itself opens
  [ "$(echo ${lines[1]} | wc -w)" -eq 5 ]
}

@test "exec: a console socket that does not exist: clear error, exit 255, no process left" {
  start_sleeper
  run ocirt exec -t -d --console-socket "$BATS_TEST_TMPDIR/nope.sock" "$ID" sh
  [ "$status" -eq 255 ]
  [[ "$output" == *"connect to console socket \`$BATS_TEST_TMPDIR/nope.sock\`: No such file or directory" ]]
  run ocirt exec "$ID" sh -c 'echo /proc/[0-9]*'
  [ "$(wc -w <<<"$output")" -eq 2 ]
}

@test "exec: runc's terminal rules" {
  start_sleeper
  run ocirt exec -t -d "$ID" sh
  [ "$status" -eq 255 ]
  [[ "$output" == *"cannot allocate tty if ocirt will detach without setting console socket" ]]
  run ocirt exec -d --console-socket /x.sock "$ID" sh
  [ "$status" -eq 255 ]
  [[ "$output" == *"cannot use console socket if ocirt will not detach or allocate tty" ]]
}

@test "exec: the process gets signals sent to a foreground ocirt exec" {
  start_sleeper
  "$OCIRT" --root "$TEST_ROOT" exec "$ID" sh -c 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done' > "$BATS_TEST_TMPDIR/out" &
  ocirt_pid=$!
  for i in $(seq 50); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.1; done
  kill -TERM $ocirt_pid
  wait $ocirt_pid
  [ "$(tail -1 "$BATS_TEST_TMPDIR/out")" = got-term ]
}

@test "exec: ps and events see the exec'd process" {
  start_sleeper
  run ocirt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
  [ "$status" -eq 0 ]
  pid=$(cat "$BATS_TEST_TMPDIR/p")
  run ocirt ps --format json "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -c 'sort' <<<"$output")" = "$(jq -cn --argjson a "$INIT" --argjson b "$pid" '[$a, $b] | sort')" ]
  run ocirt events --stats "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq .data.pids.current <<<"$output")" = 2 ]
}
