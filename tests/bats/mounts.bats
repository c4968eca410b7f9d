#!/usr/bin/env bats
# Mounts: types, options, binds, propagation, read-only root, /dev, and targets that try to leave
# the rootfs through symlinks.

load helpers

setup() {
  setup_common
  ID=mn$$-$BATS_TEST_NUMBER
  HOSTMNT=""
}

teardown() {
  # mounts this file makes on the host for a test
  if [ -n "$HOSTMNT" ]; then umount -R "$HOSTMNT" 2>/dev/null || true; fi
  teardown_common
}

# add_mount JSON: appends one entry to mounts.
add_mount() {
  update_config ".mounts += [$1]"
}

# Runs the container printing its mountinfo; sets output. Fields: 5 mount point, 6 options,
# then optional fields, "-", type, source, super options.
mountinfo() {
  set_args cat /proc/self/mountinfo
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  MI=$output
}

# mi DEST: the (last) mountinfo line for mount point DEST.
mi() {
  awk -v d="$1" '$5 == d' <<<"$MI" | tail -n1
}

@test "the default config's mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs, cgroup" {
  mountinfo
  [[ "$(mi /proc)" == *" - proc proc "* ]]
  [[ "$(mi /dev)" == *" rw,nosuid - tmpfs tmpfs "*"size=65536k"*"mode=755"* ]]
  [[ "$(mi /dev/pts)" == *" rw,nosuid,noexec,relatime - devpts devpts "*"gid=5"*"mode=620"*"ptmxmode=666"* ]]
  [[ "$(mi /dev/shm)" == *" rw,nosuid,nodev,noexec,relatime - tmpfs shm "*"size=65536k"* ]]
  [[ "$(mi /dev/mqueue)" == *" - mqueue mqueue "* ]]
  [[ "$(mi /sys)" == *" ro,nosuid,nodev,noexec,relatime - sysfs sysfs "* ]]
  [[ "$(mi /sys/fs/cgroup)" == *" ro,nosuid,nodev,noexec,relatime - tmpfs "* ]]
  [[ "$(mi /)" == *" / ro,"* ]] # root.readonly in the default config
  no_leftovers "$ID"
}

@test "tmpfs options: flags, atime modes, data (mode=, size=)" {
  add_mount '{"destination":"/t1","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","noatime","mode=700","size=1m"]}'
  add_mount '{"destination":"/t2","type":"tmpfs","source":"tmpfs","options":["ro","strictatime","nodiratime"]}'
  add_mount '{"destination":"/t3","type":"tmpfs","source":"tmpfs","options":["relatime","nosymfollow","sync","dirsync"]}'
  add_mount '{"destination":"/t4","type":"tmpfs","source":"tmpfs","options":["ro","rw","suid","dev","exec","noatime","atime"]}'
  mountinfo
  [[ "$(mi /t1)" == *" rw,nosuid,nodev,noexec,noatime "*"- tmpfs tmpfs rw,size=1024k,mode=700"* ]]
  [[ "$(mi /t2)" == *" ro,nodiratime "*"- tmpfs tmpfs ro"* ]]
  [[ "$(mi /t3)" == *" rw,relatime,nosymfollow "*"- tmpfs tmpfs rw,sync,dirsync"* ]]
  [[ "$(mi /t4)" == *" rw,relatime "*"- tmpfs tmpfs rw"* ]]
}

@test "the r* options apply to every submount; the plain ones to the top one only" {
  mkdir -p "$BATS_TEST_TMPDIR/src/sub"
  echo hi > "$BATS_TEST_TMPDIR/src/file"
  HOSTMNT=$BATS_TEST_TMPDIR/src/sub
  mount -t tmpfs -o size=1m tmpfs "$HOSTMNT"
  add_mount "{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/src\",\"options\":[\"rbind\",\"ro\"]}"
  add_mount "{\"destination\":\"/b\",\"type\":\"none\",\"source\":\"$BATS_TEST_TMPDIR/src\",\"options\":[\"rbind\",\"rro\",\"rnoexec\"]}"
  add_mount "{\"destination\":\"/c\",\"source\":\"$BATS_TEST_TMPDIR/src\",\"options\":[\"bind\"]}"
  mountinfo
  [[ "$(mi /a)" == *" ro,"* ]]
  [[ "$(mi /a/sub)" == *" rw,"* ]]
  [[ "$(mi /b)" == *" ro,"*"noexec"* ]]
  [[ "$(mi /b/sub)" == *" ro,"*"noexec"* ]]
  [[ "$(mi /c)" == *" rw,"* ]]
  [ -z "$(mi /c/sub)" ] # bind: not recursive
  umount "$HOSTMNT"
  HOSTMNT=""
}

