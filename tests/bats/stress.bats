#!/usr/bin/env bats
# Concurrency (issue 9): 20 loops run create/start/kill/delete at once over 10 ids, while other
# loops run `list` and `state`, for OCIRT_STRESS_SECONDS (default 60). Every answer must be one of
# the races a client expects (the id exists already, does not exist, is not running, ...), every
# state and list must parse, no command may crash, and in the end nothing is left: no process,
# mount, cgroup or state dir. The iteration counts are printed.

load helpers

WORKERS=20
IDS=10
MARK=7717 # the containers run `sleep 7717`

setup() {
  setup_common
  set_args sleep "$MARK"
  SECS=${OCIRT_STRESS_SECONDS:-60}
  OUT=$BATS_TEST_TMPDIR/stress
  mkdir -p "$OUT"
  PREFIX=st$$
}

teardown() {
  local k
  for k in $(seq 0 $((IDS - 1))); do
    "$OCIRT" --root "$TEST_ROOT" delete --force "$PREFIX-$k" >/dev/null 2>&1
  done
  teardown_common
}

# The answers a client must expect when others act on the same id at the same time.
EXPECTED='already exists|does not exist|container not running|cannot start a container that has stopped|cannot start an already running container|cannot start a container in the creating state|that is not stopped|the container init exited before it could start the process'

# One command; its output goes to $OUT/errors.N when it failed in an unexpected way.
# Returns 0 when it succeeded.
try() {
  local w=$1 rc=0 out
  shift
  # a file, not a pipe: a created container keeps ocirt's stderr, $(...) would wait for it
  "$OCIRT" --root "$TEST_ROOT" "$@" </dev/null >/dev/null 2>"$OUT/last.$w" || rc=$?
  [ "$rc" -eq 0 ] && return 0
  out=$(cat "$OUT/last.$w")
  if [ "$rc" -ne 1 ] || ! grep -Eq "$EXPECTED" <<<"$out"; then
    echo "$* -> exit $rc: $out" >>"$OUT/errors.$w"
  fi
  return 1
}

worker() {
  local w=$1 end=$((SECONDS + SECS)) n=0 made=0 started=0 deleted=0 id
  while [ "$SECONDS" -lt "$end" ]; do
    id=$PREFIX-$((RANDOM % IDS))
    n=$((n + 1))
    # the container keeps no pipe of ours: its stdio is /dev/null
    try "$w" create --bundle "$BUNDLE" "$id" && made=$((made + 1))
    try "$w" start "$id" && started=$((started + 1))
    try "$w" kill "$id" KILL || true
    if [ $((RANDOM % 3)) -eq 0 ]; then
      try "$w" delete --force "$id" && deleted=$((deleted + 1))
    else
      try "$w" delete "$id" && deleted=$((deleted + 1))
    fi
  done
  echo "$n $made $started $deleted" >"$OUT/count.$w"
}

# state and list, all the time: each answer parses, statuses are known ones.
reader() {
  local w=$1 end=$((SECONDS + SECS)) n=0 out rc id
  while [ "$SECONDS" -lt "$end" ]; do
    n=$((n + 1))
    id=$PREFIX-$((RANDOM % IDS))
    rc=0
    out=$("$OCIRT" --root "$TEST_ROOT" state "$id" 2>&1) || rc=$?
    if [ "$rc" -eq 0 ]; then
      jq -e '.status | IN("creating", "created", "running", "paused", "stopped")' <<<"$out" >/dev/null \
        || echo "state $id: not a state: $out" >>"$OUT/errors.r$w"
    elif [ "$rc" -ne 1 ] || [[ "$out" != *"does not exist"* ]]; then
      echo "state $id -> exit $rc: $out" >>"$OUT/errors.r$w"
    fi
    rc=0
    out=$("$OCIRT" --root "$TEST_ROOT" list --format json 2>&1) || rc=$?
    if [ "$rc" -ne 0 ] || ! jq -e 'type == "array" or . == null' <<<"$out" >/dev/null; then
      echo "list -> exit $rc: $out" >>"$OUT/errors.r$w"
    fi
    rc=0
    out=$("$OCIRT" --root "$TEST_ROOT" list 2>&1) || rc=$?
    [ "$rc" -eq 0 ] || echo "list (table) -> exit $rc: $out" >>"$OUT/errors.r$w"
  done
  echo "$n" >"$OUT/reads.$w"
}

@test "20 loops of create/start/kill/delete over 10 ids, with list and state, for a minute" {
  local w pids=() k
  for w in $(seq $WORKERS); do
    worker "$w" &
    pids+=($!)
  done
  for w in 1 2; do
    reader "$w" &
    pids+=($!)
  done
  for k in "${pids[@]}"; do
    wait "$k"
  done

  read -r iters made started deleted < <(cat "$OUT"/count.* | awk '{a+=$1; b+=$2; c+=$3; d+=$4} END {print a, b, c, d}')
  reads=$(cat "$OUT"/reads.* | awk '{a+=$1} END {print a}')
  echo "# $SECS s: $iters iterations ($made created, $started started, $deleted deleted), $reads state+list rounds" >&3

  if [ -n "$(find "$OUT" -name 'errors.*' -size +0)" ]; then
    echo "unexpected answers:"
    sort "$OUT"/errors.* | uniq -c | sort -rn | head -30
    false
  fi
  [ "$made" -gt 0 ] && [ "$started" -gt 0 ] && [ "$deleted" -gt 0 ]

  # whatever the loops left (created or running) goes; then nothing may remain
  for k in $(seq 0 $((IDS - 1))); do
    run ocirt delete --force "$PREFIX-$k"
    [ "$status" -eq 0 ] || { echo "delete --force $PREFIX-$k: $output"; false; }
    no_leftovers "$PREFIX-$k"
  done
  ! pgrep -x -f "sleep $MARK" >/dev/null
  [ -z "$(ls "$TEST_ROOT" | grep -v '^\.')" ] || { ls -la "$TEST_ROOT"; false; }
  [ -z "$(ls -A "$TEST_ROOT/.locks" 2>/dev/null)" ] || { echo "lock files left: $(ls -A "$TEST_ROOT/.locks")"; false; }
}
