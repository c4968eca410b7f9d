#!/usr/bin/env bats
# ocirt features: valid against the spec's schema and true to this host.

load helpers

SCHEMA_DIR=${OCIRT_SPEC_DIR:-$TOP/../shared/oci-runtime-spec}/schema

# only the test that runs a container calls setup_common; teardown_common does nothing for the others
teardown() {
  teardown_common
}

@test "features: valid against features-schema.json" {
  [ -f "$SCHEMA_DIR/features-schema.json" ] || { echo "no runtime-spec schema at $SCHEMA_DIR (set OCIRT_SPEC_DIR)"; false; }
  python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is not installed (.ci/run installs it)"; false; }
  "$OCIRT" features > "$BATS_TEST_TMPDIR/features.json"
  run python3 - "$SCHEMA_DIR" "$BATS_TEST_TMPDIR/features.json" <<'EOF'
import json, pathlib, sys, warnings
import jsonschema
warnings.simplefilter("ignore", DeprecationWarning)
base = pathlib.Path(sys.argv[1])
schema = json.load(open(base / "features-schema.json"))
resolver = jsonschema.RefResolver(base_uri=base.as_uri() + "/", referrer=schema)
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema, resolver=resolver)
# the validator itself must catch a wrong type, or this test proves nothing
doc["linux"]["cgroup"]["v2"] = "yes"
try:
    jsonschema.validate(doc, schema, resolver=resolver)
    sys.exit("a broken document passed the schema")
except jsonschema.ValidationError:
    print("valid")
EOF
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = valid ]
}

@test "features: the fields clients read, with runc's shape" {
  run "$OCIRT" features
  [ "$status" -eq 0 ]
  echo "$output" | jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.3.0"'
  echo "$output" | jq -e '.hooks == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
  echo "$output" | jq -e '.mountOptions | index("rbind") and index("rro") and index("nosuid")'
  echo "$output" | jq -e '.linux.cgroup | has("v1") and has("v2") and has("systemd") and has("systemdUser") and has("rdma")'
  echo "$output" | jq -e '.linux.mountExtensions.idmap | has("enabled")'
  echo "$output" | jq -e '.annotations["org.opencontainers.ocirt.version"] | length > 0'
  echo "$output" | jq -e '.potentiallyUnsafeConfigAnnotations | type == "array"'
}

@test "features: capabilities end at the kernel's cap_last_cap" {
  last=$(cat /proc/sys/kernel/cap_last_cap)
  run "$OCIRT" features
  [ "$status" -eq 0 ]
  n=$(echo "$output" | jq '.linux.capabilities | length')
  [ "$n" -le $((last + 1)) ]
  [ "$(echo "$output" | jq -r '.linux.capabilities[0]')" = CAP_CHOWN ]
  if [ "$last" -ge 40 ]; then
    [ "$n" -eq 41 ]
    [ "$(echo "$output" | jq -r '.linux.capabilities[40]')" = CAP_CHECKPOINT_RESTORE ]
  fi
}

@test "features: seccomp as the kernel and libseccomp say" {
  run "$OCIRT" features
  [ "$status" -eq 0 ]
  if [ -r /proc/sys/kernel/seccomp/actions_avail ]; then
    echo "$output" | jq -e '.linux.seccomp.enabled == true'
    # supportedFlags is a subset of knownFlags
    echo "$output" | jq -e '.linux.seccomp as $s | ($s.supportedFlags - $s.knownFlags) == []'
    echo "$output" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") and index("SCMP_ACT_NOTIFY")'
    ver=$(echo "$output" | jq -r '.annotations["io.github.seccomp.libseccomp.version"]')
    [[ "$ver" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
    # flags the kernel has had since 4.14 (LOG) and 4.17 (SPEC_ALLOW)
    echo "$output" | jq -e '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG") and index("SECCOMP_FILTER_FLAG_TSYNC")'
  else
    echo "$output" | jq -e '.linux.seccomp.enabled == false'
  fi
}

@test "features: every namespace listed exists in this kernel" {
  run "$OCIRT" features
  [ "$status" -eq 0 ]
  for ns in $(echo "$output" | jq -r '.linux.namespaces[]'); do
    case $ns in
      network) f=net ;; mount) f=mnt ;; *) f=$ns ;;
    esac
    [ -e "/proc/self/ns/$f" ] || { echo "namespace $ns listed but /proc/self/ns/$f is missing"; false; }
  done
}

@test "features: LSMs as enabled on this host" {
  run "$OCIRT" features
  [ "$status" -eq 0 ]
  if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then want=true; else want=false; fi
  [ "$(echo "$output" | jq '.linux.apparmor.enabled')" = "$want" ]
  if [ -e /sys/fs/selinux/enforce ]; then want=true; else want=false; fi
  [ "$(echo "$output" | jq '.linux.selinux.enabled')" = "$want" ]
}

@test "features: takes no arguments" {
  run "$OCIRT" features extra
  [ "$status" -ne 0 ]
  [[ "$output" == *features* ]]
}

@test "features: a container with every namespace listed runs" {
  setup_common
  ns=$("$OCIRT" features | jq -c '[.linux.namespaces[] | {type: .}]')
  # root stays root (ids 0-65535 map to themselves): a new user namespace that can still read the bundle
  update_config ".linux.namespaces = $ns
    | .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]"
  set_args sh -c 'for n in /proc/self/ns/*; do readlink $n; done'
  run ocirt run --bundle "$BUNDLE" allns
  echo "$output"
  [ "$status" -eq 0 ]
  for n in /proc/self/ns/*; do
    case $n in */pid_for_children|*/time_for_children) continue ;; esac
    # each namespace the container lists differs from the host's
    if grep -qx "$(readlink "$n")" <<<"$output"; then
      echo "the container shares $(readlink "$n") with the host"
      false
    fi
  done
}