@test "bind a file and a directory: targets are created, contents seen, ro enforced" {
  echo content > "$BATS_TEST_TMPDIR/hostfile"
  mkdir "$BATS_TEST_TMPDIR/hostdir"
  echo indir > "$BATS_TEST_TMPDIR/hostdir/f"
  add_mount "{\"destination\":\"/new/dir/file\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/hostfile\",\"options\":[\"bind\",\"ro\"]}"
  add_mount "{\"destination\":\"/newdir\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/hostdir\",\"options\":[\"rbind\"]}"
  update_config '.root.readonly = false'
  set_args sh -c 'cat /new/dir/file; cat /newdir/f; echo x > /new/dir/file && echo wrote-ro; echo y > /newdir/g && echo wrote-rw'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "${lines[0]}" = content ]
  [ "${lines[1]}" = indir ]
  [[ "$output" != *wrote-ro* ]]
  [[ "$output" == *wrote-rw* ]]
  [ "$(cat "$BATS_TEST_TMPDIR/hostdir/g")" = y ]
  [ -f "$BUNDLE/rootfs/new/dir/file" ] # the file target was made in the rootfs
  [ "$(cat "$BATS_TEST_TMPDIR/hostfile")" = content ]
}

@test "a bind source relative to the bundle" {
  mkdir "$BUNDLE/vol"
  echo rel > "$BUNDLE/vol/f"
  add_mount '{"destination":"/vol","type":"bind","source":"vol","options":["bind"]}'
  set_args cat /vol/f
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "$output" = rel ]
}

@test "propagation options: shared, private, unbindable, slave" {
  mkdir -p "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/shared"
  HOSTMNT=$BATS_TEST_TMPDIR/shared
  mount -t tmpfs tmpfs "$HOSTMNT"
  mount --make-shared "$HOSTMNT"
  add_mount "{\"destination\":\"/s\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/p\",\"options\":[\"bind\",\"shared\"]}"
  add_mount "{\"destination\":\"/pr\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/p\",\"options\":[\"bind\",\"shared\",\"private\"]}"
  add_mount "{\"destination\":\"/u\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/p\",\"options\":[\"bind\",\"runbindable\"]}"
  add_mount "{\"destination\":\"/sl\",\"type\":\"bind\",\"source\":\"$HOSTMNT\",\"options\":[\"rbind\",\"rslave\"]}"
  add_mount '{"destination":"/ts","type":"tmpfs","source":"tmpfs","options":["shared"]}'
  add_mount "{\"destination\":\"/plain\",\"type\":\"bind\",\"source\":\"$HOSTMNT\",\"options\":[\"rbind\"]}"
  add_mount '{"destination":"/plain/sub","type":"tmpfs","source":"tmpfs"}'
  mountinfo
  [[ "$(mi /s)" == *" shared:"* ]]
  [[ "$(mi /pr)" != *"shared:"* && "$(mi /pr)" != *"master:"* ]]
  [[ "$(mi /u)" == *" unbindable "* ]]
  [[ "$(mi /sl)" == *" master:"* ]]
  [[ "$(mi /ts)" == *" shared:"* ]]
  # a bind of a shared host mount is its slave, never its peer
  [[ "$(mi /plain)" == *" master:"* && "$(mi /plain)" != *"shared:"* ]]
  # nothing the container mounted propagated back to the host's shared mount
  [ "$(grep -c "$HOSTMNT" /proc/self/mountinfo)" -eq 1 ]
  umount "$HOSTMNT"
  HOSTMNT=""
}

@test "root.readonly, and a writable root without it" {
  set_args sh -c 'touch /x 2>&1; echo rc=$?'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [[ "$output" == *"Read-only file system"* ]]
  [[ "$output" == *"rc=1" ]]
  update_config '.root.readonly = false'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$output" = "rc=0" ]
  [ -f "$BUNDLE/rootfs/x" ]
}

@test "rootfsPropagation" {
  update_config '.linux.rootfsPropagation = "shared"'
  mountinfo
  [[ "$(mi /)" == *" shared:"* ]]
  update_config '.linux.rootfsPropagation = "unbindable"'
  mountinfo
  [[ "$(mi /)" == *" unbindable "* ]]
  update_config '.linux.rootfsPropagation = "private"'
  mountinfo
  [[ "$(mi /)" != *"shared:"* && "$(mi /)" != *"master:"* ]]
  update_config '.linux.rootfsPropagation = "sideways"'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"rootfsPropagation"*"sideways"* ]]
}

