#!/bin/sh
# Make an OCI bundle in DIR from Debian's busybox-static: DIR/rootfs with busybox and its applets,
# and DIR/config.json from `ocirt spec`, made non-interactive to run COMMAND (default: a greeting).
#
#   tools/make-bundle.sh DIR [COMMAND...]
#   tools/make-bundle.sh --rootfs-only DIR     (just DIR/rootfs; the tests use this)
#
# Needs /bin/busybox from the busybox-static package (apt-get install busybox-static) and jq.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
ocirt=${OCIRT:-$here/../build/ocirt}
rootfs_only=0
if [ "${1:-}" = "--rootfs-only" ]; then
  rootfs_only=1
  shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--rootfs-only] DIR [COMMAND...]" >&2; exit 2; }
dir=$1
shift

busybox=/bin/busybox
# ldd succeeds only on a dynamic executable (it exits 1 with "not a dynamic executable" otherwise).
if ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
  echo "$0: $busybox is missing or not static: apt-get install busybox-static" >&2
  exit 1
fi

rootfs=$dir/rootfs
mkdir -p "$rootfs/bin" "$rootfs/sbin" "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/etc" \
         "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/tmp" "$rootfs/root" "$rootfs/home"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
[ "$rootfs_only" = 1 ] && exit 0

rm -f "$dir/config.json"
"$ocirt" spec --bundle "$dir"
if [ $# -eq 0 ]; then
  set -- sh -c 'echo "hello from ocirt: pid $$ on $(hostname)"'
fi
args=$(jq -cn '$ARGS.positional' --args -- "$@")
jq --argjson a "$args" '.process.terminal = false | .process.args = $a' "$dir/config.json" > "$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
echo "bundle ready in $dir"
