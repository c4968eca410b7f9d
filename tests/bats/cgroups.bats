#!/usr/bin/env bats
# Cgroups end to end: resources written and read back from the cgroup files, OOM and `events`,
# pids.limit against a fork bomb, pause/resume, update, ps, kill --all, delete leaving no cgroup.
# Every container lives under a cgroup parent of the test's own (/ocirt-test-<pid>-<n>), removed in
# teardown in every hierarchy; nothing else is touched except cgroup2's root subtree_control for
# hugetlb, restored when it was changed.

load helpers

setup() {
  setup_common
  CG_PARENT=/ocirt-test-$$-${BATS_TEST_NUMBER}
  CT=ct
  update_config ".linux.cgroupsPath = \"$CG_PARENT/$CT\""
  HUGETLB_BEFORE=$(cat /sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null || true)
}

teardown() {
  local d left=""
  teardown_common || left="state"
  for d in /sys/fs/cgroup/*/; do
    [ -d "$d${CG_PARENT#/}" ] || continue
    find "$d${CG_PARENT#/}" -mindepth 1 -depth -type d -print 2>/dev/null | while read -r sub; do
      echo "teardown: cgroup left: $sub" >&2
      rmdir "$sub" 2>/dev/null || true
    done
    [ -z "$(find "$d${CG_PARENT#/}" -mindepth 1 -type d 2>/dev/null)" ] || left+=" $d"
    rmdir "$d${CG_PARENT#/}" 2>/dev/null || left+=" $d${CG_PARENT#/}"
  done
  if [[ "$HUGETLB_BEFORE" != *hugetlb* ]] && grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null; then
    echo -hugetlb > /sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null || true
  fi
  [ -z "$left" ] || { echo "teardown: left behind: $left" >&2; return 1; }
}

is_hybrid() {
  [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]
}

# The container's directory for a controller: its v1 hierarchy, else the cgroup2 one.
cgdir() {
  local c=$1 d
  for d in /sys/fs/cgroup/*/; do
    d=${d%/}
    [ -L "$d" ] && continue
    case ",$(basename "$d")," in *",$c,"*) echo "$d$CG_PARENT/$CT"; return ;; esac
  done
  if [ -d /sys/fs/cgroup/unified ]; then echo "/sys/fs/cgroup/unified$CG_PARENT/$CT"; else echo "/sys/fs/cgroup$CG_PARENT/$CT"; fi
}

cgread() {
  cat "$(cgdir "$1")/$2"
}

# Starts the container (create + start) with args; the container's pid in $PID.
start_ct() {
  set_args "$@"
  run ocirt_bg create --bundle "$BUNDLE" "$CT"
  [ "$status" -eq 0 ] || { echo "create: $output" >&2; return 1; }
  run ocirt start "$CT"
  [ "$status" -eq 0 ] || { echo "start: $output" >&2; return 1; }
  PID=$(ocirt state "$CT" | jq .pid)
}

proc_state() {
  sed 's/.*) \(.\).*/\1/' "/proc/$1/stat"
}

first_disk() {
  awk 'NR > 2 && $4 !~ /[0-9]$/ { print $1 ":" $2; exit }' /proc/partitions
}

