#!/usr/bin/env bats
# Namespaces: every type new, joined by path, or the host's when absent; timeOffsets; id maps.

load helpers

setup() {
  setup_common
  ID=ns$$-$BATS_TEST_NUMBER
  ALL='[{"type":"pid"},{"type":"network"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},{"type":"user"},{"type":"cgroup"},{"type":"time"}]'
  MAPS='.linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
}

teardown() {
  if [ -n "${PEER:-}" ]; then kill "$PEER" 2>/dev/null; wait "$PEER" 2>/dev/null || true; fi
  teardown_common
}

# The inode of each namespace of the container's process, "type:[n]" space-separated.
ns_script='for n in pid net mnt ipc uts user cgroup time; do printf "%s " "$(readlink /proc/self/ns/$n)"; done'

host_ns() {
  local n out=""
  for n in pid net mnt ipc uts user cgroup time; do out+="$(readlink /proc/self/ns/$n) "; done
  echo "$out"
}

@test "every namespace type new" {
  userns_reachable "$BUNDLE"
  update_config ".linux.namespaces = $ALL | $MAPS"
  set_args sh -c "$ns_script"
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  read -r -a inside <<<"$output"
  read -r -a host <<<"$(host_ns)"
  [ "${#inside[@]}" -eq 8 ]
  for i in $(seq 0 7); do
    echo "${inside[$i]} vs ${host[$i]}"
    [ "${inside[$i]}" != "${host[$i]}" ]
  done
  no_leftovers "$ID"
}

@test "absent types are the host's" {
  update_config '.linux.namespaces = [{"type":"mount"}] | del(.hostname)'
  set_args sh -c "$ns_script"
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  read -r -a inside <<<"$output"
  read -r -a host <<<"$(host_ns)"
  for i in 0 1 3 4 5 6 7; do
    [ "${inside[$i]}" = "${host[$i]}" ]
  done
  [ "${inside[2]}" != "${host[2]}" ]
}

@test "join the network, ipc, uts, pid, cgroup and time namespaces of a first container" {
  update_config '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},{"type":"cgroup"},{"type":"time"}] | .hostname = "first"'
  set_args sleep 100
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID-a"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  a=$(ocirt state "$ID-a" | jq -r .pid)

  B=$BATS_TEST_TMPDIR/b
  make_bundle "$B"
  update_config "del(.hostname) | .linux.namespaces = [
      {\"type\":\"pid\",\"path\":\"/proc/$a/ns/pid\"}, {\"type\":\"network\",\"path\":\"/proc/$a/ns/net\"},
      {\"type\":\"mount\"}, {\"type\":\"ipc\",\"path\":\"/proc/$a/ns/ipc\"}, {\"type\":\"uts\",\"path\":\"/proc/$a/ns/uts\"},
      {\"type\":\"cgroup\",\"path\":\"/proc/$a/ns/cgroup\"}, {\"type\":\"time\",\"path\":\"/proc/$a/ns/time\"}]" "$B"
  BUNDLE=$B set_args sh -c "$ns_script; echo; hostname; echo \$\$; ps -o comm | grep -c sleep"
  run ocirt run --bundle "$B" "$ID-b"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  read -r -a inside <<<"${lines[0]}"
  [ "${inside[0]}" = "$(readlink /proc/$a/ns/pid)" ]
  [ "${inside[1]}" = "$(readlink /proc/$a/ns/net)" ]
  [ "${inside[2]}" != "$(readlink /proc/$a/ns/mnt)" ]
  [ "${inside[3]}" = "$(readlink /proc/$a/ns/ipc)" ]
  [ "${inside[4]}" = "$(readlink /proc/$a/ns/uts)" ]
  [ "${inside[6]}" = "$(readlink /proc/$a/ns/cgroup)" ]
  [ "${inside[7]}" = "$(readlink /proc/$a/ns/time)" ]
  [ "${lines[1]}" = first ]  # the first one's hostname
  [ "${lines[2]}" != 1 ]     # not the init of the joined pid namespace
  [ "${lines[3]}" = 1 ]      # sees the first one's sleep
  # the runtime itself went back to its own namespaces: the host still sees its own
  [ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/$a/ns/net)" ]
  run ocirt delete -f "$ID-a"
  no_leftovers "$ID-a"
  no_leftovers "$ID-b"
}

@test "join a user namespace: the new namespaces are made inside it, a new pid ns through one fork" {
  userns_reachable "$BUNDLE"
  update_config ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"user\"},{\"type\":\"network\"},{\"type\":\"ipc\"}] | $MAPS | del(.hostname)"
  set_args sleep 100
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID-a"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  a=$(ocirt state "$ID-a" | jq -r .pid)

  B=$BATS_TEST_TMPDIR/b
  make_bundle "$B"
  update_config ".linux.namespaces = [{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},
      {\"type\":\"user\",\"path\":\"/proc/$a/ns/user\"}, {\"type\":\"network\",\"path\":\"/proc/$a/ns/net\"}]" "$B"
  BUNDLE=$B set_args sh -c 'readlink /proc/self/ns/user; echo $$; id -u; cat /proc/self/uid_map'
  userns_reachable "$B"
  run ocirt run --bundle "$B" "$ID-b" --pid-file "$BATS_TEST_TMPDIR/bpid"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "$(readlink /proc/$a/ns/user)" ]
  [ "${lines[1]}" = 1 ]
  [ "${lines[2]}" = 0 ]
  [[ "${lines[3]}" == *"0"*"100000"*"65536"* ]]
  run ocirt delete -f "$ID-a"
  no_leftovers "$ID-a"
  no_leftovers "$ID-b"
}

@test "user namespace: mappings, root inside, files owned through the mapping" {
  userns_reachable "$BUNDLE"
  update_config ".linux.namespaces += [{\"type\":\"user\"}] | $MAPS | .root.readonly = false"
  set_args sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /made; ls -ln /made'
  chown 100000:100000 "$BUNDLE/rootfs" # the usual userns setup: the rootfs belongs to the mapped root
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [[ "${lines[2]}" =~ ^\ +0\ +100000\ +65536$ ]]
  [[ "${lines[3]}" =~ ^\ +0\ +100000\ +65536$ ]]
  [[ "${lines[4]}" == *" 0 "*" 0 "*/made ]]
  [ "$(stat -c %u:%g "$BUNDLE/rootfs/made")" = 100000:100000 ]
  no_leftovers "$ID"
}

@test "time namespace with timeOffsets: the container's clocks are shifted" {
  update_config '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 8640000}, "monotonic": {"secs": 86400, "nanosecs": 5}}'
  set_args sh -c 'cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  host=$(cut -d. -f1 /proc/uptime)
  [ "${lines[0]}" -ge $((host + 8640000 - 5)) ]
  [[ "$output" == *"monotonic"*"86400"*"5"* ]]
  [[ "$output" == *"boottime"*"8640000"*"0"* ]]
  # the runtime's own clocks are untouched
  [ "$(readlink /proc/self/ns/time)" = "$(readlink /proc/$$/ns/time)" ]
}

@test "time namespace without offsets, and timeOffsets without one refused" {
  update_config '.linux.namespaces += [{"type":"time"}]'
  set_args sh -c 'readlink /proc/self/ns/time; cat /proc/self/timens_offsets'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" != "$(readlink /proc/self/ns/time)" ]
  [[ "${lines[1]}" == "monotonic"*" 0 "*"0" ]]
  update_config '.linux.namespaces -= [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 1}}'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"linux.timeOffsets"*"time namespace"* ]]
  no_leftovers "$ID"
}

@test "cgroup namespace: the container's cgroups are its root" {
  update_config '.linux.namespaces += [{"type":"cgroup"}]'
  set_args cat /proc/self/cgroup
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  for l in "${lines[@]}"; do
    [[ "$l" == *":/" ]]
  done
}

@test "uts: hostname and domainname; without a uts namespace they are refused" {
  update_config '.hostname = "h1" | .domainname = "d1"'
  set_args sh -c 'hostname; cat /proc/sys/kernel/domainname'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = h1 ]
  [ "${lines[1]}" = d1 ]
  [ "$(hostname)" != h1 ]
  update_config '.linux.namespaces -= [{"type":"uts"}]'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"hostname: needs a uts namespace"* ]]
  no_leftovers "$ID"
}

