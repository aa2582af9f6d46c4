#!/bin/bash
# Process and file tools: find/xargs -P, ps, kill, timeout, nohup, flock, mkfifo, /proc.
. "$(dirname "$0")/lib.sh"
step "find and xargs -P2"
mkdir -p t/a/b t/c && for i in $(seq 1 200); do echo "$i" > "t/$((i % 3)).$i"; done
[ "$(find t -type f | wc -l)" = 200 ] || fail "find count"
find t -type f -print0 | xargs -0 -P2 -n 20 grep -l '^1' | wc -l | grep -q . || fail xargs
step "ps sees the sandbox's processes"
sleep 30 & sl=$!
ps -eo pid,comm | grep -q "^ *$sl sleep" || fail "ps does not list the child"
step "kill and wait"
kill -TERM "$sl"; set +e; wait "$sl"; rc=$?; set -e; [ "$rc" = 143 ] || fail "wait status $rc"
step "timeout"
set +e; timeout 0.5 sleep 5; rc=$?; set -e; [ "$rc" = 124 ] || fail "timeout status $rc"
step "flock, mkfifo"
flock lockfile -c 'flock -n lockfile true' && fail "second flock got the lock" || true
mkfifo ff && (echo through > ff &) && [ "$(cat ff)" = through ] || fail fifo
step "nohup, nice, /proc/self"
nohup nice -n 5 true >/dev/null 2>&1 && [ -r /proc/self/status ] && grep -q '^Threads:' /proc/self/status
echo "ok: find, xargs, ps, kill, timeout, flock, fifos"