@test "resources are written to the cgroup files and read back" {
  local disk
  disk=$(first_disk)
  update_config '.linux.resources = {
      "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
      "memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 10,
                 "kernelTCP": 16777216, "disableOOMKiller": true},
      "cpu": {"shares": 512, "quota": 20000, "period": 100000, "burst": 1000, "cpus": "0", "mems": "0", "idle": 0,
              "realtimePeriod": 500000},
      "pids": {"limit": 50},
      "blockIO": {"weight": 300}
    }'
  if [ -n "$disk" ]; then
    update_config ".linux.resources.blockIO.throttleReadBpsDevice = [{\"major\": ${disk%:*}, \"minor\": ${disk#*:}, \"rate\": 1048576}]"
  fi
  # CAP_MKNOD to make a node the rules do not allow (mknod itself is allowed: "c *:* m")
  update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
  start_ct sh -c 'echo x > /dev/null && echo null-ok; mknod /dev/kmsg2 c 1 11 && echo mknod-ok; head -c1 /dev/kmsg2 > /dev/null 2>&1 || echo kmsg-denied; sleep 100'

  [ "$(cgread memory memory.limit_in_bytes)" = 67108864 ]
  [ "$(cgread memory memory.soft_limit_in_bytes)" = 33554432 ]
  [ "$(cgread memory memory.memsw.limit_in_bytes)" = 134217728 ]
  [ "$(cgread memory memory.swappiness)" = 10 ]
  [ "$(cgread memory memory.kmem.tcp.limit_in_bytes)" = 16777216 ]
  cgread memory memory.oom_control | grep -qx 'oom_kill_disable 1'
  [ "$(cgread cpu cpu.rt_period_us)" = 500000 ]
  [ "$(cgread cpu cpu.shares)" = 512 ]
  [ "$(cgread cpu cpu.cfs_quota_us)" = 20000 ]
  [ "$(cgread cpu cpu.cfs_period_us)" = 100000 ]
  [ "$(cgread cpu cpu.cfs_burst_us)" = 1000 ]
  [ "$(cgread cpu cpu.idle)" = 0 ]
  [ "$(cgread cpuset cpuset.cpus)" = 0 ]
  [ "$(cgread cpuset cpuset.mems)" = 0 ]
  [ "$(cgread pids pids.max)" = 50 ]
  d=$(cgdir blkio)
  if [ -f "$d/blkio.weight" ]; then [ "$(cat "$d/blkio.weight")" = 300 ]; else [ "$(cat "$d/blkio.bfq.weight" | awk '/default/ {print $2; exit} !/default/ {print; exit}')" = 300 ]; fi
  if [ -n "$disk" ]; then
    grep -qx "$disk 1048576" "$d/blkio.throttle.read_bps_device"
  fi
  run cgread devices devices.list
  [[ "$output" == *"c 1:3 rw"* ]]
  [[ "$output" != *"a *:* rwm"* ]]
  # the init is in the container's cgroup in every hierarchy
  run cat /proc/$PID/cgroup
  for line in "${lines[@]}"; do
    [[ "$line" == *":$CG_PARENT/$CT" ]] || { echo "not in the cgroup: $line"; false; }
  done
  # devices: /dev/null allowed, mknod allowed, a device outside the rules denied
  for i in $(seq 1 50); do grep -q kmsg-denied "$BATS_TEST_TMPDIR/ctr.out" && break; sleep 0.1; done
  run cat "$BATS_TEST_TMPDIR/ctr.out"
  [[ "$output" == *null-ok*mknod-ok*kmsg-denied* ]]
}

@test "hugepageLimits on this hybrid host go to the cgroup2 hierarchy" {
  is_hybrid || skip "not a hybrid host"
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "kernel without 2MB huge pages"
  grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "no hugetlb controller on cgroup2"
  update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 8388608}]'
  if [ -d /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
    update_config '.linux.resources.unified = {"hugetlb.1GB.max": "1073741824"}'
  fi
  start_ct sleep 100
  [ "$(cat /sys/fs/cgroup/unified$CG_PARENT/$CT/hugetlb.2MB.max)" = 8388608 ]
  [ ! -d /sys/kernel/mm/hugepages/hugepages-1048576kB ] || [ "$(cat /sys/fs/cgroup/unified$CG_PARENT/$CT/hugetlb.1GB.max)" = 1073741824 ]
  run ocirt events --stats "$CT"
  echo "$output" | jq -e '.data.hugetlb | has("2MB")'
  # a unified key whose controller cgroup2 does not have here is refused, naming it
  update_config ".linux.resources.unified = {\"memory.high\": \"1000000\"} | .linux.cgroupsPath = \"$CG_PARENT/ct2\""
  run ocirt_bg create --bundle "$BUNDLE" ct2
  [ "$status" -ne 0 ]
  [[ "$output" == *"memory.high"*"memory"* ]]
}

@test "a field whose controller is missing fails naming the field and the controller, leaving nothing" {
  [ -d /sys/fs/cgroup/net_cls ] && skip "this host has net_cls"
  update_config '.linux.resources.network = {"classID": 1048577}'
  run ocirt_bg create --bundle "$BUNDLE" "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"linux.resources.network.classID"*"net_cls"* ]]
  run ocirt list -q
  [ -z "$output" ]
  [ ! -d "/sys/fs/cgroup/memory$CG_PARENT/$CT" ]
  [ ! -d "/sys/fs/cgroup/unified$CG_PARENT/$CT" ]
}

@test "a memory hog is OOM-killed and events reports it" {
  update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
  start_ct sh -c 'sleep 2; tail /dev/zero; sleep 100'
  ocirt events --interval 1s "$CT" > "$BATS_TEST_TMPDIR/events" 2>&1 &
  local ev=$! i
  for i in $(seq 1 100); do
    grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events" && break
    sleep 0.1
  done
  run cat "$BATS_TEST_TMPDIR/events"
  kill "$ev" 2>/dev/null || true
  wait "$ev" 2>/dev/null || true
  [[ "$output" == *"{\"type\":\"oom\",\"id\":\"$CT\"}"* ]]
  grep -q '"type":"stats"' "$BATS_TEST_TMPDIR/events"
  [ "$(cgread memory memory.oom_control | awk '/oom_kill / {print $2}')" -ge 1 ]
  # the init survived; only the hog died
  [ "$(ocirt state "$CT" | jq -r .status)" = running ]
}