@test "network namespace: only lo, and down" {
  set_args sh -c 'ls /sys/class/net'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = lo ]
}

@test "join a mount namespace: root.path and the mounts are the container's, made in that namespace, gone after delete" {
  local root
  unshare -m --propagation private sleep 100 &
  PEER=$!
  for i in $(seq 50); do [ "$(readlink /proc/$PEER/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break; sleep 0.05; done
  root=$(cd "$BUNDLE/rootfs" && pwd -P)
  update_config ".linux.namespaces |= map(if .type == \"mount\" then .path = \"/proc/$PEER/ns/mnt\" else . end)"
  echo "its own rootfs" > "$BUNDLE/rootfs/marker"
  set_args sh -c 'readlink /proc/self/ns/mnt; cat /marker; ls /proc/self/status'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "$(readlink /proc/$PEER/ns/mnt)" ]
  [ "${lines[1]}" = "its own rootfs" ]
  [ "${lines[2]}" = /proc/self/status ]
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID-c"
  [ "$status" -eq 0 ]
  grep -q " $root/proc " "/proc/$PEER/mountinfo"
  ! grep " $root" /proc/self/mountinfo
  run ocirt delete -f "$ID-c"
  [ "$status" -eq 0 ]
  ! grep " $root" "/proc/$PEER/mountinfo"
  no_leftovers "$ID-c"
}

@test "join a mount namespace with root.path / and no mounts: the first container's root and mounts" {
  update_config '.root.readonly = false'
  set_args sh -c 'echo first > /marker; sleep 100'
  run ocirt_bg run -d --bundle "$BUNDLE" "$ID-a"
  [ "$status" -eq 0 ]
  a=$(ocirt state "$ID-a" | jq -r .pid)
  for i in $(seq 50); do [ -f "$BUNDLE/rootfs/marker" ] && break; sleep 0.05; done

  B=$BATS_TEST_TMPDIR/b
  make_bundle "$B"
  update_config ".linux.namespaces |= map(if .type == \"mount\" then .path = \"/proc/$a/ns/mnt\" else . end)
    | .root = {\"path\": \"/\"} | .mounts = [] | del(.linux.maskedPaths, .linux.readonlyPaths)" "$B"
  # its /proc is the first one's too (of the first one's pid namespace)
  BUNDLE=$B set_args sh -c 'cat /marker; grep -c sleep /proc/1/cmdline'
  run ocirt run --bundle "$B" "$ID-b"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = first ]
  [ "${lines[1]}" = 1 ]
  run ocirt delete -f "$ID-a"
  no_leftovers "$ID-a"
  no_leftovers "$ID-b"
}
