#!/usr/bin/env bats
# Bad input: each gets one clear message and exit status 1, and leaves nothing behind (no process,
# mount, cgroup or state dir).

load helpers

setup() {
  setup_common
  ID=er$$-$BATS_TEST_NUMBER
}

teardown() {
  teardown_common
}

# fails_with TEXT CMD...: the command exits 1 with TEXT in its message and leaves nothing of $ID.
fails_with() {
  local text=$1
  shift
  run "$@"
  echo "status $status: $output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$text"* ]]
  [ "$(grep -c . <<<"$output")" -eq 1 ] # one line
  no_leftovers "$ID"
}

@test "missing bundle" {
  fails_with "bundle \`$BATS_TEST_TMPDIR/nope\`: No such file or directory" ocirt create --bundle "$BATS_TEST_TMPDIR/nope" "$ID"
  fails_with "bundle \`$BATS_TEST_TMPDIR/nope\`: No such file or directory" ocirt run --bundle "$BATS_TEST_TMPDIR/nope" "$ID"
}

@test "bundle without config.json" {
  rm "$BUNDLE/config.json"
  fails_with "config.json" ocirt create --bundle "$BUNDLE" "$ID"
}

@test "missing rootfs" {
  rm -rf "$BUNDLE/rootfs"
  fails_with "rootfs (root.path) \`$BUNDLE/rootfs\`: No such file or directory" ocirt create --bundle "$BUNDLE" "$ID"
}

@test "missing binary: runc's message, for create and run" {
  set_args nope
  fails_with 'exec: "nope": executable file not found in $PATH' ocirt_bg create --bundle "$BUNDLE" "$ID"
  fails_with 'exec: "nope": executable file not found in $PATH' ocirt run --bundle "$BUNDLE" "$ID"
  set_args /bin/nope
  fails_with 'exec: "/bin/nope": stat /bin/nope: No such file or directory' ocirt run --bundle "$BUNDLE" "$ID"
  set_args /etc
  fails_with 'exec: "/etc": stat /etc: Is a directory' ocirt run --bundle "$BUNDLE" "$ID"
}

@test "cwd that is a file" {
  update_config '.process.cwd = "/etc/passwd"'
  fails_with 'process.cwd `/etc/passwd`: chdir: Not a directory' ocirt run --bundle "$BUNDLE" "$ID"
}

@test "duplicate id: refused, the first container untouched" {
  set_args sleep 100
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 0 ]
  pid=$(ocirt state "$ID" | jq -r .pid)
  run ocirt_bg create --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 1 ]
  [[ "$output" == *"container with given ID already exists"* ]]
  run ocirt state "$ID"
  [ "$(jq -r .status <<<"$output")" = created ]
  [ "$(jq -r .pid <<<"$output")" = "$pid" ]
  kill -0 "$pid"
  run ocirt delete --force "$ID"
  [ "$status" -eq 0 ]
  no_leftovers "$ID"
}

@test "a mount with an unknown type" {
  update_config '.mounts += [{"destination":"/x","type":"nosuchfs","source":"none"}]'
  fails_with 'mount `/x`: unknown filesystem type `nosuchfs`' ocirt run --bundle "$BUNDLE" "$ID"
}

@test "a mount option the filesystem refuses: the kernel's own words" {
  update_config '.mounts += [{"destination":"/x","type":"tmpfs","source":"tmpfs","options":["size=lots"]}]'
  fails_with "mount \`/x\` (type tmpfs): size=lots: tmpfs: Bad value for 'size': Invalid argument" ocirt run --bundle "$BUNDLE" "$ID"
}

@test "a bind mount whose source is missing" {
  update_config ".mounts += [{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"$BATS_TEST_TMPDIR/none\",\"options\":[\"bind\"]}]"
  fails_with "mount \`/x\`: bind source \`$BATS_TEST_TMPDIR/none\`: No such file or directory" ocirt run --bundle "$BUNDLE" "$ID"
}

@test "a namespace path that does not exist" {
  update_config '.linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/ocirt-none" else . end)'
  fails_with 'open network namespace path `/var/run/netns/ocirt-none`: No such file or directory' ocirt run --bundle "$BUNDLE" "$ID"
}

@test "a namespace path of the wrong type, and a file that is no namespace" {
  update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/mnt" else . end)'
  fails_with 'namespace path `/proc/self/ns/mnt` is a mount namespace, not the network namespace the config asks for' ocirt run --bundle "$BUNDLE" "$ID"
  update_config '.linux.namespaces |= map(if .type == "network" then .path = "/etc/hostname" else . end)'
  fails_with 'network namespace path `/etc/hostname` is not a namespace file' ocirt run --bundle "$BUNDLE" "$ID"
}

@test "a device path where another file already is" {
  update_config '.linux.devices = [{"path":"/etc/passwd","type":"c","major":1,"minor":3}]'
  fails_with 'device `/etc/passwd`: a file that is not the requested device (c 1:3) is already there' ocirt run --bundle "$BUNDLE" "$ID"
}

@test "bad ids" {
  fails_with "" ocirt create --bundle "$BUNDLE" "a/b"
  fails_with "" ocirt create --bundle "$BUNDLE" ".."
}

@test "terminal without a console socket (detached), and terminal in the foreground" {
  update_config '.process.terminal = true'
  fails_with "will detach without setting console socket" ocirt create --bundle "$BUNDLE" "$ID"
  # bats gives ocirt no terminal: run refuses before anything exists (runc: open /dev/tty)
  fails_with "has no terminal to attach" ocirt run --bundle "$BUNDLE" "$ID" </dev/null
  update_config '.process.terminal = false'
  fails_with "will not detach or allocate tty" ocirt create --console-socket /nope --bundle "$BUNDLE" "$ID"
}

@test "masked or read-only paths without a mount namespace are refused" {
  # (mounts alone go under a bind of the rootfs in the runtime's namespace: conformance-regressions.bats)
  update_config '.linux.namespaces -= [{"type":"mount"}]'
  fails_with "unable to restrict sys entries without a private MNT namespace" ocirt run --bundle "$BUNDLE" "$ID"
}

@test "verbs on a container that does not exist" {
  for verb in start delete kill state; do
    run ocirt $verb "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"container \"$ID\" does not exist"* ]]
  done
}

@test "valid fields ocirt does not apply yet are refused, not ignored" {
  update_config '.linux.netDevices = {"eth9": {"name": "ctr0"}}'
  fails_with "config.json: linux.netDevices is not supported by ocirt yet" ocirt create --bundle "$BUNDLE" "$ID"
  update_config 'del(.linux.netDevices) | .linux.intelRdt = {"closID": "x"}'
  fails_with "config.json: linux.intelRdt is not supported by ocirt yet" ocirt run --bundle "$BUNDLE" "$ID"
  update_config 'del(.linux.intelRdt) | .linux.memoryPolicy = {"mode": "MPOL_DEFAULT"}'
  fails_with "config.json: linux.memoryPolicy is not supported by ocirt yet" ocirt create --bundle "$BUNDLE" "$ID"
}
