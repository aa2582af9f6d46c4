#!/usr/bin/env bash
# ctest hides a passing test's output; the integration tests' skips and summary must stay visible.
log=$1/Testing/Temporary/LastTest.log
[ -f "$log" ] || exit 0
echo "integration tests (from $log):"
grep -E '^(SKIP|FAIL) |^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | sed 's/^/  /'
