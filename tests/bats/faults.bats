#!/usr/bin/env bats
# Fault injection (issue 9): `ocirt create`, `start` and `delete` SIGKILLed at every phase
# (OCIRT_TEST_FAIL_AT, include/ocirt/testhook.h; needs a -Dtest_hooks=true build, such as the
# sanitizer build tests/sanitize.sh runs this with) and at random moments, and a full disk under
# the state root. After each: `list` and `state` answer without crashing, `delete --force ID`
# removes everything, nothing is left (state dir, cgroup, processes, mounts) and the id works again.

load helpers

# Phases of create in the runtime: it dies by SIGKILL (status 137). The step named is done.
RUNTIME_PHASES="lock state-dir cgroup fifo clone go ready state-written created"
# Phases in the container's init: it dies (of SIGILL, a signal the kernel forces on a pid-namespace
# init) and create reports it.
INIT_PHASES="init-go init-mounts init-pivot init-ready"

setup() {
  setup_common
  ID=flt$$-$BATS_TEST_NUMBER
  MARK=$((4000 + BATS_TEST_NUMBER)) # `sleep MARK`: the container's process, found by pgrep
  set_args sleep "$MARK"
}

teardown() {
  if [ -n "${FULL_ROOT:-}" ]; then
    "$OCIRT" --root "$FULL_ROOT" delete --force "$ID" >/dev/null 2>&1
    umount "$FULL_ROOT" && rmdir "$FULL_ROOT"
  fi
  teardown_common
}

# The binary must have the fault points; a build without them would run every create to the end.
requires_test_hooks() {
  local rc=0
  OCIRT_TEST_FAIL_AT=lock "$OCIRT" --root "$TEST_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || rc=$?
  if [ "$rc" -ne 137 ]; then
    "$OCIRT" --root "$TEST_ROOT" delete --force "$ID" >/dev/null 2>&1
    skip "$OCIRT has no fault points (build it with -Dtest_hooks=true)"
  fi
  "$OCIRT" --root "$TEST_ROOT" delete --force "$ID" >/dev/null 2>&1
}

# After a fault: list and state answer (exit 0 or 1, never a crash), state's output is JSON when
# it succeeds, delete --force removes what is left, nothing survives, and the id is usable again.
check_recovery() {
  local phase=$1
  run ocirt list
  [ "$status" -eq 0 ] || { echo "$phase: list: $status $output"; return 1; }
  run ocirt list --format json
  [ "$status" -eq 0 ] && jq . <<<"$output" >/dev/null || { echo "$phase: list json: $status $output"; return 1; }
  run ocirt state "$ID"
  if [ "$status" -eq 0 ]; then
    jq -e .status <<<"$output" >/dev/null || { echo "$phase: state printed no JSON: $output"; return 1; }
  elif [ "$status" -ne 1 ] || [[ "$output" != *"does not exist"* ]]; then
    echo "$phase: state: $status $output"
    return 1
  fi
  run ocirt delete --force "$ID"
  [ "$status" -eq 0 ] || { echo "$phase: delete --force: $status $output"; return 1; }
  no_leftovers "$ID" || { echo "$phase: left behind"; return 1; }
  ! pgrep -x -f "sleep $MARK" >/dev/null || { echo "$phase: the container's process survived"; return 1; }
  # the id works again
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$phase: create again: $output"; return 1; }
  run ocirt delete --force "$ID"
  [ "$status" -eq 0 ] && no_leftovers "$ID"
}

@test "create SIGKILLed at every runtime phase: delete --force removes everything" {
  requires_test_hooks
  for phase in $RUNTIME_PHASES; do
    rc=0
    OCIRT_TEST_FAIL_AT=$phase "$OCIRT" --root "$TEST_ROOT" create --bundle "$BUNDLE" "$ID" \
      </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" || rc=$?
    [ "$rc" -eq 137 ] || { echo "$phase: create exit $rc: $(cat "$BATS_TEST_TMPDIR/err")"; false; }
    [ ! -s "$BATS_TEST_TMPDIR/err" ]
    check_recovery "$phase"
  done
}

@test "create with hooks SIGKILLed when the init asks for them (mounts done, not pivoted)" {
  requires_test_hooks
  update_config '.hooks.prestart = [{"path": "/bin/true"}]'
  rc=0
  OCIRT_TEST_FAIL_AT=hooks "$OCIRT" --root "$TEST_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 137 ]
  check_recovery hooks
}

@test "the init dies at each of its phases: create fails clearly and leaves nothing" {
  requires_test_hooks
  for phase in $INIT_PHASES; do
    run env OCIRT_TEST_FAIL_AT="$phase" "$OCIRT" --root "$TEST_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null
    [ "$status" -eq 1 ] || { echo "$phase: create exit $status: $output"; false; }
    [ "$output" = "ocirt: the container init died before it was ready: signal SIGILL" ]
    no_leftovers "$ID"
    check_recovery "$phase"
  done
}