@test "pids.limit stops a fork bomb" {
  update_config '.linux.resources.pids = {"limit": 10}'
  # the bomb runs in a subshell: when pid 1 of the container's pid namespace dies, all die
  start_ct sh -c 'exec 2>&1; (i=0; while [ $i -lt 40 ]; do sleep 100 & i=$((i+1)); done); exec sleep 100'
  local i
  for i in $(seq 1 50); do
    grep -q "can't fork" "$BATS_TEST_TMPDIR/ctr.out" && break
    sleep 0.1
  done
  grep -q "can't fork" "$BATS_TEST_TMPDIR/ctr.out"
  [ "$(cgread pids pids.current)" -le 10 ]
  [ "$(cgread pids pids.current)" -ge 9 ]
  [ "$(cgread pids pids.events | awk '/max/ {print $2}')" -gt 0 ]
  [ ! -f "$(cgdir pids)/pids.peak" ] || [ "$(cgread pids pids.peak)" -eq 10 ]
  [ "$(ocirt state "$CT" | jq -r .status)" = running ]
}

@test "pause freezes every process and resume thaws them" {
  start_ct sh -c 'sleep 100 & sleep 100'
  run ocirt pause "$CT"
  [ "$status" -eq 0 ]
  [ "$(ocirt state "$CT" | jq -r .status)" = paused ]
  d=$(cgdir freezer)
  if [ -f "$d/freezer.state" ]; then
    [ "$(cat "$d/freezer.state")" = FROZEN ]
  else
    grep -qx 'frozen 1' "$d/cgroup.events"
  fi
  for p in $(cat "$(cgdir pids)/cgroup.procs"); do
    st=$(proc_state "$p")
    [[ "$st" == D || "$st" == T || "$st" == S ]] || { echo "pid $p state $st"; false; }
  done
  [ -f "$d/freezer.state" ] && [ "$(proc_state "$PID")" = D ]
  run ocirt pause "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"container not running"* ]]

  run ocirt resume "$CT"
  [ "$status" -eq 0 ]
  [ "$(ocirt state "$CT" | jq -r .status)" = running ]
  [ ! -f "$d/freezer.state" ] || [ "$(cat "$d/freezer.state")" = THAWED ]
  [ "$(proc_state "$PID")" = S ]
  run ocirt resume "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"container not paused"* ]]
}

@test "update changes a live container's limits (flags and --resources)" {
  update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"shares": 1024}, "pids": {"limit": 50}}'
  start_ct sleep 100
  run ocirt update --memory 128m --memory-swap 256m --cpu-share 256 --cpu-quota 30000 --cpu-period 100000 \
    --pids-limit 30 --blkio-weight 200 "$CT"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cgread memory memory.limit_in_bytes)" = 134217728 ]
  [ "$(cgread memory memory.memsw.limit_in_bytes)" = 268435456 ]
  [ "$(cgread cpu cpu.shares)" = 256 ]
  [ "$(cgread cpu cpu.cfs_quota_us)" = 30000 ]
  [ "$(cgread pids pids.max)" = 30 ]

  # lowering memory below memsw and memsw in one go needs the right order: ocirt finds it
  run ocirt update --memory 32m --memory-swap 48m "$CT"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cgread memory memory.limit_in_bytes)" = 33554432 ]
  [ "$(cgread memory memory.memsw.limit_in_bytes)" = 50331648 ]

  run ocirt update --resources - "$CT" <<< '{"memory": {"limit": 100663296, "swap": 201326592}, "cpu": {"cpus": "0", "quota": -1}, "pids": {"limit": -1}}'
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(cgread memory memory.limit_in_bytes)" = 100663296 ]
  [ "$(cgread cpuset cpuset.cpus)" = 0 ]
  [ "$(cgread cpu cpu.cfs_quota_us)" = -1 ]
  [ "$(cgread pids pids.max)" = max ]

  echo '{"pids": {"limit": 12}}' > "$BATS_TEST_TMPDIR/res.json"
  run ocirt update -r "$BATS_TEST_TMPDIR/res.json" "$CT"
  [ "$status" -eq 0 ]
  [ "$(cgread pids pids.max)" = 12 ]

  run ocirt update --memory 12q "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"invalid value for --memory"* ]]

  run ocirt update --resources - "$CT" <<< '{"memory": {"swappiness": 200}}'
  [ "$status" -ne 0 ]
  [[ "$output" == *"swappiness"* ]]

  run ocirt kill "$CT" KILL
  wait_status "$CT" stopped
  run ocirt update --pids-limit 5 "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"container not running"* ]]
}

