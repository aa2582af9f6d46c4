#!/bin/sh
# Runs a fuzzer (default: the policy loader's) for SECONDS (CI: 45, the policy loader and the package reader side by side) over its seed corpus, after
# replaying every saved regression once. Exits non-zero on any crash, sanitizer report, leak, timeout
# (1 s per input) or out-of-memory (2 GiB). Needs the fuzz build: `cmake --preset fuzz && cmake --build
# --preset fuzz`.
#
#   tests/fuzz/run_fuzz.sh SECONDS [FUZZER]
#
# FUZZER: fuzz_policy (seeds: make_seed_corpus.sh, dict yaml.dict, regressions in
# tests/data/hostile-regressions), fuzz_package (seeds: make_package_seeds.py, dict package.dict,
# regressions in tests/data/package-regressions) or fuzz_plan_cache (no seeds, no dict).
#
# Environment: CORDON_FUZZ_BUILD (default build-fuzz), CORDON_FUZZ_ARGS (extra libFuzzer flags,
# e.g. "-jobs=2 -workers=2" or "-seed=1").
# A finding is saved under BUILD/fuzz-artifacts[-SUFFIX]/; copy it to the fuzzer's regressions folder
# above when fixing it, so that this script (and, for the policy loader, tests/hostile) replays it
# from then on.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
  echo "usage: $0 SECONDS [FUZZER]" >&2
  exit 2
fi
seconds=$1
name=${2:-fuzz_policy}

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${CORDON_FUZZ_BUILD:-"$src/build-fuzz"}
# fuzz_policy keeps the unsuffixed paths it always had (CI keeps its artifacts by these names).
case "$name" in
  fuzz_policy) suffix=""; dict="$src/tests/fuzz/yaml.dict"; regress_dir="$src/tests/data/hostile-regressions" ;;
  fuzz_package) suffix="-package"; dict="$src/tests/fuzz/package.dict"; regress_dir="$src/tests/data/package-regressions" ;;
  fuzz_plan_cache) suffix="-plan-cache"; dict=""; regress_dir="" ;;
  *) echo "run_fuzz: unknown fuzzer '$name'; known: fuzz_policy, fuzz_package, fuzz_plan_cache" >&2; exit 2 ;;
esac
fuzzer="$build/bin/$name"
if [ ! -x "$fuzzer" ]; then
  echo "run_fuzz: $fuzzer not found; build it with: cmake --preset fuzz && cmake --build --preset fuzz --target $name" >&2
  exit 2
fi

seed="$build/fuzz-seed$suffix"
corpus="$build/fuzz-corpus$suffix"          # grows across local runs; CI starts from the seeds alone
artifacts="$build/fuzz-artifacts$suffix"
log="$build/fuzz$suffix.log"
case "$name" in
  fuzz_policy) "$src/tests/fuzz/make_seed_corpus.sh" "$seed" ;;
  fuzz_package) python3 "$src/tests/fuzz/make_package_seeds.py" "$seed" ;;
  *) rm -rf "$seed"; mkdir -p "$seed" ;;
esac
mkdir -p "$corpus" "$artifacts"
rm -f "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*

# Same limits for the replay and the run: a policy that takes a second to load is a finding.
limits="-timeout=1 -rss_limit_mb=2048 -max_len=65536"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# 1. Saved regressions, each input once (libFuzzer runs files given as arguments and exits).
regressions=""
if [ -n "$regress_dir" ]; then
  regressions=$(find "$regress_dir" -type f 2>/dev/null | sort || true)
fi
if [ -n "$regressions" ]; then
  # shellcheck disable=SC2086  # $limits and the file list split on purpose (names have no blanks)
  if ! "$fuzzer" $limits $regressions >"$build/fuzz-regressions$suffix.log" 2>&1; then
    tail -n 60 "$build/fuzz-regressions$suffix.log" >&2
    echo "run_fuzz: FAILED: a saved regression under $regress_dir still fails" >&2
    exit 1
  fi
  echo "run_fuzz: $(echo "$regressions" | wc -l) saved regressions pass"
fi

# 2. The timed run. libFuzzer itself exits non-zero on a crash, leak, timeout or OOM.
echo "run_fuzz: $name, fuzzing for ${seconds}s (log: $log)"
dict_arg=""
if [ -n "$dict" ]; then dict_arg="-dict=$dict"; fi
status=0
# shellcheck disable=SC2086  # $dict_arg is empty or one word
"$fuzzer" $limits -max_total_time="$seconds" $dict_arg \
  -artifact_prefix="$artifacts/" -print_final_stats=1 ${CORDON_FUZZ_ARGS:-} \
  "$corpus" "$seed" >"$log" 2>&1 || status=$?

grep -E '^(stat::|Done )' "$log" || true
findings=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
  tail -n 80 "$log" >&2
  echo "run_fuzz: FAILED (libFuzzer exit $status); inputs that failed:" >&2
  for f in $findings; do echo "  $f" >&2; done
  echo "run_fuzz: replay one with: $fuzzer $limits FILE" >&2
  exit 1
fi
echo "run_fuzz: $name: no findings in ${seconds}s"
