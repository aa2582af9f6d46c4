#!/bin/bash
# script(1) runs a shell on a new pseudo-terminal: /dev/ptmx, the devpts, a controlling terminal,
# termios and job-control signals.
. "$(dirname "$0")/lib.sh"
step "script -c tty"
script -qec 'tty; stty -a | head -1; test -t 0 && echo isatty' typescript </dev/null > out.txt
grep -q '^/dev/pts/' out.txt || fail "no pts: $(head -1 out.txt)"
grep -q isatty out.txt || fail "stdin is not a terminal"
step "exit status through the pty"
set +e; script -qec 'exit 3' /dev/null </dev/null >/dev/null; rc=$?; set -e
[ "$rc" = 3 ] || fail "exit status $rc"
echo "ok: script on a pty"