@test "ps lists the container's processes (json and table)" {
  start_ct sh -c 'sleep 100 & sleep 101; exit 0'
  run ocirt ps --format json "$CT"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | jq length)" -eq 3 ]
  echo "$output" | jq -e "index($PID) != null"
  run ocirt ps "$CT"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *PID* ]]
  [ "${#lines[@]}" -eq 4 ]
  [[ "$output" == *"sleep 101"* ]]
  run ocirt ps "$CT" -o pid,comm
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == *PID*COMMAND* ]]
  [ "${#lines[@]}" -eq 4 ]
}

@test "events --stats prints one stats object in runc's shape" {
  update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
  start_ct sleep 100
  run ocirt events --stats "$CT"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  echo "$output" | jq -e ".type == \"stats\" and .id == \"$CT\""
  echo "$output" | jq -e '.data.memory.usage.limit == 67108864'
  echo "$output" | jq -e '.data.pids.current == 1 and .data.pids.limit == 40'
  echo "$output" | jq -e '.data.cpu.usage | has("kernel") and has("user")'
  echo "$output" | jq -e '.data | has("blkio") and has("hugetlb") and has("cpuset")'
}

@test "kill --all kills a process tree" {
  start_ct sh -c 'sh -c "sleep 100 & sleep 100" & sleep 100 & wait'
  local i
  for i in $(seq 1 50); do
    [ "$(wc -l < "$(cgdir pids)/cgroup.procs")" -ge 5 ] && break
    sleep 0.1
  done
  run ocirt kill --all "$CT" KILL
  [ "$status" -eq 0 ]
  for i in $(seq 1 50); do
    [ -z "$(cat "$(cgdir pids)/cgroup.procs")" ] && break
    sleep 0.1
  done
  [ -z "$(cat "$(cgdir pids)/cgroup.procs")" ]
}

@test "delete leaves no cgroup in any hierarchy" {
  start_ct sleep 100
  local d
  for d in /sys/fs/cgroup/*/; do
    [ -L "${d%/}" ] && continue
    [ -d "$d${CG_PARENT#/}/$CT" ] || { echo "missing in $d"; false; }
  done
  run ocirt delete --force "$CT"
  [ "$status" -eq 0 ]
  for d in /sys/fs/cgroup/*/; do
    [ ! -d "$d${CG_PARENT#/}/$CT" ] || { echo "left in $d"; false; }
  done
}

@test "delete --force of a paused container thaws, kills and removes it" {
  start_ct sleep 100
  run ocirt pause "$CT"
  [ "$status" -eq 0 ]
  run ocirt delete --force "$CT"
  [ "$status" -eq 0 ]
  [ ! -d "/sys/fs/cgroup/freezer$CG_PARENT/$CT" ]
  # gone, or a zombie waiting for its reaper
  [ ! -e "/proc/$PID/stat" ] || [ "$(proc_state "$PID")" = Z ]
}

@test "a relative cgroupsPath is under ocirt's own cgroup (v1) as runc places it" {
  update_config ".linux.cgroupsPath = \"ocirt-test-rel-$$\""
  start_ct sleep 100
  local own
  own=$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)
  grep -q "^[0-9]*:pids:${own%/}/ocirt-test-rel-$$\$" /proc/$PID/cgroup
  run ocirt delete --force "$CT"
  [ "$status" -eq 0 ]
  [ ! -d "/sys/fs/cgroup/pids${own%/}/ocirt-test-rel-$$" ]
}

@test "the systemd cgroup driver says it needs systemd" {
  [ -d /run/systemd/system ] && skip "systemd runs here"
  update_config '.linux.cgroupsPath = "system.slice:ocirt:test"'
  run ocirt_bg --systemd-cgroup create --bundle "$BUNDLE" "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"the systemd cgroup driver needs a running systemd"* ]]
  run ocirt list -q
  [ -z "$output" ]
}

@test "pause of a stopped container and ps/events of a missing one fail as runc" {
  run ocirt pause nosuch
  [ "$status" -ne 0 ]
  [[ "$output" == *"does not exist"* ]]
  run ocirt ps nosuch
  [ "$status" -ne 0 ]
  [[ "$output" == *"does not exist"* ]]
  start_ct true
  wait_status "$CT" stopped
  run ocirt pause "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"container not running"* ]]
  run ocirt events --stats "$CT"
  [ "$status" -ne 0 ]
  [[ "$output" == *"is not running"* ]]
}

