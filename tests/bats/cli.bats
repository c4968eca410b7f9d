#!/usr/bin/env bats
# The command line: version, help, flag forms, errors and the log formats clients parse.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  setup_common
}

teardown() {
  [ -z "${XDG_DIR:-}" ] || rm -rf "$XDG_DIR"
  teardown_common
}

RFC3339='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})'

# The commands `ocirt --help` lists.
commands() {
  "$OCIRT" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

@test "--version: version, commit, spec and libseccomp lines" {
  run -0 "$OCIRT" --version
  [ "${#lines[@]}" -eq 4 ]
  [[ "${lines[0]}" =~ ^ocirt\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
  [[ "${lines[1]}" =~ ^commit:\ [^\ ]+$ ]]
  [ "${lines[2]}" = "spec: 1.3.0" ]
  [[ "${lines[3]}" =~ ^libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  run -0 "$OCIRT" -v
  [[ "${lines[0]}" =~ ^ocirt\ version ]]
}

@test "--help lists every command and the global flags" {
  run -0 "$OCIRT" --help
  [[ "$output" == *"Usage: ocirt"* ]]
  for c in create start run state kill delete exec ps list pause resume update events features spec check; do
    [[ "$output" == *"  $c "* ]] || { echo "missing command $c"; return 1; }
  done
  for f in --root --log --log-format --debug --systemd-cgroup --rootless; do
    [[ "$output" == *"$f "* ]] || { echo "missing flag $f"; return 1; }
  done
  run -0 "$OCIRT" -h
  [[ "$output" == *"Usage: ocirt"* ]]
}

@test "every command's --help exits 0 with its usage" {
  local c bad=""
  [ -n "$(commands)" ]
  for c in $(commands); do
    run "$OCIRT" "$c" --help
    if [ "$status" -ne 0 ] || [[ "$output" != *"Usage: ocirt $c"* ]]; then
      bad+=" $c"
      echo "$c --help: status $status: $output"
    fi
  done
  [ -z "$bad" ] || { echo "commands without a working --help:$bad"; return 1; }
}

@test "no command: usage on stderr, exit 1" {
  run -1 --separate-stderr "$OCIRT"
  [ -z "$output" ]
  [[ "$stderr" == *"Usage: ocirt"* ]]
}

@test "unknown command: named in the error, exit 1" {
  run -1 --separate-stderr "$OCIRT" frobnicate
  [ "$stderr" = 'ocirt: unknown command `frobnicate` (see `ocirt --help`)' ]
}

@test "unknown global flag: named in the error, exit 1" {
  run -1 --separate-stderr "$OCIRT" --frob list
  [ "$stderr" = 'ocirt: unknown global flag `--frob` (see `ocirt --help`)' ]
  run -1 --separate-stderr "$OCIRT" --root
  [ "$stderr" = 'ocirt: global flag `--root` needs a value' ]
}

@test "unknown command flag: named in the error, exit 1" {
  run -1 --separate-stderr ocirt list --frob
  [ "$stderr" = 'ocirt: list: unknown flag `--frob` (see `ocirt list --help`)' ]
  run -1 --separate-stderr ocirt state --frob=1 x
  [ "$stderr" = 'ocirt: state: unknown flag `--frob` (see `ocirt state --help`)' ]
  run -1 --separate-stderr ocirt list --format
  [ "$stderr" = 'ocirt: list: flag --format needs a value' ]
  run -1 --separate-stderr ocirt list --format yaml
  [ "$stderr" = 'ocirt: list: invalid format "yaml": expected table or json' ]
}

@test "wrong number of arguments: usage in the error, exit 1" {
  run -1 --separate-stderr ocirt state
  [ "$stderr" = 'ocirt: state: missing argument: usage: ocirt state ID' ]
  run -1 --separate-stderr ocirt state a b
  [ "$stderr" = 'ocirt: state: too many arguments: usage: ocirt state ID' ]
}

@test "global flags: --flag value, --flag=value and -flag value" {
  run -0 "$OCIRT" --root "$TEST_ROOT" list -q
  run -0 "$OCIRT" --root="$TEST_ROOT" list -q
  run -0 "$OCIRT" -root "$TEST_ROOT" list -q
  run -0 "$OCIRT" --debug=true --root "$TEST_ROOT" list -q
  run -0 "$OCIRT" --rootless=false --root "$TEST_ROOT" list -q
  run -0 "$OCIRT" --rootless auto --root "$TEST_ROOT" list -q
  run -1 --separate-stderr "$OCIRT" --rootless maybe --root "$TEST_ROOT" list -q
  [ "$stderr" = 'ocirt: invalid --rootless value `maybe`: expected true, false or auto' ]
}

@test "command flags: --flag value, --flag=value, -flag value, -f value, -f=value" {
  local d=$BATS_TEST_TMPDIR/forms
  run -0 ocirt list --format json
  [ "$output" = null ]
  run -0 ocirt list --format=json
  [ "$output" = null ]
  run -0 ocirt list -format json
  [ "$output" = null ]
  run -0 ocirt list -f json
  [ "$output" = null ]
  run -0 ocirt list -f=json
  [ "$output" = null ]
  for form in "--bundle X" "--bundle=X" "-bundle X" "-b X"; do
    rm -rf "$d" && mkdir -p "$d"
    # shellcheck disable=SC2086
    run -0 ocirt spec ${form//X/$d}
    [ -f "$d/config.json" ]
  done
}

@test "--log FILE --log-format json: one {level,msg,time} object per line, as runc" {
  local log=$BATS_TEST_TMPDIR/log.json
  run -1 --separate-stderr "$OCIRT" --root "$TEST_ROOT" --log "$log" --log-format json state nope
  # a person still gets the error on stderr
  [ "$stderr" = 'ocirt: container "nope" does not exist' ]
  [ "$(wc -l < "$log")" -eq 1 ]
  run -0 jq -r 'keys_unsorted | join(",")' "$log"
  [ "$output" = "level,msg,time" ]
  run -0 jq -r .level "$log"
  [ "$output" = error ]
  run -0 jq -r .msg "$log"
  [ "$output" = 'container "nope" does not exist' ]
  run -0 jq -r .time "$log"
  [[ "$output" =~ ^$RFC3339$ ]]
  # appends
  run -1 "$OCIRT" --root "$TEST_ROOT" --log="$log" --log-format=json state nope2
  [ "$(wc -l < "$log")" -eq 2 ]
  run -0 jq -sr '.[1].msg' "$log"
  [ "$output" = 'container "nope2" does not exist' ]
}

@test "--log FILE in text format: logrus' time=\"...\" level=error msg=\"...\"" {
  local log=$BATS_TEST_TMPDIR/log.txt
  run -1 "$OCIRT" --root "$TEST_ROOT" --log "$log" state nope
  run -0 cat "$log"
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" =~ ^time=\"$RFC3339\"\ level=error\ msg=\"container\ \\\"nope\\\"\ does\ not\ exist\"$ ]]
  run -1 "$OCIRT" --root "$TEST_ROOT" --log "$log" --log-format text state nope
  [ "$(wc -l < "$log")" -eq 2 ]
}

@test "--debug adds debug lines to the log; without it there are none" {
  local log=$BATS_TEST_TMPDIR/debug.json
  run -0 "$OCIRT" --root "$TEST_ROOT" --log "$log" --log-format json list
  [ ! -s "$log" ]
  run -0 "$OCIRT" --debug --root "$TEST_ROOT" --log "$log" --log-format json list
  run -0 jq -r 'select(.level == "debug") | .msg' "$log"
  [[ "$output" == *"command list"* ]]
}

@test "--log-format must be text or json" {
  run -1 --separate-stderr "$OCIRT" --log-format xml list
  [ "$stderr" = 'ocirt: unknown log format `xml`: expected text or json' ]
}

@test "--log to an unwritable place: the error names the file" {
  run -1 --separate-stderr "$OCIRT" --log /nonexistent/dir/log.json list
  [ "$stderr" = 'ocirt: open log file `/nonexistent/dir/log.json`: No such file or directory' ]
}

@test "state and list on an empty or missing root" {
  run -1 --separate-stderr ocirt state nope
  [ "$stderr" = 'ocirt: container "nope" does not exist' ]
  run -0 ocirt list
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
  run -0 ocirt list -q
  [ -z "$output" ]
  run -0 ocirt list --format json
  [ "$output" = null ]
  run -0 "$OCIRT" --root "$TEST_ROOT/missing" list --format json
  [ "$output" = null ]
  [ ! -e "$TEST_ROOT/missing" ]
}

@test "an invalid container id is refused with the rule it breaks" {
  run -1 --separate-stderr ocirt state ../etc
  [ "$stderr" = 'ocirt: invalid container ID "../etc": it must not contain "/"' ]
  run -1 --separate-stderr ocirt state -- -x
  [ "$stderr" = 'ocirt: invalid container ID "-x": it must start with a letter or a digit' ]
}

@test "not run as root, the default root is \$XDG_RUNTIME_DIR/ocirt, as runc's" {
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
  XDG_DIR=/run/ocirt-test-xdg-$$-$BATS_TEST_NUMBER
  local xdg=$XDG_DIR
  mkdir -p "$xdg/ocirt/c1"
  echo '{"ociVersion":"1.3.0","id":"c1","pid":0,"status":"stopped","bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z"}' \
    > "$xdg/ocirt/c1/state.json"
  chown -R 65534:65534 "$xdg"
  run -0 env XDG_RUNTIME_DIR="$xdg" setpriv --reuid 65534 --regid 65534 --clear-groups "$OCIRT" state c1
  [ "$(jq -r .status <<< "$output")" = stopped ]
  run -0 env XDG_RUNTIME_DIR="$xdg" setpriv --reuid 65534 --regid 65534 --clear-groups "$OCIRT" list -q
  [ "$output" = c1 ]
  # root keeps /run/ocirt: the XDG root is not looked at
  run -1 env XDG_RUNTIME_DIR="$xdg" "$OCIRT" state c1
}
