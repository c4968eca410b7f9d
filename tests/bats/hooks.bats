#!/usr/bin/env bats
# The six hooks: order, the state each gets on stdin, the namespaces each runs in, failures and
# timeouts.

load helpers

setup() {
  setup_common
  ID=hk$$-$BATS_TEST_NUMBER
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT" "$BUNDLE/rootfs/out"
  # a hook: records its kind in $OUT/order and what it saw in $OUT/<kind>
  HOOK=$BATS_TEST_TMPDIR/hook.sh
  cat > "$HOOK" <<'EOF'
#!/bin/sh
kind=$1 out=$2
state=$(cat)
echo "$kind" >> "$out/order"
{
  echo "state=$state"
  for ns in mnt pid net uts ipc; do echo "$ns=$(readlink /proc/self/ns/$ns)"; done
  echo "env=${HOOK_ENV:-}"
} > "$out/$kind"
echo "$kind says hello"
EOF
  chmod 755 "$HOOK"
  # startContainer's path resolves in the container: a copy there, writing to a bind of $OUT
  cp "$HOOK" "$BUNDLE/rootfs/hook.sh"
  update_config '.mounts += [{destination: "/out", source: "'"$OUT"'", type: "bind", options: ["rbind"]}]
    | .annotations = {"org.example.hooks": "yes"}'
}

teardown() {
  teardown_common
}

# hook KIND [PATH OUTDIR]: a hooks entry running hook.sh for KIND.
hook() {
  jq -cn --arg p "${2:-$HOOK}" --arg k "$1" --arg o "${3:-$OUT}" '{path: $p, args: ["hook", $k, $o]}'
}

all_hooks() {
  update_config ".hooks = {
    prestart: [$(hook prestart)], createRuntime: [$(hook createRuntime)], createContainer: [$(hook createContainer)],
    startContainer: [$(hook startContainer /hook.sh /out)], poststart: [$(hook poststart)], poststop: [$(hook poststop)]}"
}

# state_of KIND FIELD: a field of the state the hook got on stdin
state_of() {
  sed -n 's/^state=//p' "$OUT/$1" | jq -r ".$2"
}

ns_of() {
  sed -n "s/^$2=//p" "$OUT/$1"
}

@test "hooks: all six run in the spec's order with the state of their step" {
  all_hooks
  set_args true
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  pid=$(ocirt state "$ID" | jq .pid)
  [ "$(cat "$OUT/order" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
  run ocirt start "$ID"
  [ "$status" -eq 0 ]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  [ "$(cat "$OUT/order" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart poststop " ]

  # the status each sees (prestart: runc's "created", which the conformance suite checks)
  [ "$(state_of prestart status)" = created ]
  [ "$(state_of createRuntime status)" = creating ]
  [ "$(state_of createContainer status)" = creating ]
  [ "$(state_of startContainer status)" = created ]
  [ "$(state_of poststart status)" = running ]
  [ "$(state_of poststop status)" = stopped ]
  for k in prestart createRuntime createContainer startContainer poststart poststop; do
    [ "$(state_of $k id)" = "$ID" ]
    [ "$(state_of $k bundle)" = "$BUNDLE" ]
    [ "$(state_of $k pid)" = "$pid" ]
    [ "$(state_of $k ociVersion)" = "$(jq -r .ociVersion "$BUNDLE/config.json")" ]
    [ "$(state_of $k 'annotations["org.example.hooks"]')" = yes ]
  done
}

@test "hooks: prestart, createRuntime, poststart, poststop in the runtime's namespaces; createContainer, startContainer in the container's" {
  all_hooks
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  pid=$(ocirt state "$ID" | jq .pid)
  run ocirt start "$ID"
  [ "$status" -eq 0 ]
  for ns in mnt pid net uts ipc; do
    host=$(readlink /proc/self/ns/$ns)
    ctr=$(readlink /proc/$pid/ns/$ns)
    [ "$host" != "$ctr" ]
    for k in prestart createRuntime poststart; do
      [ "$(ns_of $k $ns)" = "$host" ] || { echo "$k: $ns $(ns_of $k $ns), not the runtime's $host"; false; }
    done
    for k in createContainer startContainer; do
      [ "$(ns_of $k $ns)" = "$ctr" ] || { echo "$k: $ns $(ns_of $k $ns), not the container's $ctr"; false; }
    done
  done
  run ocirt delete --force "$ID"
  [ "$status" -eq 0 ]
  for ns in mnt pid net; do
    [ "$(ns_of poststop $ns)" = "$(readlink /proc/self/ns/$ns)" ]
  done
}

@test "hooks: args and env as configured; output goes to the --log file" {
  update_config ".hooks.createRuntime = [{path: \"$HOOK\", args: [\"hook\", \"createRuntime\", \"$OUT\"], env: [\"HOOK_ENV=set-by-config\", \"PATH=/usr/bin:/bin\"]}]"
  set_args true
  run ocirt_bg --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "$(sed -n 's/^env=//p' "$OUT/createRuntime")" = set-by-config ]
  grep -q '"msg":"createRuntime hook #0 ('"$HOOK"'): createRuntime says hello"' "$BATS_TEST_TMPDIR/log.json"
}

