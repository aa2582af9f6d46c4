#!/bin/sh
# Runs the policy-loader fuzzer for SECONDS (CI: 60) over the seed corpus, after replaying every saved
# regression once. Exits non-zero on any crash, sanitizer report, leak, timeout (1 s per input) or
# out-of-memory (2 GiB). Needs the fuzz build: `cmake --preset fuzz && cmake --build --preset fuzz`.
#
#   tests/fuzz/run_fuzz.sh SECONDS
#
# Environment: CORDON_FUZZ_BUILD (default build-fuzz), CORDON_FUZZ_ARGS (extra libFuzzer flags,
# e.g. "-jobs=2 -workers=2" or "-seed=1").
# A finding is saved under BUILD/fuzz-artifacts/; copy it to tests/data/hostile-regressions/ when
# fixing it, so that this script and tests/hostile replay it from then on.
set -eu

if [ $# -ne 1 ] || ! [ "$1" -gt 0 ] 2>/dev/null; then
  echo "usage: $0 SECONDS" >&2
  exit 2
fi
seconds=$1

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${CORDON_FUZZ_BUILD:-"$src/build-fuzz"}
fuzzer="$build/bin/fuzz_policy"
if [ ! -x "$fuzzer" ]; then
  echo "run_fuzz: $fuzzer not found; build it with: cmake --preset fuzz && cmake --build --preset fuzz" >&2
  exit 2
fi

seed="$build/fuzz-seed"
corpus="$build/fuzz-corpus"          # grows across local runs; CI starts from the seeds alone
artifacts="$build/fuzz-artifacts"
log="$build/fuzz.log"
"$src/tests/fuzz/make_seed_corpus.sh" "$seed"
mkdir -p "$corpus" "$artifacts"
rm -f "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*

# Same limits for the replay and the run: a policy that takes a second to load is a finding.
limits="-timeout=1 -rss_limit_mb=2048 -max_len=65536"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# 1. Saved regressions, each input once (libFuzzer runs files given as arguments and exits).
regressions=$(find "$src/tests/data/hostile-regressions" -type f 2>/dev/null | sort || true)
if [ -n "$regressions" ]; then
  # shellcheck disable=SC2086  # $limits and the file list split on purpose (names have no blanks)
  if ! "$fuzzer" $limits $regressions >"$build/fuzz-regressions.log" 2>&1; then
    tail -n 60 "$build/fuzz-regressions.log" >&2
    echo "run_fuzz: FAILED: a saved regression under tests/data/hostile-regressions still fails" >&2
    exit 1
  fi
  echo "run_fuzz: $(echo "$regressions" | wc -l) saved regressions pass"
fi

# 2. The timed run. libFuzzer itself exits non-zero on a crash, leak, timeout or OOM.
echo "run_fuzz: fuzzing for ${seconds}s (log: $log)"
status=0
# shellcheck disable=SC2086
"$fuzzer" $limits -max_total_time="$seconds" -dict="$src/tests/fuzz/yaml.dict" \
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
echo "run_fuzz: no findings in ${seconds}s"
