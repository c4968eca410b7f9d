#!/bin/bash
# Removes everything a benchmark run made under BASE (/run/ocirt-bench-ID): its containers (deleted
# with --force by the runtime that made them), the processes left in its cgroups, the cgroups
# /sys/fs/cgroup/*/ocirt-bench-ID, and BASE itself. run.sh calls it on exit, Ctrl-C included;
# after a crash run it by hand: bench/lib/cleanup.sh /run/ocirt-bench-ID
set -u

base=${1:?usage: $0 /run/ocirt-bench-ID}
case $base in
  /run/ocirt-bench-[0-9]*) ;;
  *) echo "$0: refusing to clean $base: not /run/ocirt-bench-ID" >&2; exit 2 ;;
esac
name=${base#/run/}

BENCH_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$BENCH_DIR/lib/setup.sh"

if [ -f "$base/runtimes" ]; then
  while IFS='=' read -r rt bin; do
    root=$base/state/$rt
    [ -d "$root" ] || continue
    for dir in "$root"/*/; do
      [ -d "$dir" ] || continue
      id=$(basename "$dir")
      if [ "$rt" = crun ]; then
        # crun 1.8.1 must not see the cgroup2 mount of a hybrid host, even to delete.
        bench_hide_cgroup2 "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1
      else
        "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1
      fi
    done
  done < "$base/runtimes"
fi

# Whatever a runtime could not remove: the processes in our cgroups, then the cgroups, deepest
# first. Only cgroups named after this run are touched.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  left=0
  for top in /sys/fs/cgroup/"$name" /sys/fs/cgroup/*/"$name"; do
    [ -d "$top" ] || continue
    left=1
    find "$top" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
      kill -9 "$pid" 2>/dev/null
    done
    find "$top" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  [ "$left" = 0 ] && break
  sleep 0.2
done
for top in /sys/fs/cgroup/"$name" /sys/fs/cgroup/*/"$name"; do
  [ -d "$top" ] && echo "$0: could not remove cgroup $top" >&2
done

# The tmpfs run.sh mounts on BASE, and any mount left under it, go before the files.
awk -v b="$base" '$5 == b || index($5, b "/") == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
  umount -l "$m" 2>/dev/null
done
rm -rf "$base"