@test "a symlink to / in the rootfs does not lead a mount out of it" {
  ln -s / "$BUNDLE/rootfs/evil"
  ln -s ../../../../../../../../../.. "$BUNDLE/rootfs/up"
  esc=ocirt-escape-$ID
  add_mount "{\"destination\":\"/evil/$esc\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"size=8k\"]}"
  add_mount "{\"destination\":\"/up/$esc-2\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"size=12k\"]}"
  add_mount "{\"destination\":\"/evil/tmp/$esc-file\",\"type\":\"bind\",\"source\":\"/etc/hostname\",\"options\":[\"bind\"]}"
  mountinfo
  # each landed inside the container, at the path the symlink means from the container's root
  [[ "$(mi /$esc)" == *"size=8k"* ]]
  [[ "$(mi /$esc-2)" == *"size=12k"* ]]
  [ -n "$(mi /tmp/$esc-file)" ]
  [ -d "$BUNDLE/rootfs/$esc" ]
  [ -f "$BUNDLE/rootfs/tmp/$esc-file" ]
  # and nothing on the host
  [ ! -e "/$esc" ]
  [ ! -e "/$esc-2" ]
  [ ! -e "/tmp/$esc-file" ]
  ! grep -q "$esc" /proc/self/mountinfo
}

@test "a symlink at the target itself is resolved inside the rootfs too" {
  mkdir -p "$BUNDLE/rootfs/etc"
  ln -s /etc/ocirt-target-$ID "$BUNDLE/rootfs/etc/link"
  mkdir "$BUNDLE/rootfs/etc/ocirt-target-$ID"
  add_mount '{"destination":"/etc/link","type":"tmpfs","source":"tmpfs","options":["size=16k"]}'
  mountinfo
  [[ "$(mi /etc/ocirt-target-$ID)" == *"size=16k"* ]]
  [ ! -e "/etc/ocirt-target-$ID" ]
}

@test "cgroup mount: the container's own cgroups, read-only, with runc's layout" {
  set_args sh -c 'ls /sys/fs/cgroup | tr "\n" " "; echo; grep -c . /sys/fs/cgroup/pids/cgroup.procs; touch /sys/fs/cgroup/pids/x 2>&1; true'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  for c in $(ls /sys/fs/cgroup); do
    [[ " ${lines[0]} " == *" $c "* ]]
  done
  [ "${lines[1]}" = 2 ] # only the container's processes: sh and grep
  [[ "${lines[2]}" == *"Read-only file system"* ]]
  # with a cgroup namespace too
  update_config '.linux.namespaces += [{"type":"cgroup"}]'
  set_args sh -c 'grep -c . /sys/fs/cgroup/pids/cgroup.procs; grep pids /proc/self/cgroup'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 2 ]
  [[ "${lines[1]}" == *":pids:/" ]]
}

@test "/dev: default devices, symlinks, ptmx, and linux.devices with mode and owner" {
  update_config '.linux.devices = [{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":384,"uid":1,"gid":2},
                                   {"path":"/mydev/zero2","type":"c","major":1,"minor":5},
                                   {"path":"/dev/myfifo","type":"p","fileMode":420}]'
  set_args sh -c 'for d in null zero full random urandom tty fuse myfifo; do stat -c "%n %F %t:%T %a %u:%g" /dev/$d; done; stat -c "%n %t:%T" /mydev/zero2; for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done; head -c 3 /dev/zero | od -An -tx1'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "/dev/null character special file 1:3 666 0:0" ]
  [ "${lines[1]}" = "/dev/zero character special file 1:5 666 0:0" ]
  [ "${lines[2]}" = "/dev/full character special file 1:7 666 0:0" ]
  [ "${lines[3]}" = "/dev/random character special file 1:8 666 0:0" ]
  [ "${lines[4]}" = "/dev/urandom character special file 1:9 666 0:0" ]
  [ "${lines[5]}" = "/dev/tty character special file 5:0 666 0:0" ]
  [ "${lines[6]}" = "/dev/fuse character special file a:e5 600 1:2" ]
  [ "${lines[7]}" = "/dev/myfifo fifo 0:0 644 0:0" ]
  [ "${lines[8]}" = "/mydev/zero2 1:5" ]
  [ "${lines[9]}" = "fd /proc/self/fd" ]
  [ "${lines[10]}" = "stdin /proc/self/fd/0" ]
  [ "${lines[11]}" = "stdout /proc/self/fd/1" ]
  [ "${lines[12]}" = "stderr /proc/self/fd/2" ]
  [ "${lines[13]}" = "ptmx pts/ptmx" ]
  [ "$(echo ${lines[14]})" = "00 00 00" ]
}

