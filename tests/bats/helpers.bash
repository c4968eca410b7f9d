# Shared helpers for the end-to-end tests, runc style. Load with `load helpers` in every .bats file
# and call `setup_common` / `teardown_common` from setup/teardown.
#
# Each test gets its own state root (/run/ocirt-test-<pid>-<n>) and bundle (a copy of a busybox
# rootfs built once per run, plus `ocirt spec`'s config made non-interactive). teardown deletes
# every container it finds with --force and fails the test when anything is left behind.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
OCIRT=${OCIRT:-$TOP/build/ocirt}
ROOTFS_CACHE=${OCIRT_ROOTFS_CACHE:-/tmp/ocirt-test-rootfs}

# ocirt with the test's state root; use with bats' `run`.
ocirt() {
  "$OCIRT" --root "$TEST_ROOT" "$@"
}

# The busybox rootfs, made once and shared read-only by copying.
ensure_rootfs() {
  if [ ! -x "$ROOTFS_CACHE/rootfs/bin/busybox" ]; then
    mkdir -p "$ROOTFS_CACHE.tmp.$$"
    "$TOP/tools/make-bundle.sh" --rootfs-only "$ROOTFS_CACHE.tmp.$$" >/dev/null
    mkdir -p "$ROOTFS_CACHE"
    mv "$ROOTFS_CACHE.tmp.$$/rootfs" "$ROOTFS_CACHE/rootfs" 2>/dev/null || true
    rm -rf "$ROOTFS_CACHE.tmp.$$"
  fi
}

# make_bundle DIR: a fresh bundle running `true`, terminal off.
make_bundle() {
  local dir=$1
  ensure_rootfs
  mkdir -p "$dir"
  cp -a "$ROOTFS_CACHE/rootfs" "$dir/rootfs"
  "$OCIRT" spec --bundle "$dir"
  update_config '.process.terminal = false | .process.args = ["true"]' "$dir"
}

# update_config JQ_FILTER [BUNDLE]: edit config.json in place.
update_config() {
  local dir=${2:-$BUNDLE}
  jq "$1" "$dir/config.json" > "$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# set_args ARG...: the container's process.args.
set_args() {
  local a
  a=$(jq -cn '$ARGS.positional' --args -- "$@") # "--": jq 1.6 would take a "-c" argument for itself
  update_config ".process.args = $a"
}

requires_root() {
  [ "$(id -u)" = 0 ] || skip "needs root"
}

setup_common() {
  requires_root
  TEST_ROOT=/run/ocirt-test-$$-${BATS_TEST_NUMBER}
  mkdir -p "$TEST_ROOT"
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  make_bundle "$BUNDLE"
  MOUNTS_BEFORE=$(wc -l < /proc/self/mountinfo)
}

# Deletes what the test left and fails when something could not be removed. Checked after every
# test (issue 9): state dirs, mounts of the test's bundle or state root in the host's mountinfo,
# cgroups named after the test's containers, processes of its runtime (command line) or whose root
# is its rootfs (a container's pid 1 shows "/" as its root, but the same inode).
teardown_common() {
  local id ids=${ID:-} left="" cg procs rootid i
  [ -n "${TEST_ROOT:-}" ] || return 0
  if [ -d "$TEST_ROOT" ]; then
    for id in $(ls "$TEST_ROOT" 2>/dev/null); do
      [ -d "$TEST_ROOT/$id" ] || continue
      ids+=" $id"
      "$OCIRT" --root "$TEST_ROOT" delete --force "$id" >/dev/null 2>&1 || true
      [ -d "$TEST_ROOT/$id" ] && left+=" state:$id"
    done
    rm -rf "$TEST_ROOT"
  fi
  if grep -q -e "$BATS_TEST_TMPDIR" -e "$TEST_ROOT" /proc/self/mountinfo; then
    left+=" mounts:$(grep -e "$BATS_TEST_TMPDIR" -e "$TEST_ROOT" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')"
    grep -e "$BATS_TEST_TMPDIR" -e "$TEST_ROOT" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  fi
  rootid=$(stat -c '%d:%i' "${BUNDLE:-/nonexistent}/rootfs" 2>/dev/null)
  for i in $(seq 20); do # a grace of 2 s: e.g. `events` ends at its next interval once the container is gone
    procs=$(pgrep -f -- "--root $TEST_ROOT " | tr '\n' ' ')
    [ -n "$rootid" ] && procs+=$(stat -L -c '%n %d:%i' /proc/[0-9]*/root 2>/dev/null \
                                   | awk -v r="$rootid" '$2 == r {split($1, p, "/"); printf "%s ", p[3]}')
    [ -z "$procs" ] && break
    sleep 0.1
  done
  if [ -n "$procs" ]; then
    left+=" processes:$procs"
    kill -KILL $procs 2>/dev/null
  fi
  for id in $ids; do
    cg=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$id" 2>/dev/null | sort -r)
    [ -z "$cg" ] && continue
    left+=" cgroups:$(echo $cg)"
    sleep 0.2 # the processes killed above leave their cgroups
    for d in $cg; do rmdir "$d" 2>/dev/null; done
  done
  if [ -n "$left" ]; then
    echo "teardown: left behind:$left" >&2
    return 1
  fi
}

# --- lifecycle engine helpers ---

# wait_status ID STATUS: polls `state` (up to 5 s) until the container has STATUS.
wait_status() {
  local i s
  for i in $(seq 100); do
    s=$("$OCIRT" --root "$TEST_ROOT" state "$1" 2>/dev/null | jq -r .status)
    [ "$s" = "$2" ] && return 0
    sleep 0.05
  done
  echo "container $1: status $s, not $2" >&2
  return 1
}

# no_leftovers ID: nothing of container ID survives: state dir, cgroup dirs, processes of this
# test's runtime (their command line names the state root), mounts of the bundle.
no_leftovers() {
  local id=$1 bad=""
  [ -e "$TEST_ROOT/$id" ] && bad+=" state-dir"
  [ -n "$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null)" ] && bad+=" cgroup:$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" | tr '\n' ' ')"
  pgrep -f -- "--root $TEST_ROOT " >/dev/null && bad+=" processes:$(pgrep -f -- "--root $TEST_ROOT " | tr '\n' ' ')"
  grep -q -e "$BATS_TEST_TMPDIR" -e "$TEST_ROOT" /proc/self/mountinfo && bad+=" mounts"
  if [ -n "$bad" ]; then
    echo "left behind by $id:$bad" >&2
    return 1
  fi
}

# ocirt_bg ARGS...: for `create` and `run -d`, whose container keeps ocirt's stdio after ocirt
# exits (bats' `run` reads a pipe until every writer is gone, so it would wait for the container).
# The container's stdin is /dev/null, its stdout $BATS_TEST_TMPDIR/ctr.out; ocirt's stderr (which
# the container shares) is printed, so `run ocirt_bg ...` gets status and message as usual.
ocirt_bg() {
  local rc=0
  "$OCIRT" --root "$TEST_ROOT" "$@" </dev/null >>"$BATS_TEST_TMPDIR/ctr.out" 2>"$BATS_TEST_TMPDIR/ocirt.err" || rc=$?
  cat "$BATS_TEST_TMPDIR/ocirt.err"
  return $rc
}

# userns_reachable DIR: a container whose root is a mapped uid must be able to reach its rootfs
# (and bind sources); bats' temporary directories are 0700. Opens the way down to DIR (o+x).
userns_reachable() {
  local d
  d=$(cd "$1" && pwd)
  while [ "$d" != / ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
}
