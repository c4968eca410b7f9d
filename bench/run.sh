#!/bin/bash
# ocirt's benchmark against runc, crun and the kernel floor (bench/floor.c). Not part of the tests.
#
#   bench/run.sh [options]
#     --build-dir DIR     build ocirt (release) there; default build-bench
#     --ocirt PATH        use this ocirt binary instead of building one
#     --runtimes LIST     default floor,floor+cg,crun,runc,ocirt
#     --scenarios LIST    default 0,1,2,3,4,5,6 (see docs/performance.md)
#     --runs N            trials per scenario and runtime, default 100
#     --warmup N          untimed runs first (the first is the probe), default 3
#     --scale N           containers in scenario 5, default 200
#     --scale-rounds N    default 3
#     --out DIR           raw results and tables; default BUILD_DIR/bench-results/DATE
#     --with NAME=PATH    also measure this OCI runtime binary (repeatable): A/B of an ocirt change
#     --gap MS            idle time before each trial (default 0); see docs/performance.md
#     --no-tmpfs          keep /run/ocirt-bench-PID on the host's /run file system
#     --no-install        do not apt-get install what is missing
#
# Needs root. Installs what is missing (runc, crun, busybox-static, jq, the build tools), builds
# ocirt, the floor and the driver, makes the bundles under /run/ocirt-bench-PID, runs the driver
# (bench/lib/driver.c: runtimes take turns, every exit status checked) and prints the table.
# Everything it makes (containers, cgroups /sys/fs/cgroup/*/ocirt-bench-PID, state) is removed at
# the end, also on Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BENCH_DIR=$here TOP=$top
. "$here/lib/setup.sh"
build=$top/build-bench
ocirt=
runtimes=floor,floor+cg,crun,runc,ocirt
scenarios=0,1,2,3,4,5,6
runs=100
warmup=3
scale=200
scale_rounds=3
out=
install=1
extra=()
gap=0
tmpfs=1

while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$(realpath -m "$2"); shift ;;
    --ocirt) ocirt=$(realpath "$2"); shift ;;
    --runtimes) runtimes=$2; shift ;;
    --scenarios) scenarios=$2; shift ;;
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --scale) scale=$2; shift ;;
    --scale-rounds) scale_rounds=$2; shift ;;
    --out) out=$(realpath -m "$2"); shift ;;
    --with) extra+=("$2"); shift ;;
    --gap) gap=$2; shift ;;
    --no-tmpfs) tmpfs=0 ;;
    --no-install) install=0 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "$0: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || { echo "$0: needs root (containers, cgroups, mounts)" >&2; exit 1; }
has() { case ",$runtimes," in *",$1,"*) return 0 ;; esac; return 1; }

# --- what it needs --------------------------------------------------------------------------
need=(jq busybox-static gcc libc6-dev pkg-config libseccomp-dev)
has runc && need+=(runc)
has crun && need+=(crun)
has ocirt && [ -z "$ocirt" ] && need+=(meson ninja-build libyajl-dev libcap-dev)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$install" = 1 ] || { echo "$0: missing packages: ${missing[*]}" >&2; exit 1; }
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

# --- builds -------------------------------------------------------------------------------
mkdir -p "$build"
if has ocirt && [ -z "$ocirt" ]; then
  if [ -f "$build/build.ninja" ]; then
    meson configure "$build" -Dbuildtype=release >/dev/null
  else
    meson setup "$build" "$top" --buildtype=release >/dev/null
  fi
  ninja -C "$build" ocirt >/dev/null
  ocirt=$build/ocirt
fi
tools=$build/bench-tools
bench_tools "$tools"

# --- the run's directory and its cleanup ----------------------------------------------------
base=/run/ocirt-bench-$$
cleanup() {
  trap - EXIT INT TERM
  "$here/lib/cleanup.sh" "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$base"
# State roots on tmpfs, as /run is on a usual host (here /run may be a disk: fsync would cost).
[ "$tmpfs" = 1 ] && mount -t tmpfs -o mode=0755 ocirt-bench "$base"
mkdir -p "$base/tmp" "$base/state" "$base/bundles"

declare -A bin
bin[runc]=$(command -v runc || true)
bin[crun]=$(command -v crun || true)
bin[ocirt]=$ocirt
driver_args=()
: > "$base/runtimes"
for rt in ${runtimes//,/ }; do
  case $rt in
    floor) driver_args+=(--floor "$tools/floor") ;;
    floor+cg) driver_args+=(--floor-cg "$tools/floor") ;;
    runc|crun|ocirt)
      [ -x "${bin[$rt]}" ] || { echo "$0: no $rt binary" >&2; exit 1; }
      echo "$rt=${bin[$rt]}" >> "$base/runtimes"
      opt=
      [ "$rt" = crun ] && opt=,hide-cgroup2
      driver_args+=(--runtime "$rt=${bin[$rt]}$opt") ;;
    *) echo "$0: unknown runtime $rt (floor, floor+cg, crun, runc, ocirt; others with --with NAME=PATH)" >&2; exit 2 ;;
  esac
done
for e in ${extra[@]+"${extra[@]}"}; do
  rt=${e%%=*}
  bin[$rt]=$(realpath "${e#*=}")
  runtimes=$runtimes,$rt
  echo "$rt=${bin[$rt]}" >> "$base/runtimes"
  driver_args+=(--runtime "$rt=${bin[$rt]}")
done

# --- rootfs, bundles, seccomp filter ----------------------------------------------------------
if has ocirt; then bench_templates "$base" "$ocirt" "$tools"; else bench_templates "$base" runc "$tools"; fi
for rt in ${runtimes//,/ }; do
  case $rt in floor*) continue ;; esac
  bench_bundle "$base" "$rt" run '["/bin/true"]'
  bench_bundle "$base" "$rt" csd '["/bin/true"]'
  bench_bundle "$base" "$rt" exec '["/bin/sleep","1000000"]'
  bench_bundle "$base" "$rt" seccomp '["/bin/true"]' "$base/tmp/template-seccomp.json"
  if [[ ",$scenarios," == *,5,* ]]; then
    for ((i = 0; i < scale; i++)); do
      bench_bundle "$base" "$rt" "scale-$i" '["/bin/sleep","1000000"]'
    done
  fi
done

# --- the machine and the versions -----------------------------------------------------------
[ -n "$out" ] || out=$build/bench-results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
{
  echo "date: $(date -Is)"
  echo "kernel: $(uname -r)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cgroups: $(stat -fc %T /sys/fs/cgroup)$( [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && echo ' + cgroup2 at /sys/fs/cgroup/unified (hybrid)')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs: $runs, warm-up: $warmup, gap: $gap ms, scale: $scale x $scale_rounds rounds, scenarios: $scenarios"
  echo "state roots and bundles: $base on $(stat -fc %T "$base")"
  for rt in ${runtimes//,/ }; do
    case $rt in floor*) continue ;; esac
    echo "$rt: $("${bin[$rt]}" --version | sed -n '1p; s/^commit: */commit /p' | paste -sd, -) (${bin[$rt]})"
  done
  echo "floor: bench/floor.c, static, gcc -O2"
} > "$out/env.txt"
cat "$out/env.txt"
echo

"$tools/driver" --base "$base" --out "$out" --runs "$runs" --warmup "$warmup" --scale "$scale" \
  --scale-rounds "$scale_rounds" --scenarios "$scenarios" --gap "$gap" "${driver_args[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"
cat "$out/table.txt"
echo
echo "raw samples: $out/raw.tsv; tables: $out/table.txt, $out/table.md; machine: $out/env.txt"
