#!/usr/bin/env bats
# Behaviours the OCI runtime-tools validation suite found wrong (docs/conformance.md), each kept
# fixed here so that CI needs no copy of the suite. Each test names the suite's program.

load helpers

setup() {
  setup_common
  ID=cf$$-$BATS_TEST_NUMBER
}

teardown() {
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
