#!/usr/bin/env bats
# The container lifecycle: create, start, run (foreground, -d, --keep), state, kill, delete.

load helpers

setup() {
  setup_common
  ID=lc$$-$BATS_TEST_NUMBER
}

teardown() {
  teardown_common
}

@test "create -> created -> start -> running -> kill -> stopped -> delete -> gone" {
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
  [ "$status" -eq 0 ]
  [ -z "$output" ]

  run ocirt state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = created ]
  pid=$(jq -r .pid <<<"$output")
  [ "$pid" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
  [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
  [ "$(cat /proc/"$pid"/comm)" = "ocirt:[INIT]" ]
  [ -p "$TEST_ROOT/$ID/exec.fifo" ]

  run ocirt start "$ID"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r .pid <<<"$output")" = "$pid" ]
  [ "$(cat /proc/"$pid"/comm)" = sleep ]
  [ ! -e "$TEST_ROOT/$ID/exec.fifo" ]

  run ocirt kill "$ID" KILL
  [ "$status" -eq 0 ]
  wait_status "$ID" stopped
  run ocirt state "$ID"
  [ "$(jq -r .pid <<<"$output")" = 0 ]

  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  run ocirt state "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"container \"$ID\" does not exist"* ]]
  no_leftovers "$ID"
}

@test "run: hello, exit status 3, pid 1, its own hostname, /proc shows only its processes" {
  update_config '.hostname = "box-'"$ID"'"'
  set_args sh -c 'echo hello; echo "pid=$$"; hostname; cd /proc && echo "procs=" [0-9]*; exit 3'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 3 ]
  [ "${lines[0]}" = hello ]
  [ "${lines[1]}" = "pid=1" ]
  [ "${lines[2]}" = "box-$ID" ]
  [ "${lines[3]}" = "procs= 1" ]
  [ "${#lines[@]}" -eq 4 ] # nothing of ocirt's on the container's stdio
  no_leftovers "$ID"
}

