#!/bin/bash
# The whole test suite: C unit tests (meson) and the bats end-to-end files, one closing line
# "N passed, N failed, N skipped". Exit status 0 only when nothing failed.
#
#   tests/run.sh [BUILD_DIR] [BATS_FILE...]     (default build dir: build; default: every tests/bats/*.bats)
# Run as root: the end-to-end tests make namespaces, mounts and cgroups.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
# absolute, so that tests may cd (README: `tests/run.sh build`)
build=$(cd "$build" 2>/dev/null && pwd) || { echo "tests/run.sh: no build directory ${1:-$top/build}" >&2; exit 1; }
shift || true
export OCIRT="${OCIRT:-$build/ocirt}"

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_tap() { # count a TAP stream on stdin, echoing it
  while IFS= read -r line; do
    printf '%s\n' "$line"
    case "$line" in
      "ok "*"# skip"*|"ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
      "ok "*) passed=$((passed + 1)) ;;
      "not ok "*) failed=$((failed + 1)) ;;
    esac
  done
}

echo "== unit tests"
for exe in "$build"/tests/unit/test-*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  t=$(basename "$exe")
  echo "# $t"
  count_tap < <("$exe" 2>&1; echo "# exit $?") > "$log"
  cat "$log"
  if grep -q '^# exit [^0]' "$log" && ! grep -q '^not ok' "$log"; then
    echo "not ok - $t exited non-zero"
    failed=$((failed + 1))
  fi
done

echo "== end-to-end tests (bats)"
if [ $# -gt 0 ]; then
  files=("$@")
else
  files=()
  for f in "$top"/tests/bats/*.bats; do
    # Fault injection needs fault points, compiled only into -Dtest_hooks=true builds (the
    # sanitizer pass, tests/sanitize.sh, runs it): leave the file out rather than skip it.
    if [ "$(basename "$f")" = faults.bats ] && ! grep -q OCIRT_TEST_FAIL_AT "$OCIRT"; then
      echo "# faults.bats left out: $OCIRT has no fault points (build with -Dtest_hooks=true)"
      continue
    fi
    files+=("$f")
  done
fi
for f in "${files[@]}"; do
  [ -e "$f" ] || continue
  echo "# $(basename "$f")"
  count_tap < <(bats --tap "$f" 2>&1) > "$log"
  cat "$log"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
