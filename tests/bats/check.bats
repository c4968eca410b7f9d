#!/usr/bin/env bats
# ocirt check [BUNDLE]: every problem of config.json with its JSON path and line, exit 0 only when
# the bundle is valid. Needs no root: nothing runs.

load helpers

FIXTURES="$TOP/tests/fixtures/config"

setup() {
  B="$BATS_TEST_TMPDIR/bundle"
  mkdir -p "$B/rootfs"
}

# use_fixture DIR/NAME: the fixture becomes the bundle's config.json
use_fixture() {
  cp "$FIXTURES/$1.json" "$B/config.json"
}

@test "check: runc's default config is valid" {
  use_fixture good/runc-default
  run "$OCIRT" check "$B"
  [ "$status" -eq 0 ]
  [ "$output" = "config.json: valid" ]
}

@test "check: what ocirt spec writes is valid, also as the default bundle ." {
  "$OCIRT" spec --bundle "$B"
  cd "$B"
  run "$OCIRT" check
  [ "$status" -eq 0 ]
  [ "$output" = "config.json: valid" ]
  run "$OCIRT" check --bundle "$B"
  [ "$status" -eq 0 ]
}

@test "check: --help" {
  run "$OCIRT" check --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage: ocirt check [options] [BUNDLE]"* ]]
}

@test "check: a syntax error gives line and column" {
  printf '{\n  "ociVersion": "1.0.2",\n  "root": {"path": "rootfs"},\n}\n' > "$B/config.json"
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "config.json: syntax error at line 4, column 1: invalid object key (must be a string)" ]
  [ "${lines[1]}" = "config.json: 1 problem" ]
}

@test "check: a wrong type names the path and line" {
  use_fixture bad/args-not-array
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "config.json: process.args: expected array of strings at line 8" ]
}

@test "check: unknown namespace" {
  use_fixture bad/namespace-unknown
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = 'config.json: linux.namespaces[2].type: unknown namespace "pidd" at line 25' ]
}

@test "check: out of range integer" {
  use_fixture bad/uid-too-big
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "config.json: process.user.uid: 4294967296 is out of range for uint32 at line 12" ]
}

@test "check: every validation problem is listed, then a count" {
  use_fixture invalid/seccomp
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 7 ]
  [ "${lines[0]}" = 'config.json: linux.seccomp.defaultAction: unknown action "SCMP_ACT_DENY" at line 26' ]
  [ "${lines[3]}" = 'config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_EQUAL" at line 43' ]
  [ "${lines[6]}" = "config.json: 6 problems" ]
}

@test "check: unknown capabilities in any set" {
  use_fixture invalid/capability-unknown
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = 'config.json: process.capabilities.bounding[1]: unknown capability "CAP_FOO" at line 18' ]
  [ "${lines[1]}" = 'config.json: process.capabilities.ambient[0]: unknown capability "CAP_BAR" at line 24' ]
  [ "${lines[2]}" = "config.json: 2 problems" ]
}

@test "check: each invalid fixture prints exactly its expected problems" {
  local f name
  for f in "$FIXTURES"/invalid/*.json; do
    name=${f%.json}
    cp "$f" "$B/config.json"
    run "$OCIRT" check "$B"
    [ "$status" -eq 1 ] || { echo "$f: exit $status"; return 1; }
    diff <(printf '%s\n' "$output" | sed '$d') "$name.expected" || { echo "$f differs"; return 1; }
  done
}

@test "check: a missing rootfs is a problem" {
  use_fixture good/runc-default
  rmdir "$B/rootfs"
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "config.json: root.path: \`$B/rootfs\`: No such file or directory at line 49" ]
  touch "$B/rootfs"
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "config.json: root.path: \`$B/rootfs\` is not a directory at line 49" ]
}

@test "check: a relative mount destination is only a warning" {
  use_fixture good/runc-default
  jq '.mounts[0].destination = "proc"' "$FIXTURES/good/runc-default.json" > "$B/config.json"
  run "$OCIRT" check "$B"
  [ "$status" -eq 0 ]
  [[ "$output" == *'mounts[0].destination: relative path "proc" is deprecated, taken as "/proc"'* ]]
}

@test "check: no config.json fails with the path" {
  run "$OCIRT" check "$B"
  [ "$status" -eq 1 ]
  [[ "$output" == *"bundle \`$B\`: cannot read config.json: stat \`$B/config.json\`: No such file or directory"* ]]
}

@test "check: too many arguments" {
  run "$OCIRT" check "$B" extra
  [ "$status" -eq 1 ]
}
