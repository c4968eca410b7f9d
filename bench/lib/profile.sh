#!/bin/bash
# Where a runtime's start time goes: one `run` of the benchmark's bundle (/bin/true) under
#   strace -f -c         syscall counts per name (and the total);
#   strace -f -ttt -T    the slowest syscalls and the longest stretches between two syscalls of one
#                        process (time in user space: parsing, loader, libseccomp...);
#   perf stat -r N       task-clock, context switches, page faults (no hardware counters in a VM);
#   callgrind            instructions per function (ocirt only: needs its symbols), when valgrind is
#                        installed and copes with the runtime's clone flags.
#
#   bench/lib/profile.sh [--bundle run|seccomp] [--runs N] [--out DIR] NAME=PATH...
#   e.g. bench/lib/profile.sh ocirt=build-bench/ocirt crun=/usr/bin/crun runc=/usr/sbin/runc
#
# Needs root, strace, perf (linux-perf) and jq. Files go to OUT (default /tmp/ocirt-profile-PID);
# a summary is printed. Cleans up like run.sh.
set -eu

BENCH_DIR=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib/setup.sh"

kind=run
runs=30
out=/tmp/ocirt-profile-$$
rts=()
while [ $# -gt 0 ]; do
  case $1 in
    --bundle) kind=$2; shift ;;
    --runs) runs=$2; shift ;;
    --out) out=$(realpath -m "$2"); shift ;;
    *=*) rts+=("$1") ;;
    *) echo "usage: $0 [--bundle run|seccomp] [--runs N] [--out DIR] NAME=PATH..." >&2; exit 2 ;;
  esac
  shift
done
[ ${#rts[@]} -gt 0 ] || { echo "$0: name at least one runtime, e.g. ocirt=build-bench/ocirt" >&2; exit 2; }
mkdir -p "$out"

base=/run/ocirt-bench-$$
trap '"$BENCH_DIR/lib/cleanup.sh" "$base"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$base/state"
tools=$out/tools
bench_tools "$tools" >/dev/null
spec_bin=runc
: > "$base/runtimes"
for r in "${rts[@]}"; do
  [ "${r%%=*}" = ocirt ] && spec_bin=$(realpath "${r#*=}")
  echo "${r%%=*}=$(realpath "${r#*=}")" >> "$base/runtimes"
done
bench_templates "$base" "$spec_bin" "$tools"

# invoke NAME BIN ID PREFIX...: `PREFIX... BIN --root ROOT run --bundle B ID`, crun behind the
# hidden cgroup2 mount.
invoke() {
  local name=$1 bin=$2 id=$3
  shift 3
  local cmd=("$@" "$bin" --root "$base/state/$name" run --bundle "$base/bundles/$name/$kind" "$id")
  if [ "$name" = crun ]; then bench_hide_cgroup2 "${cmd[@]}"; else "${cmd[@]}"; fi
}

for r in "${rts[@]}"; do
  name=${r%%=*}
  bin=$(realpath "${r#*=}")
  if [ "$kind" = seccomp ]; then
    bench_bundle "$base" "$name" seccomp '["/bin/true"]' "$base/tmp/template-seccomp.json"
  else
    bench_bundle "$base" "$name" run '["/bin/true"]'
  fi
  echo "== $name ($bin), $kind"
  invoke "$name" "$bin" warm >/dev/null

  invoke "$name" "$bin" c strace -f -c -o "$out/$name.syscalls.txt" >/dev/null
  total=$(awk '$NF == "total" {print $(NF-2) " syscalls, " $(NF-1) " failed"}' "$out/$name.syscalls.txt")
  echo "strace -c: $total; most frequent:"
  awk 'NR > 2 && $1 !~ /^-/ && $NF != "total" {n = NF == 6 ? $4 : $4; print $NF, $4}' "$out/$name.syscalls.txt" |
    sort -k2 -nr | head -12 | awk '{printf "  %-18s %s\n", $1, $2}'

  invoke "$name" "$bin" t strace -f -ttt -T -o "$out/$name.trace" >/dev/null
  echo "slowest syscalls (strace -T, s):"
  sed -n 's/^\([0-9]*\) *\([0-9.]*\) \(.*\) <\([0-9.]*\)>$/\4 \1 \3/p' "$out/$name.trace" | sort -nr | head -8 |
    awk '{l = $0; sub(/^[^ ]* [^ ]* /, "", l); printf "  %.4f pid %s %s\n", $1, $2, substr(l, 1, 90)}'
  echo "longest gaps between two syscalls of one process (user space, s):"
  awk '$3 ~ /^(\+\+\+|---)/ {next}
       {pid = $1; t = $2 + 0; d = 0; if (match($0, /<[0-9.]+>$/)) d = substr($0, RSTART + 1, RLENGTH - 2) + 0}
       $3 ~ /^<\.\.\./ {last[pid] = t; next}
       {if (pid in last) printf "%.4f pid %s before: %s\n", t - last[pid], pid, substr($0, index($0, $3), 80)}
       /<unfinished \.\.\.>$/ {delete last[pid]; next}
       {last[pid] = t + d}' "$out/$name.trace" | sort -nr | head -8 | sed 's/^/  /'
  first=$(head -1 "$out/$name.trace" | awk '{print $2}')
  lastt=$(tail -1 "$out/$name.trace" | awk '{print $2}')
  echo "traced wall time: $(awk -v a="$first" -v b="$lastt" 'BEGIN {printf "%.1f ms", (b - a) * 1000}') (strace slows every syscall)"

  if command -v perf >/dev/null; then
    i=0
    : > "$out/$name.perfstat.txt"
    for ((i = 0; i < runs; i++)); do
      invoke "$name" "$bin" "p$i" perf stat -x, -e task-clock,context-switches,page-faults,cpu-migrations \
        -o "$out/$name.perfstat.$i" >/dev/null
      cat "$out/$name.perfstat.$i" >> "$out/$name.perfstat.txt"
      rm "$out/$name.perfstat.$i"
    done
    echo "perf stat, median of $runs runs (all processes of the run, children included):"
    for ev in task-clock context-switches page-faults cpu-migrations; do
      grep ",$ev" "$out/$name.perfstat.txt" | cut -d, -f1 | sort -n |
        awk -v ev="$ev" '{v[NR] = $1} END {printf "  %-17s %s%s\n", ev, v[int((NR + 1) / 2)], ev == "task-clock" ? " ms" : ""}'
    done
  fi

  if [ "$name" = ocirt ] && command -v valgrind >/dev/null; then
    rm -f "$out"/callgrind.out.*
    if invoke "$name" "$bin" v valgrind --tool=callgrind --trace-children=no \
         --callgrind-out-file="$out/callgrind.out.%p" >/dev/null 2>"$out/valgrind.log"; then
      echo "callgrind (instructions, per process; callgrind_annotate $out/callgrind.out.*):"
      for f in "$out"/callgrind.out.*; do
        echo "  $(basename "$f"): $(grep -m1 '^summary:' "$f" | cut -d' ' -f2) Ir"
        callgrind_annotate --inclusive=no "$f" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -12 | sed 's/^/    /'
      done
    else
      echo "callgrind: did not run (see $out/valgrind.log)"
    fi
  fi
  echo
done
echo "files in $out"
