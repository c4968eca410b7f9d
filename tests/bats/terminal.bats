#!/usr/bin/env bats
# process.terminal: a real terminal (tmux) attached to run and exec, and the console socket
# protocol (tests/helpers/recv-console, a receiver written as conmon's and the shim's are).

load helpers

RECV=${RECV_CONSOLE:-$(dirname "$OCIRT")/tests/helpers/recv-console}

setup() {
  setup_common
  ID=tt$$-$BATS_TEST_NUMBER
  TMUX_SOCK=ocirt-test-$$-$BATS_TEST_NUMBER
}

teardown() {
  tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
  [ -z "${RECV_PID:-}" ] || kill "$RECV_PID" 2>/dev/null || true
  teardown_common
}

# tmx ARGS...: tmux on this test's own server
tmx() {
  tmux -L "$TMUX_SOCK" -f /dev/null "$@"
}

# screen_has TEXT: waits (5 s at most) until the pane shows TEXT
screen_has() {
  local i
  for i in $(seq 100); do
    tmx capture-pane -p -t t | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  echo "the terminal never showed \"$1\"; it shows:" >&2
  tmx capture-pane -p -t t >&2
  return 1
}

# in_tmux COMMAND: runs COMMAND in a 100x30 terminal; afterwards the pane shows EXIT=<status> and
# the terminal's settings, then stays until the server is killed
in_tmux() {
  command -v tmux >/dev/null || { echo "tmux is needed (apt-get install tmux)"; return 1; }
  tmx new-session -d -s t -x 100 -y 30 "$1; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -E '^-?(icanon|echo)\$' | tr '\n' ' '; echo; sleep 600"
  tmx set-option -t t window-size manual
}

@test "terminal: run sh in a terminal: type, read the answer, resize, exit status, the terminal restored" {
  update_config '.process.terminal = true'
  set_args sh
  in_tmux "$OCIRT --root $TEST_ROOT run --bundle $BUNDLE $ID"
  screen_has "/ #"
  tmx send-keys -t t 'echo $((6*7))' Enter
  screen_has "42"
  tmx send-keys -t t 'tty; stty size' Enter
  screen_has "30 100"
  screen_has "/dev/pts/0"
  tmx resize-window -t t -x 120 -y 40
  sleep 0.2
  tmx send-keys -t t 'clear; stty size' Enter
  screen_has "40 120"
  tmx send-keys -t t 'exit 5' Enter
  screen_has "EXIT=5"
  # the caller's terminal is back in cooked mode with echo
  screen_has "icanon echo"
  tmx kill-server # its shell's command line names the state root too
  no_leftovers "$ID"
}

@test "terminal: exec -t into a running container: a shell with its own controlling terminal" {
  set_args sleep 1000
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  in_tmux "$OCIRT --root $TEST_ROOT exec -t $ID sh"
  screen_has "/ #"
  tmx send-keys -t t 'echo $((6*7)); [ -t 0 ] && echo is-a-tty; : </dev/tty && echo has-a-ctty' Enter
  screen_has "42"
  screen_has "is-a-tty"
  screen_has "has-a-ctty"
  tmx send-keys -t t 'exit 3' Enter
  screen_has "EXIT=3"
  screen_has "icanon echo"
}

@test "terminal: signals to a foreground run with a terminal reach the container" {
  update_config '.process.terminal = true'
  set_args sh -c 'trap "echo got-hup; exit 9" HUP; echo ready; while :; do sleep 0.1; done'
  in_tmux "$OCIRT --root $TEST_ROOT run --bundle $BUNDLE $ID"
  screen_has "ready"
  pkill -HUP -f -- "^$OCIRT --root $TEST_ROOT run"
  screen_has "got-hup"
  screen_has "EXIT=9"
}

@test "console socket: create sends the pty master (consoleSize applied) and the process has the slave" {
  update_config '.process.terminal = true | .process.consoleSize = {height: 31, width: 101}'
  set_args sh
  sock=$BATS_TEST_TMPDIR/console.sock
  "$RECV" --proxy --input 'tty; stty size; readlink /proc/1/fd/0; ls -l /dev/console; echo $((6*7)); exit\n' "$sock" > "$BATS_TEST_TMPDIR/recv.out" 2>&1 &
  RECV_PID=$!
  for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
  run ocirt_bg create --console-socket "$sock" --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt start "$ID"
  [ "$status" -eq 0 ]
  wait "$RECV_PID"
  RECV_PID=
  cat "$BATS_TEST_TMPDIR/recv.out"
  # the receiver's own checks: one fd, a pty master (TIOCGPTN), sized before it was sent
  grep -q "^received pty master: ptn=0 payload=/dev/pts/0 size=31x101" "$BATS_TEST_TMPDIR/recv.out"
  grep -q "^/dev/pts/0" "$BATS_TEST_TMPDIR/recv.out"
  grep -q "^31 101" "$BATS_TEST_TMPDIR/recv.out"
  # /dev/console is the same pty (major 136, minor 0)
  grep -q "136, *0 .*/dev/console" "$BATS_TEST_TMPDIR/recv.out"
  grep -q "^42" "$BATS_TEST_TMPDIR/recv.out"
  wait_status "$ID" stopped
}

@test "console socket: exec -t -d sends the exec's own pty master" {
  set_args sleep 1000
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  sock=$BATS_TEST_TMPDIR/exec.sock
  "$RECV" --proxy --input 'tty; echo exec-$((6*7)); exit\n' "$sock" > "$BATS_TEST_TMPDIR/recv.out" 2>&1 &
  RECV_PID=$!
  for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
  run ocirt_bg exec -t -d --console-socket "$sock" --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sh
  [ "$status" -eq 0 ]
  wait "$RECV_PID"
  RECV_PID=
  cat "$BATS_TEST_TMPDIR/recv.out"
  grep -q "^received pty master: ptn=[0-9]* payload=/dev/pts/[0-9]*" "$BATS_TEST_TMPDIR/recv.out"
  grep -q "^exec-42" "$BATS_TEST_TMPDIR/recv.out"
  [ -s "$BATS_TEST_TMPDIR/p" ]
}

@test "console socket that does not exist: clear error, nothing left" {
  update_config '.process.terminal = true'
  set_args sh
  run ocirt_bg create --console-socket "$BATS_TEST_TMPDIR/none.sock" --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [ "$output" = "ocirt: connect to console socket \`$BATS_TEST_TMPDIR/none.sock\`: No such file or directory" ]
  no_leftovers "$ID"
}

@test "terminal: -t with no terminal to attach fails before anything runs (exit 255 for exec)" {
  set_args sleep 1000
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt exec -t "$ID" sh </dev/null
  [ "$status" -eq 255 ]
  [[ "$output" == *"has no terminal to attach"* ]]
  run ocirt exec "$ID" sh -c 'echo /proc/[0-9]*'
  [ "$(wc -w <<<"$output")" -eq 2 ]
}