@test "start SIGKILLed after releasing the init and after recording running; the init dying at start" {
  requires_test_hooks
  for phase in start-released start-running; do
    run ocirt_bg create --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    rc=0
    OCIRT_TEST_FAIL_AT=$phase "$OCIRT" --root "$TEST_ROOT" start "$ID" 2>&1 || rc=$?
    [ "$rc" -eq 137 ]
    # the process runs. Killed before it removed exec.fifo, start leaves the state "created" (as
    # runc's: the fifo is what says created); a second start then finds the process exec'd
    run ocirt state "$ID"
    [ "$status" -eq 0 ]
    st=$(jq -r .status <<<"$output")
    pid=$(jq -r .pid <<<"$output")
    if [ "$phase" = start-released ] && [ "$st" = created ]; then
      run timeout 10 "$OCIRT" --root "$TEST_ROOT" start "$ID" # it used to wait for the fifo forever
      [ "$status" -eq 0 ] || { echo "second start: $status $output"; false; }
      wait_status "$ID" running
    else
      [ "$st" = running ] || { echo "$phase: $st"; false; }
    fi
    [ "$(cat /proc/"$pid"/comm)" = sleep ]
    check_recovery "$phase"
  done
  # the init killed between `start` and the exec (it reads the variable create had): its end of
  # exec.fifo closes as at an exec, so start may report success (as runc's), but the container is
  # stopped, never "running", and goes with delete
  OCIRT_TEST_FAIL_AT=init-start run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt start "$ID"
  [ "$status" -le 1 ]
  wait_status "$ID" stopped
  check_recovery init-start
}

@test "delete SIGKILLed after the cgroup is gone and after the state is gone: delete --force finishes" {
  requires_test_hooks
  for phase in delete-cgroup delete-removed; do
    run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
    [ "$status" -eq 0 ]
    rc=0
    OCIRT_TEST_FAIL_AT=$phase "$OCIRT" --root "$TEST_ROOT" delete --force "$ID" 2>&1 || rc=$?
    [ "$rc" -eq 137 ]
    check_recovery "$phase"
  done
}

@test "create SIGKILLed at random moments (40 rounds): nothing is ever left that delete --force cannot remove" {
  local i delay pid states=""
  for i in $(seq 40); do
    delay=$(printf '0.%03d' $((RANDOM % 40)))
    "$OCIRT" --root "$TEST_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    run ocirt state "$ID"
    [ "$status" -le 1 ] || { echo "round $i: state crashed: $status $output"; false; }
    [ "$status" -eq 1 ] || states+=" $(jq -r .status <<<"$output")"
    [ "$status" -eq 0 ] || [[ "$output" == *"does not exist"* ]] || { echo "round $i: $output"; false; }
    run ocirt list
    [ "$status" -eq 0 ] || { echo "round $i: list: $output"; false; }
    run ocirt delete --force "$ID"
    [ "$status" -eq 0 ] || { echo "round $i (after ${delay}s): delete --force: $output"; false; }
    no_leftovers "$ID" || { echo "round $i (after ${delay}s)"; false; }
    ! pgrep -x -f "sleep $MARK" >/dev/null
  done
  echo "# states seen after the kill:$states" >&3
}

# A state root on a full 64k tmpfs.
full_root() {
  FULL_ROOT=/run/ocirt-test-full-$$-$BATS_TEST_NUMBER
  mkdir -p "$FULL_ROOT"
  mount -t tmpfs -o size=64k tmpfs "$FULL_ROOT"
  mkdir "$FULL_ROOT/.locks" # what any earlier command would have made
  dd if=/dev/zero of="$FULL_ROOT/filler" bs=4k 2>/dev/null || true
}

@test "full disk under the state root: create fails naming the file, nothing half-written" {
  full_root
  run "$OCIRT" --root "$FULL_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == "ocirt: "*"No space left on device" ]] || { echo "$output"; false; }
  [[ "$output" == *"$FULL_ROOT/$ID/state.json.tmp"* ]]
  [ "$(ls -A "$FULL_ROOT" | sort | tr '\n' ' ')" = ".locks filler " ] # no state dir, no .tmp
  [ -z "$(ls -A "$FULL_ROOT/.locks")" ]
  no_leftovers "$ID"
  ! pgrep -x -f "sleep $MARK" >/dev/null
  run "$OCIRT" --root "$FULL_ROOT" list
  [ "$status" -eq 0 ]
  # space again: the same id works
  rm "$FULL_ROOT/filler"
  "$OCIRT" --root "$FULL_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
}

@test "full disk at start: start fails clearly, the state stays readable and consistent" {
  full_root
  rm "$FULL_ROOT/filler"
  "$OCIRT" --root "$FULL_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  dd if=/dev/zero of="$FULL_ROOT/filler" bs=4k 2>/dev/null || true
  run "$OCIRT" --root "$FULL_ROOT" start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocirt: "*"No space left on device" ]] || { echo "$output"; false; }
  # the process was released before the write failed: state still parses and says running
  run "$OCIRT" --root "$FULL_ROOT" state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = running ]
  [ ! -e "$FULL_ROOT/$ID/state.json.tmp" ]
  run "$OCIRT" --root "$FULL_ROOT" delete --force "$ID"
  [ "$status" -eq 0 ]
  [ ! -e "$FULL_ROOT/$ID" ]
  ! pgrep -x -f "sleep $MARK" >/dev/null
}
