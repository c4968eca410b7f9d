# Helpers for the real-client tests (podman.bats, containerd.bats): podman/conmon and containerd's
# runc v2 shim from Debian run their containers on the runtime under test, offline and private.
# Load after helpers: `load helpers; load clients`.
#
# RUNTIME selects the runtime the clients call: a path, or a name looked up in PATH (RUNTIME=runc
# checks the harness against the reference). Default: the ocirt the suite built ($OCIRT).

# client_runtime: prints the runtime's absolute path, or fails naming what is missing.
client_runtime() {
  local rt=${RUNTIME:-$OCIRT}
  case $rt in
    */*) ;;
    *) rt=$(command -v "$rt") || { echo "RUNTIME=$RUNTIME: not found in PATH" >&2; return 1; } ;;
  esac
  [ -x "$rt" ] || { echo "runtime $rt is not an executable" >&2; return 1; }
  echo "$rt"
}

# requires_clients CMD...: fails (from setup_file, where bats 1.8 cannot skip) naming a missing
# client program or a missing root.
requires_clients() {
  local c
  [ "$(id -u)" = 0 ] || { echo "the client tests run as root" >&2; return 1; }
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "$c is not installed (apt-get install podman conmon containerd; .ci/run does)" >&2; return 1; }
  done
}

# busybox_tar FILE: a tarball of the suite's busybox rootfs (the image's only layer).
busybox_tar() {
  ensure_rootfs
  tar -C "$ROOTFS_CACHE/rootfs" --numeric-owner -cf "$1" .
}

# cgroup_tree_remove NAME: removes the cgroup NAME (a top-level directory the test made) and
# everything under it in every hierarchy, deepest first; prints what could not be removed.
cgroup_tree_remove() {
  local name=$1 d i
  [ -n "$name" ] || return 0
  for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
    [ -d "$d" ] || continue
    for i in 1 2 3 4 5 6 7 8 9 10; do
      find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$d" ] || break
      sleep 0.1
    done
    [ -d "$d" ] && echo "$d"
  done
  return 0
}

# cgroup_dirs_named NAME PARENT: the cgroup directories called NAME under PARENT, in any hierarchy.
cgroup_dirs_named() {
  local d
  for d in /sys/fs/cgroup/*/"$2"; do
    [ -d "$d" ] && find "$d" -type d -name "$1"
  done
  return 0
}

# mounts_under DIR: mount points at or under DIR (deepest first).
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# unmount_under DIR: lazily unmounts everything at or under DIR.
unmount_under() {
  local m
  for m in $(mounts_under "$1"); do
    umount -l "$m" 2>/dev/null || true
  done
}

# wait_until TRIES CMD...: runs CMD every 0.05 s until it succeeds (up to TRIES times).
wait_until() {
  local n=$1 i
  shift
  for ((i = 0; i < n; i++)); do
    "$@" && return 0
    sleep 0.05
  done
  echo "timed out waiting for: $*" >&2
  return 1
}

# freezer_state PID: the v1 freezer state of PID's cgroup (FROZEN, THAWED), or cgroup2's
# cgroup.freeze as FROZEN/THAWED when there is no v1 freezer.
freezer_state() {
  local path
  path=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$1/cgroup")
  if [ -n "$path" ] && [ -e "/sys/fs/cgroup/freezer$path/freezer.state" ]; then
    cat "/sys/fs/cgroup/freezer$path/freezer.state"
    return
  fi
  path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
  if [ "$(cat "/sys/fs/cgroup/unified$path/cgroup.freeze" 2>/dev/null)" = 1 ]; then echo FROZEN; else echo THAWED; fi
}

# cgroup_file PID CONTROLLER FILE: a v1 controller file of PID's cgroup.
cgroup_file() {
  local path
  path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
  cat "/sys/fs/cgroup/$2$path/$3"
}

# in_pty CMD [INPUT]: runs the shell command CMD with a pseudo-terminal of 30 rows and 101 columns
# as stdin/stdout (script(1)), so clients see a real terminal, typing INPUT into it; output has
# \r\n line ends.
in_pty() {
  printf '%s' "${2:-}" | script -qefc "stty rows 30 cols 101; $1" /dev/null
}

# A shell command printing the terminal's name and size. Clients send the window size of an exec'd
# process or a ctr task (a resize on the pty master the runtime passed through the console socket)
# only after it started, so it waits for a size (busybox's stty exits 0 even when it has none).
WINSIZE='tty; i=0; while s=$(stty size 2>/dev/null); [ -z "$s" ] || [ "$s" = "0 0" ]; do i=$((i+1)); [ $i -lt 100 ] || exit 99; sleep 0.02; done; echo "$s"'
