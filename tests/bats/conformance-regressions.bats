#!/usr/bin/env bats
# Behaviours the OCI runtime-tools validation suite found wrong (docs/conformance.md), each kept
# fixed here so that CI needs no copy of the suite. Each test names the suite's program.

load helpers

setup() {
  setup_common
  ID=cf$$-$BATS_TEST_NUMBER
}

teardown() {
  local id
  if [ -n "${PEER:-}" ]; then kill "$PEER" 2>/dev/null; wait "$PEER" 2>/dev/null || true; fi
  if [ -n "${SHARED:-}" ]; then
    # the containers' binds of their rootfs first, then the test's own mount
    for id in $(ls "$TEST_ROOT" 2>/dev/null); do "$OCIRT" --root "$TEST_ROOT" delete --force "$id" 2>/dev/null || true; done
    umount -R -l "$SHARED" 2>/dev/null || true
  fi
  teardown_common
}

# mount_points: the container's mountinfo mount points (field 5), in the kernel's order.
mount_points() {
  set_args cat /proc/self/mountinfo
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  awk '{ print $5 }' <<<"$output"
}

@test "mounts: mountinfo lists binds and new filesystems in the config's order" {
  # Since Linux 6.8 mountinfo lists mounts in creation order: a bind cloned by the runtime before
  # the init made the others came first.
  update_config '.mounts += [
    {"destination": "/m1", "type": "tmpfs", "source": "tmpfs"},
    {"destination": "/m2", "source": "/etc", "options": ["bind"]},
    {"destination": "/m3", "type": "tmpfs", "source": "tmpfs"},
    {"destination": "/m4", "source": "/etc", "options": ["rbind", "rprivate"]},
    {"destination": "/m5", "type": "tmpfs", "source": "tmpfs"}]'
  order=$(mount_points | grep -x '/m[1-5]' | tr '\n' ' ')
  [ "$order" = "/m1 /m2 /m3 /m4 /m5 " ] || { echo "mountinfo order: $order"; false; }
}

@test "process_capabilities: a capability the runtime does not hold is a warning; the others are granted" {
  update_config '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_SYSLOG"], "effective": ["CAP_KILL", "CAP_SYSLOG"],
    "inheritable": ["CAP_KILL", "CAP_SYSLOG"], "permitted": ["CAP_KILL", "CAP_SYSLOG"]}'
  set_args grep -E '^Cap(Bnd|Eff)' /proc/self/status
  # the runtime without CAP_SYSLOG, as on a host whose bounding set lacks a capability
  run setpriv --bounding-set=-syslog "$OCIRT" --root "$TEST_ROOT" run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *'process.capabilities.effective: `CAP_SYSLOG` cannot be granted: the runtime does not hold it'* ]]
  [[ "$output" == *$'CapBnd:\t0000000000000020'* ]]
  [[ "$output" == *$'CapEff:\t0000000000000020'* ]]
}

@test "linux_ns_itype: no namespaces but mounts: the runtime's, the mounts under a private bind of the rootfs, gone after delete" {
  local host_mnt root
  host_mnt=$(readlink /proc/self/ns/mnt)
  # the bundle on a shared mount with a peer in another mount namespace: what the container mounts
  # must not reach the peer
  SHARED=$BATS_TEST_TMPDIR/shared
  mkdir "$SHARED"
  mount -t tmpfs tmpfs "$SHARED"
  mount --make-shared "$SHARED"
  cp -a "$BUNDLE" "$SHARED/b"
  BUNDLE=$SHARED/b
  root=$(cd "$BUNDLE/rootfs" && pwd -P)
  unshare -m --propagation unchanged sleep 100 &
  PEER=$!
  update_config '.linux.namespaces = [] | del(.hostname) | del(.linux.maskedPaths, .linux.readonlyPaths)'
  set_args sh -c 'readlink /proc/self/ns/mnt; ls /dev/null /proc/self/status'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "$host_mnt" ]
  [ "${lines[1]}" = /dev/null ]
  [ "${lines[2]}" = /proc/self/status ]
  ! grep " $root" /proc/self/mountinfo

  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID-c"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  grep -q " $root/proc " /proc/self/mountinfo
  ! grep " $root/proc " "/proc/$PEER/mountinfo"
  run ocirt delete --force "$ID-c"
  [ "$status" -eq 0 ]
  ! grep " $root" /proc/self/mountinfo
  ! grep " $root" "/proc/$PEER/mountinfo"
}

@test "linux_ns_itype: mounts without a mount namespace but in a user namespace are refused before anything exists" {
  update_config '.linux.namespaces = [{"type": "user"}] | del(.hostname) | del(.linux.maskedPaths, .linux.readonlyPaths)
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -ne 0 ]
  [[ "$output" == *"has mounts but no mount namespace, and a user namespace"* ]]
  [ ! -e "$TEST_ROOT/$ID" ]
}

# Two of runc 1.1.5's own failures, which ocirt passed from the start: kept here end to end.

@test "linux_cgroups_devices: the config's device rules are the first lines of devices.list, in order" {
  [ -f /sys/fs/cgroup/devices/devices.list ] || skip "no cgroup v1 devices hierarchy (on v2 the rules are an eBPF program)"
  update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
    {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
    {"allow": true, "type": "b", "major": 8, "minor": 20, "access": "rw"},
    {"allow": true, "type": "b", "major": 10, "minor": 200, "access": "r"}]'
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  pid=$(ocirt state "$ID" | jq .pid)
  cg=$(awk -F: '$2 == "devices" { print $3 }' "/proc/$pid/cgroup")
  run head -n 3 "/sys/fs/cgroup/devices$cg/devices.list"
  [ "$output" = $'c 10:229 rwm\nb 8:20 rw\nb 10:200 r' ] || { echo "$output"; false; }
}

@test "linux_seccomp: a profile that fails getcwd does not keep the runtime from starting the process" {
  # without noNewPrivileges the filter goes in while the runtime still works (runc then fails its
  # own getcwd check)
  update_config '.process.noNewPrivileges = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]}'
  set_args echo ran
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = ran ]
}
