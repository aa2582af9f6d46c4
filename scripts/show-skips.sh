#!/usr/bin/env bash
# ctest 3.25 marks a skipped test "***Skipped" but never prints why; each integration test prints
# its reason ("SKIP NAME [MODE]: REASON"), which ctest keeps in its log. Print those lines, so a
# skip is seen with its reason right after the run.
log=$1/Testing/Temporary/LastTest.log
[ -f "$log" ] || exit 0
skips=$(grep -E '^(SKIP) ' "$log")
[ -n "$skips" ] || exit 0
echo "skipped, and why (from $log):"
printf '%s\n' "$skips" | sed 's/^SKIP /  /'