@test "events streams stats every interval and ends when the container stops" {
  start_ct sleep 1
  run timeout 10 "$OCIRT" --root "$TEST_ROOT" events --interval 200ms "$CT"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -ge 2 ]
  for l in "${lines[@]}"; do
    echo "$l" | jq -e ".type == \"stats\" and .id == \"$CT\"" >/dev/null
  done
  run ocirt events --interval 0s "$CT"
  [ "$status" -ne 0 ]
}

# in_ct_cgroup PID: the process is in the container's cgroup in every hierarchy (each v1 one and
# cgroup2), as /proc/PID/cgroup lists them.
in_ct_cgroup() {
  local line n=0 want
  want=$(ls -d /sys/fs/cgroup/*/ | while read -r d; do [ -L "${d%/}" ] || echo; done | wc -l)
  while read -r line; do
    [[ "$line" == *":$CG_PARENT/$CT" ]] || { echo "process $1 not in the cgroup: $line"; return 1; }
    n=$((n + 1))
  done < "/proc/$1/cgroup"
  [ "$n" -eq "$want" ] || { echo "process $1: $n hierarchies listed, $want mounted"; return 1; }
}

# exec_pid ARGS...: `exec -d` of sleep; its host pid in $EPID
exec_sleeper() {
  rm -f "$BATS_TEST_TMPDIR/exec.pid"
  run ocirt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$@"
  [ "$status" -eq 0 ] || { echo "exec: $output" >&2; return 1; }
  EPID=$(cat "$BATS_TEST_TMPDIR/exec.pid")
}

@test "the init and exec'd processes are in the container's cgroup in every hierarchy" {
  start_ct sleep 100
  in_ct_cgroup "$PID"
  exec_sleeper "$CT" sleep 100
  in_ct_cgroup "$EPID"
  # execCPUAffinity.initial is applied before the process joins the cgroup: it still joins all
  jq '.process | .args = ["sleep", "100"] | .execCPUAffinity = {initial: "0"}' "$BUNDLE/config.json" \
    > "$BATS_TEST_TMPDIR/process.json"
  exec_sleeper --process "$BATS_TEST_TMPDIR/process.json" "$CT"
  in_ct_cgroup "$EPID"
}

@test "an init in a new user namespace is in the container's cgroup in every hierarchy, made here or not" {
  userns_reachable "$BUNDLE"
  update_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  # the cgroup made by ocirt: the init moves itself before it becomes the namespace's root
  start_ct sleep 100
  in_ct_cgroup "$PID"
  exec_sleeper "$CT" sleep 100
  in_ct_cgroup "$EPID"
  run ocirt delete --force "$CT"
  [ "$status" -eq 0 ]
  # a cgroup that exists already (its files may not be the runtime's): the runtime moves the init
  local d
  for d in /sys/fs/cgroup/*/; do
    [ -L "${d%/}" ] && continue
    mkdir -p "$d${CG_PARENT#/}/$CT"
    if [ -f "${d}cpuset.cpus" ]; then
      cat "${d}cpuset.cpus" > "$d${CG_PARENT#/}/cpuset.cpus"
      cat "${d}cpuset.mems" > "$d${CG_PARENT#/}/cpuset.mems"
      cat "${d}cpuset.cpus" > "$d${CG_PARENT#/}/$CT/cpuset.cpus"
      cat "${d}cpuset.mems" > "$d${CG_PARENT#/}/$CT/cpuset.mems"
    fi
  done
  start_ct sleep 100
  in_ct_cgroup "$PID"
}

@test "a cgroup the init cannot join fails create with the kernel's reason, leaving nothing" {
  # a v1 cpuset cgroup without cpus refuses tasks (ENOSPC); ocirt fills only the ones it makes
  [ -d /sys/fs/cgroup/cpuset ] || skip "no v1 cpuset hierarchy"
  local d=/sys/fs/cgroup/cpuset${CG_PARENT}
  mkdir -p "$d/$CT"
  cat /sys/fs/cgroup/cpuset/cpuset.cpus > "$d/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems > "$d/cpuset.mems"
  set_args true
  run ocirt_bg create --bundle "$BUNDLE" "$CT"
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"cgroup \`$d/$CT\`"*"No space left on device"* ]]
  [ ! -e "$TEST_ROOT/$CT" ]
  for d in /sys/fs/cgroup/*/; do
    [ ! -d "$d${CG_PARENT#/}/$CT" ] || { echo "left in $d"; false; }
  done
}
