#!/bin/sh
# Builds the seed corpus of the policy-loader fuzzer: every policy file the project ships or tests
# with, good and bad, one file each. Names keep their origin (examples__fetch-url.yaml) so that a
# finding can be traced back; libFuzzer ignores names.
#
#   tests/fuzz/make_seed_corpus.sh [OUT_DIR]     (default: build-fuzz/fuzz-seed)
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-"$src/build-fuzz/fuzz-seed"}

rm -rf "$out"
mkdir -p "$out"

count=0
for f in "$src"/examples/*.yaml \
         "$src"/policies/interfaces/*.yaml \
         "$src"/policies/syscall-sets.yaml \
         "$src"/tests/data/good/* \
         "$src"/tests/data/bad/* \
         "$src"/tests/data/bad-loader-only/* \
         "$src"/tests/data/interfaces-good/* \
         "$src"/tests/data/interfaces-bad/* \
         "$src"/tests/data/interfaces-bad-loader-only/* \
         "$src"/tests/data/hostile-regressions/*; do
  [ -f "$f" ] || continue   # an empty folder leaves its pattern unexpanded
  rel=${f#"$src"/}
  cp "$f" "$out/$(printf '%s' "$rel" | sed 's|/|__|g')"
  count=$((count + 1))
done

if [ "$count" -eq 0 ]; then
  echo "make_seed_corpus: no policy files found under $src" >&2
  exit 1
fi
echo "make_seed_corpus: $count files in $out"