@test "run BUNDLE_DIR: the id is the bundle's name" {
  mkdir "$BATS_TEST_TMPDIR/$ID"
  mv "$BUNDLE"/* "$BATS_TEST_TMPDIR/$ID/"
  BUNDLE=$BATS_TEST_TMPDIR/$ID
  set_args sh -c 'hostname >/dev/null; exit 7'
  run ocirt run "$BUNDLE"
  [ "$status" -eq 7 ]
  # and -b DIR ID, while a first one with that id runs
  set_args sleep 100
  run ocirt_bg run -d "$BUNDLE"
  [ "$status" -eq 0 ]
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = running ]
  run ocirt_bg run -b "$BUNDLE" -d "$ID-2"
  [ "$status" -eq 0 ]
  run ocirt delete -f "$ID"
  run ocirt delete -f "$ID-2"
  no_leftovers "$ID"
}

@test "run -d: returns once running; pid file; kill and delete" {
  set_args sleep 100
  run ocirt_bg run -d --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  [ "$(cat /proc/"$pid"/comm)" = sleep ]
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r .pid <<<"$output")" = "$pid" ]
  # the pid file is complete (written with rename, no temporary left)
  [ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c pid)" -eq 1 ]
  run ocirt kill "$ID" 9
  [ "$status" -eq 0 ]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "run --keep: the stopped container stays until deleted" {
  set_args sh -c 'exit 5'
  run ocirt run --keep --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 5 ]
  run ocirt state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = stopped ]
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "exit status of a killed process is 128+signal" {
  # SIGTERM only kills a pid-namespace init with a handler: run it in the host's pid namespace
  update_config '.linux.namespaces -= [{"type": "pid"}]'
  set_args sleep 100
  "$OCIRT" --root "$TEST_ROOT" run --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$ID" 3>&- &
  bg=$!
  for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/pid" ] && break; sleep 0.05; done
  wait_status "$ID" running
  run ocirt kill "$ID" TERM
  [ "$status" -eq 0 ]
  st=0
  wait $bg || st=$? # not `run wait`: a subshell cannot wait for our child
  [ "$st" -eq 143 ]
  no_leftovers "$ID"
}

@test "run forwards signals to the container" {
  update_config '.linux.namespaces -= [{"type": "pid"}]'
  set_args sleep 100
  "$OCIRT" --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID" 3>&- &
  bg=$!
  wait_status "$ID" running
  kill -USR1 $bg
  st=0
  wait $bg || st=$? # not `run wait`: a subshell cannot wait for our child
  [ "$st" -eq $((128 + 10)) ]
  no_leftovers "$ID"
}

@test "SIGKILL to a pid-namespace init: 137" {
  set_args sleep 100
  "$OCIRT" --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID" 3>&- &
  bg=$!
  wait_status "$ID" running
  run ocirt kill "$ID" SIGKILL
  [ "$status" -eq 0 ]
  st=0
  wait $bg || st=$? # not `run wait`: a subshell cannot wait for our child
  [ "$st" -eq 137 ]
  no_leftovers "$ID"
}

@test "kill: signal names with and without SIG, numbers; unknown ones and stopped containers fail" {
  set_args sh -c 'trap "echo usr1 >> /tmp/got" USR1; trap "echo hup >> /tmp/got" HUP; trap "echo int >> /tmp/got" INT; while :; do sleep 0.05; done'
  update_config '.root.readonly = false'
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  sleep 0.2 # the traps are set
  run ocirt kill "$ID" USR1
  [ "$status" -eq 0 ]
  run ocirt kill "$ID" SIGHUP
  [ "$status" -eq 0 ]
  run ocirt kill "$ID" 2
  [ "$status" -eq 0 ]
  run ocirt kill "$ID" NOPE
  [ "$status" -eq 1 ]
  [[ "$output" == *'unknown signal "NOPE"'* ]]
  for i in $(seq 100); do [ "$(wc -l < "$BUNDLE/rootfs/tmp/got")" -ge 3 ] && break; sleep 0.05; done
  [ "$(sort "$BUNDLE/rootfs/tmp/got" | tr '\n' ' ')" = "hup int usr1 " ]
  run ocirt kill "$ID" KILL
  wait_status "$ID" stopped
  run ocirt kill "$ID" KILL
  [ "$status" -eq 1 ]
  [[ "$output" == *"container not running"* ]]
  # --all is accepted and does not mind a stopped container (runc >= 1.2)
  run ocirt kill --all "$ID" KILL
  [ "$status" -eq 0 ]
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
}

@test "kill --all reaches every process of the container" {
  update_config '.linux.namespaces -= [{"type": "pid"}]'
  set_args sh -c 'sleep 100 & sleep 100 & wait'
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt kill --all "$ID" KILL
  [ "$status" -eq 0 ]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "a reused pid is never signalled" {
  set_args sleep 100
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  sleep 0.03 # start times count clock ticks (10 ms): a victim born in the init's tick looks like it
  sleep 100 &
  victim=$!
  # the recorded pid now names a process that is not the container's (other start time)
  jq --argjson p "$victim" '.pid = $p' "$TEST_ROOT/$ID/state.json" > "$BATS_TEST_TMPDIR/st" &&
    cp "$BATS_TEST_TMPDIR/st" "$TEST_ROOT/$ID/state.json"
  run ocirt kill "$ID" KILL
  [ "$status" -eq 1 ]
  [[ "$output" == *"container not running"* ]]
  kill -0 $victim
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = stopped ]
  kill $victim
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  kill -0 $victim 2>/dev/null && false
  # the real init was killed by the cgroup's removal
  no_leftovers "$ID"
}

@test "start on running and stopped containers, delete on created and running ones: runc's errors" {
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt delete "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot delete container $ID that is not stopped: created"* ]]
  run ocirt start "$ID"
  [ "$status" -eq 0 ]
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot start an already running container"* ]]
  run ocirt delete "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot delete container $ID that is not stopped: running"* ]]
  run ocirt kill "$ID" KILL
  wait_status "$ID" stopped
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot start a container that has stopped"* ]]
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  run ocirt delete "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"does not exist"* ]]
}

@test "delete --force kills a created and a running container" {
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  pid=$(ocirt state "$ID" | jq -r .pid)
  run ocirt delete --force "$ID"
  [ "$status" -eq 0 ]
  ! kill -0 "$pid" 2>/dev/null
  no_leftovers "$ID"
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  pid=$(ocirt state "$ID" | jq -r .pid)
  run ocirt delete -f "$ID"
  [ "$status" -eq 0 ]
  ! kill -0 "$pid" 2>/dev/null
  no_leftovers "$ID"
}

@test "two containers at once, and an id used again after delete" {
  set_args sleep 100
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID-a"
  [ "$status" -eq 0 ]
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID-b"
  [ "$status" -eq 0 ]
  a=$(ocirt state "$ID-a" | jq -r .pid)
  b=$(ocirt state "$ID-b" | jq -r .pid)
  [ "$a" != "$b" ]
  [ "$(readlink /proc/$a/ns/pid)" != "$(readlink /proc/$b/ns/pid)" ]
  run ocirt list -q
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "$ID-a $ID-b " ]
  run ocirt delete -f "$ID-a"
  [ "$status" -eq 0 ]
  [ "$(ocirt state "$ID-b" | jq -r .status)" = running ]
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID-a"
  [ "$status" -eq 0 ]
  [ "$(ocirt state "$ID-a" | jq -r .status)" = running ]
  run ocirt delete -f "$ID-a"
  run ocirt delete -f "$ID-b"
  no_leftovers "$ID-a"
  no_leftovers "$ID-b"
}

@test "a config without process: create works, start fails clearly and the container stays created" {
  update_config 'del(.process)'
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no process"* ]]
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = created ]
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"no process"* ]]
  run ocirt delete --force "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "stdio passes straight through; only the preserved fds reach the process" {
  set_args sh -c 'read line; echo "got $line"; echo err >&2; ls /proc/self/fd | tr "\n" " "'
  run bash -c "echo ping | '$OCIRT' --root '$TEST_ROOT' run --bundle '$BUNDLE' '$ID' 2>/dev/null"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "got ping" ]
  [ "${lines[1]}" = "0 1 2 3 " ] # 3: ls' own directory fd
  run bash -c "'$OCIRT' --root '$TEST_ROOT' run --bundle '$BUNDLE' '$ID' </dev/null 2>&1 >/dev/null"
  [ "$output" = err ]
  set_args sh -c 'cat <&3; cat <&4; ls /proc/self/fd | tr "\n" " "'
  echo three > "$BATS_TEST_TMPDIR/f3"
  echo four > "$BATS_TEST_TMPDIR/f4"
  run bash -c "'$OCIRT' --root '$TEST_ROOT' run --preserve-fds 2 --bundle '$BUNDLE' '$ID' 3<'$BATS_TEST_TMPDIR/f3' 4<'$BATS_TEST_TMPDIR/f4' 5</dev/null"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = three ]
  [ "${lines[1]}" = four ]
  [ "${lines[2]}" = "0 1 2 3 4 5 " ] # 5: ls' own; the caller's fd 5 did not get through
}

@test "LISTEN_FDS meant for ocirt is passed on with LISTEN_PID=1" {
  set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
  echo sock > "$BATS_TEST_TMPDIR/f3"
  run bash -c "exec 3<'$BATS_TEST_TMPDIR/f3'; export LISTEN_FDS=1; exec env LISTEN_PID=\$\$ '$OCIRT' --root '$TEST_ROOT' run --bundle '$BUNDLE' '$ID'"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "1 1" ]
  [ "${lines[1]}" = sock ]
}

@test "cwd is created when missing; env and PATH lookup" {
  update_config '.process.cwd = "/work/dir" | .process.env = ["PATH=/opt/bin:/bin", "FOO=bar"] | .root.readonly = false'
  mkdir -p "$BUNDLE/rootfs/opt/bin"
  printf '#!/bin/sh\necho "mine $FOO $(pwd)"\n' > "$BUNDLE/rootfs/opt/bin/mytool"
  chmod +x "$BUNDLE/rootfs/opt/bin/mytool"
  set_args mytool
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "$output" = "mine bar /work/dir" ]
  [ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "the same sequence through runc gives the same states and exit codes" {
  command -v runc >/dev/null || skip "runc is not installed"
  local rroot=/run/ocirt-test-runc-$$-$BATS_TEST_NUMBER
  # run, then a create/start/kill/delete sequence, with both runtimes on the same bundle
  sequence() { # RUNTIME ROOT
    local rt=$1 root=$2 out=""
    set_args sh -c 'exit 3'
    "$rt" --root "$root" run --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
    out+="run=$? "
    set_args sleep 100
    "$rt" --root "$root" create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1
    out+="create=$? $("$rt" --root "$root" state "$ID" | jq -r .status) "
    "$rt" --root "$root" start "$ID" >/dev/null 2>&1
    out+="start=$? $("$rt" --root "$root" state "$ID" | jq -r .status) "
    "$rt" --root "$root" start "$ID" >/dev/null 2>&1
    out+="start-again=$? "
    "$rt" --root "$root" kill "$ID" KILL >/dev/null 2>&1
    out+="kill=$? "
    for i in $(seq 100); do
      [ "$("$rt" --root "$root" state "$ID" | jq -r .status)" = stopped ] && break
      sleep 0.05
    done
    out+="$("$rt" --root "$root" state "$ID" | jq -r .status) "
    "$rt" --root "$root" kill "$ID" KILL >/dev/null 2>&1
    out+="kill-stopped=$? "
    "$rt" --root "$root" start "$ID" >/dev/null 2>&1
    out+="start-stopped=$? "
    "$rt" --root "$root" delete "$ID" >/dev/null 2>&1
    out+="delete=$? "
    "$rt" --root "$root" state "$ID" >/dev/null 2>&1
    out+="state-gone=$?"
    echo "$out"
  }
  ours=$(sequence "$OCIRT" "$TEST_ROOT")
  theirs=$(sequence runc "$rroot")
  runc --root "$rroot" delete -f "$ID" >/dev/null 2>&1 || true
  rm -rf "$rroot"
  echo "ocirt: $ours" >&2
  echo "runc:  $theirs" >&2
  [ "$ours" = "$theirs" ]
  [ "$ours" = "run=3 create=0 created start=0 running start-again=1 kill=0 stopped kill-stopped=1 start-stopped=1 delete=0 state-gone=1" ]
}

@test "clone3 filtered out (ENOSYS, as some seccomp profiles do): the clone() fallback" {
  helper=$(dirname "$OCIRT")/tests/helpers/no-syscall
  [ -x "$helper" ] || skip "tests/helpers/no-syscall is not built"
  set_args sh -c 'echo "pid=$$"; exit 4'
  run "$helper" clone3 "$OCIRT" --debug --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 4 ]
  [[ "$output" == *"falling back to clone"* ]]
  [[ "$output" == *"pid=1"* ]]
  no_leftovers "$ID"
}

@test "kill with the default SIGTERM ends a created container, as runc's" {
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt kill "$ID"
  [ "$status" -eq 0 ]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}
