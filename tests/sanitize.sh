#!/bin/bash
# The sanitizer pass: unit tests and the end-to-end files that drive the engine hardest, against
# an ASan+UBSan build, where any sanitizer report is a failure.
#
#   tests/sanitize.sh BUILD_DIR [BATS_FILE...]
#       BUILD_DIR: CC=clang meson setup BUILD_DIR -Db_sanitize=address,undefined -Db_lundef=false
#                  -Dtest_hooks=true   (gcc works too; clang's UBSan checks more)
#       default files: lifecycle, exec, hooks, faults, signals (those that exist)
#
# Every process (unit tests, ocirt, the container's init up to its execve, helpers) aborts on its
# first report, and writes it to a log directory instead of stderr, so that a report from a
# process whose stderr nobody reads (the init, teardown's delete) is still seen: each file left
# there counts as one failure and is printed. Leak checking is on everywhere: ocirt frees what it
# allocates, so no suppressions are needed.
#
# The container's init is instrumented too, from the clone to its execve, and needs nothing turned
# off: it inherits the runtime's shadow memory like any forked child, LSan never runs in it (it
# execs or _exits), and after execve the container runs uninstrumented code. One limit: a report
# made after pivot_root cannot reach the log directory (not in the container's root), so only its
# effect shows: the init aborts and create or start fails, which fails the test. Closing line as tests/run.sh's: "N passed, N failed,
# N skipped"; exit status 0 only when nothing failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: tests/sanitize.sh BUILD_DIR [BATS_FILE...]}
shift
if [ $# -gt 0 ]; then
  files=("$@")
else
  files=()
  for f in lifecycle exec hooks faults signals; do
    [ -e "$top/tests/bats/$f.bats" ] && files+=("$top/tests/bats/$f.bats")
  done
fi

logs=$(mktemp -d /tmp/ocirt-sanitize.XXXXXX)
chmod 1777 "$logs" # the rootless tests run ocirt as another user
trap 'rm -rf "$logs"' EXIT
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"

out=$(mktemp)
"$top/tests/run.sh" "$build" "${files[@]}" | tee "$out"
summary=$(tail -n 1 "$out")
rm -f "$out"
read -r passed _ failed _ skipped _ <<< "$summary"

# create, run and exec re-execute from a sealed memfd copy of the binary (CVE-2019-5736), which
# the symbolizer cannot open: name those frames from the build's ocirt (module offsets).
symbolize() {
  local line off
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ \(/memfd:ocirt\ \(deleted\)\+(0x[0-9a-f]+)\) ]]; then
      off=${BASH_REMATCH[1]}
      line="$line  $(addr2line -f -i -p -e "$build/ocirt" "$off" 2>/dev/null | tr '\n' ' ')"
    fi
    printf '%s\n' "$line"
  done
}

reports=0
for f in "$logs"/*; do
  [ -f "$f" ] || continue
  if [ ! -s "$f" ]; then
    # the runtime opens the file before its first byte: a process killed right then (faults.bats
    # and stress kill processes at random) leaves it empty. Nothing to show, not counted.
    echo "# empty report file $(basename "$f") (its process was killed before writing)"
    continue
  fi
  reports=$((reports + 1))
  echo "not ok - sanitizer report $(basename "$f") ($(stat -c %s "$f") bytes):"
  symbolize <"$f" | sed 's/^/#   /' | head -60
done
echo "# sanitizer reports: $reports"
failed=$((${failed:-1} + reports))
echo "${passed:-0} passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
