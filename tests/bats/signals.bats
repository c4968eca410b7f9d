#!/usr/bin/env bats
# Signals (issue 9), beyond lifecycle.bats (USR1 ends a foreground run; 128+N; SIGKILL to a pid-ns
# init; TERM ends a created container): a foreground run forwards TERM, INT, HUP and USR1 to a
# process that handles them and goes on, also when ocirt was started with INT and HUP ignored
# (nohup, a non-interactive shell's `&`); it reaps the orphans it inherits as a subreaper; kill of
# a process that ignores TERM, then KILL; a process that exits at once or cannot be exec'd at start.

load helpers

setup() {
  setup_common
  ID=sig$$-$BATS_TEST_NUMBER
}

teardown() {
  teardown_common
}

@test "run forwards TERM, INT, HUP and USR1 to the container's process, which handles them and exits 5" {
  set_args sh -c 'for s in TERM INT HUP USR1; do trap "echo got $s" $s; done; echo ready
                  i=0; while [ $i -lt 100 ] && [ ! -e /tmp/stop ]; do sleep 0.05; i=$((i + 1)); done; exit 5'
  for ignored in no yes; do
    : >"$BATS_TEST_TMPDIR/out"
    if [ "$ignored" = yes ]; then
      (trap '' INT HUP; exec "$OCIRT" --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID") \
        </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    else
      "$OCIRT" --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    fi
    bg=$!
    for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/out" && break; sleep 0.05; done
    for s in TERM INT HUP USR1; do
      kill -"$s" "$bg"
      for i in $(seq 100); do grep -q "got $s" "$BATS_TEST_TMPDIR/out" && break; sleep 0.02; done
    done
    pid=$("$OCIRT" --root "$TEST_ROOT" state "$ID" | jq -r .pid)
    touch "$BUNDLE/rootfs/tmp/stop"
    st=0
    wait "$bg" || st=$?
    rm -f "$BUNDLE/rootfs/tmp/stop"
    [ "$(grep got "$BATS_TEST_TMPDIR/out" | tr '\n' ' ')" = "got TERM got INT got HUP got USR1 " ] \
      || { echo "ignored=$ignored: $(cat "$BATS_TEST_TMPDIR/out")"; false; }
    [ "$st" -eq 5 ]
    [ ! -e /proc/"$pid" ] || [ "$(awk '{print $3}' /proc/"$pid"/stat)" != Z ]
    no_leftovers "$ID"
  done
}

@test "run reaps the orphans it inherits as a subreaper: no zombie while the container runs" {
  # no pid namespace: orphans of the container are reparented to ocirt run, not to a container init
  update_config '.linux.namespaces -= [{"type": "pid"}]'
  set_args sh -c 'for i in 1 2 3 4 5 6 7 8; do (sleep 0.1 &); done; sleep 1.5; echo over'
  "$OCIRT" --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  bg=$!
  sleep 0.9 # the sleeps exited long ago; reparented to ocirt, they must have been reaped
  kids=$(ps -o pid=,stat=,comm= --ppid "$bg" || true)
  zombies=$(awk '$2 ~ /^Z/' <<<"$kids")
  st=0
  wait "$bg" || st=$?
  [ -z "$zombies" ] || { echo "zombies of ocirt run: $zombies"; false; }
  [ "$st" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = over ]
  no_leftovers "$ID"
}

@test "kill: TERM to a process that ignores it changes nothing, then KILL stops it" {
  set_args sh -c 'trap "" TERM; echo ready; while :; do sleep 1; done'
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  for i in $(seq 100); do grep -q ready "$BATS_TEST_TMPDIR/ctr.out" && break; sleep 0.05; done
  run ocirt kill "$ID"
  [ "$status" -eq 0 ]
  sleep 0.5
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = running ]
  run ocirt kill "$ID" KILL
  [ "$status" -eq 0 ]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "a process that exits during start: start succeeds, the container is stopped with pid 0" {
  for args in true exit7; do
    if [ "$args" = true ]; then set_args true; else set_args sh -c 'exit 7'; fi
    run ocirt_bg create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    run ocirt start "$ID"
    [ "$status" -eq 0 ] || { echo "$args: $output"; false; }
    wait_status "$ID" stopped
    run ocirt state "$ID"
    [ "$(jq -r .pid <<<"$output")" = 0 ]
    run ocirt start "$ID"
    [ "$status" -eq 1 ]
    [ "$output" = "ocirt: cannot start a container that has stopped" ]
    run ocirt delete "$ID"
    [ "$status" -eq 0 ]
    no_leftovers "$ID"
  done
}

@test "the binary gone between create and start: start fails with the exec error, the container is stopped" {
  cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/bin/only-once"
  set_args /bin/only-once true
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  rm "$BUNDLE/rootfs/bin/only-once"
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocirt: exec \`/bin/only-once\`: No such file or directory" ]] || { echo "$output"; false; }
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}
