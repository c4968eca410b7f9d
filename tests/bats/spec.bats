#!/usr/bin/env bats
# `ocirt spec` writes what `runc spec` writes (Debian's runc is the reference; CI installs it).

load helpers
bats_require_minimum_version 1.5.0

setup() {
  setup_common
  OURS=$BATS_TEST_TMPDIR/ours
  THEIRS=$BATS_TEST_TMPDIR/theirs
  mkdir -p "$OURS" "$THEIRS"
}

teardown() {
  teardown_common
}

requires_runc() {
  command -v runc >/dev/null || skip "runc is not installed (apt-get install runc): it is the reference to compare with"
}

# same_field JQ_PATH: the value at that path is the same in both configs.
same_field() {
  local a b
  a=$(jq -cS "$1" "$OURS/config.json")
  b=$(jq -cS "$1" "$THEIRS/config.json")
  if [ "$a" != "$b" ]; then
    echo "$1 differs:"
    echo "  ocirt: $a"
    echo "  runc:  $b"
    return 1
  fi
}

compare_with_runc() {
  local f
  for f in .process .process.capabilities .process.rlimits .process.user .process.args .process.env \
           .process.cwd .process.terminal .process.noNewPrivileges .root .mounts .linux.namespaces \
           .linux.resources .linux.maskedPaths .linux.readonlyPaths .linux.uidMappings .linux.gidMappings; do
    same_field "$f"
  done
  # and nothing else differs than ociVersion (ours: 1.3.0) and the hostname (ours: "ocirt")
  same_field 'del(.ociVersion, .hostname)'
  [ "$(jq -r .ociVersion "$OURS/config.json")" = 1.3.0 ]
  [ "$(jq -r .hostname "$OURS/config.json")" = ocirt ]
}

@test "spec: the same config.json as runc spec, field by field" {
  requires_runc
  run -0 "$OCIRT" spec --bundle "$OURS"
  [ -z "$output" ]
  (cd "$THEIRS" && runc spec)
  compare_with_runc
  # runc's layout too: tab indentation, no trailing newline; only two lines differ
  run diff "$OURS/config.json" "$THEIRS/config.json"
  [ "$(grep -c '^[<>]' <<< "$output")" -eq 4 ]
}

@test "spec --rootless: the same config.json as runc spec --rootless" {
  requires_runc
  run -0 "$OCIRT" spec --rootless --bundle "$OURS"
  (cd "$THEIRS" && runc spec --rootless)
  compare_with_runc
  run -0 jq -c '[.linux.namespaces[].type]' "$OURS/config.json"
  [ "$output" = '["pid","ipc","uts","mount","user"]' ]
}

@test "spec --rootless as an unprivileged user maps root to that user, as runc does" {
  requires_runc
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
  chmod 777 "$OURS" "$THEIRS"
  chmod 755 "$BATS_TEST_TMPDIR"
  (cd "$OURS" && setpriv --reuid 65534 --regid 65533 --clear-groups "$OCIRT" spec --rootless)
  (cd "$THEIRS" && setpriv --reuid 65534 --regid 65533 --clear-groups runc spec --rootless)
  compare_with_runc
  run -0 jq -c '.linux.uidMappings, .linux.gidMappings' "$OURS/config.json"
  [ "${lines[0]}" = '[{"containerID":0,"hostID":65534,"size":1}]' ]
  [ "${lines[1]}" = '[{"containerID":0,"hostID":65533,"size":1}]' ]
}

@test "spec writes into the current directory without --bundle" {
  (cd "$OURS" && "$OCIRT" spec)
  run -0 jq -r '.process.args[0]' "$OURS/config.json"
  [ "$output" = sh ]
}

@test "spec refuses to overwrite config.json, with runc's message" {
  echo '{"keep":"me"}' > "$OURS/config.json"
  run -1 --separate-stderr "$OCIRT" spec --bundle "$OURS"
  [ "$stderr" = 'ocirt: File config.json exists. Remove it first' ]
  [ "$(cat "$OURS/config.json")" = '{"keep":"me"}' ]
  (cd "$OURS" && run -1 "$OCIRT" spec)
}

@test "spec into a missing directory names it" {
  run -1 --separate-stderr "$OCIRT" spec --bundle "$OURS/nope"
  [ "$stderr" = "ocirt: open bundle directory \`$OURS/nope\`: No such file or directory" ]
  [ ! -e "$OURS/nope" ]
}

@test "spec takes no arguments" {
  run -1 --separate-stderr "$OCIRT" spec "$OURS"
  [ "$stderr" = 'ocirt: spec: too many arguments: usage: ocirt spec [options]' ]
  [ ! -e "$OURS/config.json" ]
}
