#!/bin/bash
# tar with gzip, bzip2 and xz (the compressors run as child processes, xz threaded), extraction
# with modes, times and links kept, and a byte-for-byte comparison.
. "$(dirname "$0")/lib.sh"
step "make a tree"
mkdir -p src/a/b src/c
for i in $(seq 1 50); do head -c $((i * 997)) /dev/urandom > "src/a/f$i"; done
seq 1 100000 > src/c/numbers; ln -s ../../c/numbers src/a/b/link; ln src/c/numbers src/c/hard
chmod 600 src/a/f1; touch -d 2001-02-03 src/a/f2
for z in gz:z bz2:j xz:J; do
  ext=${z%:*} flag=${z#*:}
  step "tar c$flag and extract"
  tar c${flag}f "t.tar.$ext" src
  rm -rf "x$ext" && mkdir "x$ext" && tar x${flag}f "t.tar.$ext" -C "x$ext"
  diff -r src "x$ext/src" || fail "$ext round trip differs"
  [ "$(stat -c %a "x$ext/src/a/f1")" = 600 ] || fail "$ext lost a mode"
  [ "$(stat -c %Y "x$ext/src/a/f2")" = "$(stat -c %Y src/a/f2)" ] || fail "$ext lost a time"
done
step "xz -T2, gzip -t, bzip2 -t"
xz -T2 -k src/c/numbers && xz -t src/c/numbers.xz
gzip -k src/c/numbers && gzip -t src/c/numbers.gz && bzip2 -k src/c/numbers && bzip2 -t src/c/numbers.bz2
step "tar through a pipe"
tar cf - src | (mkdir p && cd p && tar xpf -) && diff -r src p/src
echo "ok: tar with gzip, bzip2 and xz round trips"