@test "hooks: a failing createRuntime hook fails create with its name and index; poststop runs; nothing left" {
  update_config ".hooks = {createRuntime: [$(hook createRuntime), {path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo no bridge br0 >&2; exit 1\"]}],
    poststop: [$(hook poststop)]}"
  set_args true
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"createRuntime hook #1 (/bin/sh) failed: exit status 1; output: no bridge br0"* ]]
  [ "$(cat "$OUT/order" | tr '\n' ' ')" = "createRuntime poststop " ]
  no_leftovers "$ID"
}

@test "hooks: a failing prestart, createContainer or startContainer hook" {
  update_config ".hooks = {prestart: [{path: \"/bin/false\"}]}"
  set_args true
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"prestart hook #0 (/bin/false) failed: exit status 1" ]]
  no_leftovers "$ID"

  update_config ".hooks = {createContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"exit 3\"]}]}"
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"createContainer hook #0 (/bin/sh) failed: exit status 3" ]]
  no_leftovers "$ID"

  # startContainer fails at start: the container stops, delete takes it down
  update_config ".hooks = {startContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"exit 4\"]}]}"
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"startContainer hook #0 (/bin/sh) failed: exit status 4" ]]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "hooks: a failing poststart hook stops the container; delete then runs poststop" {
  update_config ".hooks = {poststart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"echo nope; exit 2\"]}], poststop: [$(hook poststop)]}"
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  run ocirt start "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"poststart hook #0 (/bin/sh) failed: exit status 2; output: nope" ]]
  wait_status "$ID" stopped
  run ocirt delete "$ID"
  [ "$status" -eq 0 ]
  [ "$(cat "$OUT/order")" = poststop ]
  no_leftovers "$ID"
}

@test "hooks: a failing poststop hook is a warning; the others still run and delete succeeds" {
  update_config ".hooks = {poststop: [{path: \"/bin/false\"}, $(hook poststop)]}"
  set_args true
  run ocirt run --bundle "$BUNDLE" "$ID"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"warning: poststop hook #0 (/bin/false) failed: exit status 1"* ]]
  [ "$(cat "$OUT/order")" = poststop ]
  no_leftovers "$ID"
}

@test "hooks: a hook that hangs is killed at its timeout, with what it started" {
  update_config ".hooks = {prestart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"sleep 60 & echo \$! > $OUT/bg; wait\"], timeout: 1}]}"
  set_args true
  start=$(date +%s%N)
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  took=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "$output (${took} ms)"
  [ "$status" -eq 1 ]
  [[ "$output" == *"prestart hook #0 (/bin/sh) timed out after 1s" ]]
  [ "$took" -ge 900 ] && [ "$took" -lt 5000 ]
  bg=$(cat "$OUT/bg")
  [ ! -d /proc/$bg ] || [ "$(awk '{print $3}' /proc/$bg/stat)" = Z ]
  no_leftovers "$ID"
}

@test "hooks: a hook path that does not exist" {
  update_config '.hooks = {createRuntime: [{path: "/no/such/hook"}]}'
  set_args true
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"createRuntime hook #0 (/no/such/hook) failed to start: No such file or directory" ]]
  no_leftovers "$ID"
}
