# Shared by bench/run.sh and bench/lib/profile.sh (sourced): the helper binaries, the rootfs, the
# config templates and the bundles. BENCH_DIR is bench/, TOP the source tree.

# bench_tools DIR: the floor (static: no loader between exec and main), the driver, mkfilter.
bench_tools() {
  mkdir -p "$1"
  gcc -O2 -Wall -Wextra -static -o "$1/floor" "$BENCH_DIR/floor.c"
  gcc -O2 -Wall -Wextra -o "$1/driver" "$BENCH_DIR/lib/driver.c"
  gcc -O2 -Wall -Wextra -o "$1/mkfilter" "$BENCH_DIR/lib/mkfilter.c" -lseccomp
}

# bench_templates BASE SPEC_BIN TOOLS: BASE/rootfs (busybox), BASE/tmp/template*.json and
# BASE/filter.bpf. The config is SPEC_BIN's `spec` (ocirt's or runc's, the same document), made
# non-interactive, the shared rootfs read-only, ociVersion one that all three runtimes accept
# (crun 1.8.1 refuses 1.3.0), and cgroupsPath /NAME-OF-BASE/@RT@/@NAME@ (a parent of our own).
bench_templates() {
  local base=$1 spec_bin=$2 tools=$3
  mkdir -p "$base/tmp"
  "$TOP/tools/make-bundle.sh" --rootfs-only "$base" >/dev/null
  rm -f "$base/tmp/config.json"
  (cd "$base/tmp" && "$spec_bin" spec)
  jq -c --arg root "$base/rootfs" --arg cg "/$(basename "$base")/@RT@/@NAME@" \
    '.ociVersion = "1.0.2-dev" | .process.terminal = false | .process.args = ["@ARGS@"]
     | .root.path = $root | .linux.cgroupsPath = $cg' "$base/tmp/config.json" > "$base/tmp/template.json"
  rm "$base/tmp/config.json"
  jq -c --slurpfile s "$BENCH_DIR/seccomp-podman.json" '.linux.seccomp = $s[0]' "$base/tmp/template.json" \
    > "$base/tmp/template-seccomp.json"
  jq -r -f "$BENCH_DIR/lib/profile-rules.jq" "$BENCH_DIR/seccomp-podman.json" | "$tools/mkfilter" "$base/filter.bpf"
}

# bench_bundle BASE RT NAME ARGS_JSON [TEMPLATE]: BASE/bundles/RT/NAME/config.json.
bench_bundle() {
  local dir=$1/bundles/$2/$3
  mkdir -p "$dir"
  sed -e "s|@RT@|$2|; s|@NAME@|$3|; s|\[\"@ARGS@\"\]|$4|" "${5:-$1/tmp/template.json}" > "$dir/config.json"
}

# bench_hide_cgroup2 CMD...: CMD in a mount namespace where a private empty tmpfs covers the
# cgroup2 mount of a hybrid host (Debian's crun 1.8.1 refuses such a host).
bench_hide_cgroup2() {
  unshare -m sh -c 'mount -t tmpfs tmpfs /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "$@"
}
