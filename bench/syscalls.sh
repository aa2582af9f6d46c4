#!/usr/bin/env bash
# Per-syscall overhead of cordon's seccomp filter against a bare process and bwrap (which loads no
# filter of its own), all pinned to CPU 1 (docs/performance.md).
#
#   bench/syscalls.sh CORDON        e.g. bench/syscalls.sh build-ci/bin/cordon
set -euo pipefail
cordon=$(readlink -f "$1")
work=$(mktemp -d /tmp/cordon-sysbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
src=$(cd "$(dirname "$0")" && pwd)
cc -O2 -o "$work/syscall_cost" "$src/syscall_cost.c"
printf 'schema: 1\nname: bench-syscalls\ncommand: [%s/syscall_cost]\nfilesystem:\n  read-only: [%s]\n' "$work" "$work" > "$work/app.yaml"
echo "== bare";   taskset -c 1 "$work/syscall_cost"
echo "== cordon"; taskset -c 1 "$cordon" run "$work/app.yaml"
echo "== bwrap";  taskset -c 1 bwrap --unshare-all --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
  --ro-bind "$work" "$work" --proc /proc --dev /dev "$work/syscall_cost"
