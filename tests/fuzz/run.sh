#!/bin/bash
# Runs the libFuzzer targets of a -Dfuzz=true build, each for SECONDS (default 60), from a corpus
# seeded with the spec's schema tests, the project's fixtures and golden files.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]        (build: CC=clang meson setup BUILD_DIR
#                                                             -Dfuzz=true -Db_sanitize=address,undefined)
# Prints one line per target ("fuzz-spec: 1234567 runs in 60 s, ok"); a crash, leak, sanitizer
# report or timeout stops that target, keeps the input under BUILD_DIR/fuzz-artifacts/ and makes
# the exit status 1. The corpus is kept in BUILD_DIR/fuzz-corpus/TARGET, so a longer run by hand
# goes on from where CI stopped:  tests/fuzz/run.sh build-fuzz 3600 fuzz-spec
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}" && pwd) || exit 1
secs=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-spec fuzz-process fuzz-state fuzz-mount-options fuzz-resources)
spec_tests=$top/../shared/oci-runtime-spec/schema/test
corpus=$build/fuzz-corpus
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

# Every config.json we have: the spec's schema tests, our fixtures (good and bad), ocirt's default.
configs() {
  find "$spec_tests/config" "$top/tests/fixtures/config" -name '*.json' 2>/dev/null
  echo "$build/fuzz-default-config.json"
}

seed() { # seed TARGET: fills $corpus/TARGET once (later runs reuse and grow it)
  local t=$1 dir=$corpus/$1 f n=0
  [ -d "$dir" ] && return 0
  mkdir -p "$dir"
  "$build/ocirt" spec --bundle "$build" 2>/dev/null && mv "$build/config.json" "$build/fuzz-default-config.json"
  case $t in
    fuzz-spec)
      for f in $(configs); do cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"; done ;;
    fuzz-process)
      for f in $(configs); do
        jq -e '.process' "$f" > "$dir/p$((n += 1))" 2>/dev/null || rm -f "$dir/p$n"
      done ;;
    fuzz-state)
      for f in "$top"/tests/golden/state*.json "$spec_tests"/state/*/*.json; do
        [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-16)"
      done ;;
    fuzz-mount-options)
      for f in $(configs); do
        jq -r '.mounts[]?.options // empty | .[]?' "$f" 2>/dev/null > "$dir/m$((n += 1))" || true
      done ;;
    fuzz-resources)
      for f in $(configs); do
        jq -e '.linux.resources' "$f" > "$dir/r$((n += 1))" 2>/dev/null || rm -f "$dir/r$n"
      done ;;
  esac
  find "$dir" -type f -empty -delete
}

# Sanitizer reports are findings: abort on the first one; leaks are checked after each input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
  exe=$build/tests/fuzz/$t
  [ -x "$exe" ] || { echo "$t: not built (configure with -Dfuzz=true)"; status=1; continue; }
  seed "$t"
  log=$build/fuzz-$t.log
  "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$corpus/$t" > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | head -1)
  if [ "$rc" -eq 0 ]; then
    echo "$t: ${runs:-?} runs in $secs s, $(ls "$corpus/$t" | wc -l) corpus files, ok"
  else
    echo "$t: FAILED (exit $rc) after ${runs:-?} runs; input kept in $artifacts/, log $log:"
    grep -E -m1 -A25 '^==[0-9]+== ?ERROR|runtime error' "$log"
    status=1
  fi
done
exit $status