@test "/dev in a user namespace: the host's nodes bound" {
  userns_reachable "$BUNDLE"
  update_config '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  set_args sh -c 'stat -c "%n %t:%T" /dev/null /dev/tty; echo ok > /dev/null && echo wrote'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "/dev/null 1:3" ]
  [ "${lines[1]}" = "/dev/tty 5:0" ]
  [ "${lines[2]}" = wrote ]
}

@test "--no-pivot: MS_MOVE and chroot" {
  set_args sh -c 'cat /proc/self/mountinfo | wc -l; ls /'
  run ocirt run --no-pivot --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [[ "$output" == *bin* ]]
  no_leftovers "$ID"
}

@test "mount(2) options: silent, and a remount" {
  add_mount '{"destination":"/q","type":"tmpfs","source":"tmpfs","options":["silent","nosuid","size=4k"]}'
  add_mount '{"destination":"/q","type":"tmpfs","source":"tmpfs","options":["remount","ro","nosuid"]}'
  mountinfo
  [[ "$(mi /q)" == *" ro,nosuid"*"size=4k"* ]]
}

@test "sysfs and proc, new, in the container's namespaces" {
  set_args sh -c 'ls /sys/class/net; cat /proc/1/comm; true'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = lo ]
  [ "${lines[1]}" = sh ]
}

@test "idmapped bind mounts: the mount's own mappings, the container's, and none at all" {
  mkdir "$BATS_TEST_TMPDIR/owned"
  touch "$BATS_TEST_TMPDIR/owned/f"
  chown 0:0 "$BATS_TEST_TMPDIR/owned/f"
  add_mount "{\"destination\":\"/im\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/owned\",\"options\":[\"bind\",\"idmap\"],
              \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":1}]}"
  set_args stat -c "%u:%g" /im/f
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = 1000:2000 ]
  [ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/owned/f")" = 0:0 ] # the files themselves are untouched

  # without mappings of its own, the container's user namespace's: host root's file is the
  # container root's
  update_config '.mounts[-1] |= (del(.uidMappings) | del(.gidMappings))'
  update_config '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
  userns_reachable "$BUNDLE"
  userns_reachable "$BATS_TEST_TMPDIR/owned"
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$output" = 0:0 ] # host uid 0 -> 100000 through the mount, which the container sees as its 0
  update_config '.mounts[-1].options = ["bind"]'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$output" = 65534:65534 ] # without idmap: host root is nobody in the container
  update_config '.mounts[-1].options = ["bind", "idmap"]'

  # neither: an error (the spec's MUST)
  update_config '.linux.namespaces -= [{"type":"user"}] | del(.linux.uidMappings) | del(.linux.gidMappings)'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"idmap needs uidMappings and gidMappings"* ]]
  no_leftovers "$ID"
}

@test "tmpcopyup: the tmpfs starts with what the directory held" {
  mkdir -p "$BUNDLE/rootfs/data/sub"
  echo one > "$BUNDLE/rootfs/data/f"
  echo two > "$BUNDLE/rootfs/data/sub/g"
  chmod 640 "$BUNDLE/rootfs/data/f"
  chown 7:8 "$BUNDLE/rootfs/data/sub/g"
  ln -s f "$BUNDLE/rootfs/data/link"
  chmod 750 "$BUNDLE/rootfs/data"
  add_mount '{"destination":"/data","type":"tmpfs","source":"tmpfs","options":["tmpcopyup","size=1m"]}'
  set_args sh -c 'grep " /data " /proc/self/mountinfo | grep -c tmpfs; cat /data/f /data/sub/g; stat -c "%a %u:%g" /data /data/f /data/sub/g; readlink /data/link; echo new > /data/new; cat /data/new'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = one ]
  [ "${lines[2]}" = two ]
  [ "${lines[3]}" = "750 0:0" ]
  [ "${lines[4]}" = "640 0:0" ]
  [ "${lines[5]}" = "644 7:8" ]
  [ "${lines[6]}" = f ]
  [ "${lines[7]}" = new ]
  [ ! -e "$BUNDLE/rootfs/data/new" ] # written to the tmpfs, not the rootfs
}

@test "/dev from the rootfs, setgid: the default nodes are still root's, with their modes" {
  # no /dev tmpfs: the nodes go into the rootfs' own /dev, whose setgid bit would give them its group
  update_config 'del(.mounts[] | select(.destination == "/dev"))'
  mkdir -p "$BUNDLE/rootfs/dev"
  chgrp 5 "$BUNDLE/rootfs/dev"
  chmod 2755 "$BUNDLE/rootfs/dev"
  set_args sh -c 'stat -c "%n %a %u:%g" /dev/null /dev/tty'
  run ocirt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "${lines[0]}" = "/dev/null 666 0:0" ]
  [ "${lines[1]}" = "/dev/tty 666 0:0" ]
}
