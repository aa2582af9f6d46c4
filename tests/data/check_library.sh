#!/bin/sh
# libcordon as a packaging tool gets it: `cmake --install` into a temporary prefix, the example
# examples/library/launch.cc built against the installed header and pkg-config file, then run:
# it launches an app confined from a thread that exits at once, and the app runs to its end and
# its status comes back. Killing the caller's process takes the sandbox with it. The control: on
# this kernel a child tied to a thread by PR_SET_PDEATHSIG dies when that thread exits (the hazard
# launch() avoids).
# usage: check_library.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
chmod 755 "$prefix"
status=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; status=1; }

cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAIL cmake --install"; exit 1; }
for f in include/cordon/cordon.h lib/libcordon.a lib/pkgconfig/cordon.pc; do
  [ -e "$prefix/$f" ] && ok "installed $f" || bad "$f is not installed"
done
example=$prefix/bin/cordon-launch-example
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
if g++ -std=c++20 -o "$example" "$source/examples/library/launch.cc" $(pkg-config --cflags --libs cordon) 2>"$prefix/cc.log"; then
  ok "the example builds with \$(pkg-config --cflags --libs cordon)"
else
  cat "$prefix/cc.log"; echo "FAIL the example does not build against the installed library"; exit 1
fi

policy=$prefix/lib-check-shell.yaml
sed 's/^name: shell$/name: lib-check-shell/' "$source/examples/shell.yaml" >"$policy"
out=$("$example" "$policy" -c 'sleep 0.5; echo "in the sandbox: $(grep NoNewPrivs /proc/self/status | tr -d "\t")"; exit 7' 2>&1)
rc=$?
case $out in
  *"launching thread has exited"*"in the sandbox: NoNewPrivs:1"*"exited with status 7"*)
    [ $rc -eq 7 ] && ok "launched from a thread that exited, the app ran confined to its end (status 7)" \
                  || bad "the example exited $rc, not 7: $out" ;;
  *) bad "the app did not run to its end after the launching thread exited (rc $rc): $out" ;;
esac

# Launch after launch ends: the supervisor once watched its caller from a thread, and a child it
# cloned without glibc's fork handlers could inherit a lock held there and wait forever.
hung=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
  timeout 20 "$example" "$policy" -c true >/dev/null 2>&1 || hung=$((hung + 1))
done
[ $hung -eq 0 ] && ok "25 launches in a row each ended" || bad "$hung of 25 launches did not end (or failed)"

# The caller's process is killed: its sandbox goes too. The sandboxed `sleep MARKER` is matched from
# the start of its command line: the caller's own (and its forked worker's) holds the same words.
marker=31.4159$$
"$example" --abandon "$policy" -c "sleep $marker" >/dev/null 2>&1 &
caller=$!
i=0; while [ $i -lt 50 ] && ! pgrep -f "^sleep $marker" >/dev/null; do sleep 0.1; i=$((i + 1)); done
if pgrep -f "^sleep $marker" >/dev/null; then
  ok "control: the abandoned app is running"
  kill -KILL $caller; wait $caller 2>/dev/null
  i=0; while [ $i -lt 50 ] && pgrep -f "^sleep $marker" >/dev/null; do sleep 0.1; i=$((i + 1)); done
  if pgrep -f "^sleep $marker" >/dev/null; then bad "the sandbox outlived its caller's process"; pkill -KILL -f "^sleep $marker"
  else ok "killing the caller's process ended its sandbox"; fi
else
  bad "the abandoned app never started"; kill -KILL $caller 2>/dev/null
fi

# The same with a worker the caller forked (without exec) living on: the sandbox still ends with
# the caller, not with the last copy of the caller's descriptors.
marker=27.1828$$
"$example" --abandon-forked "$policy" -c "sleep $marker" >/dev/null 2>&1 &
caller=$!
i=0; while [ $i -lt 50 ] && ! pgrep -f "^sleep $marker" >/dev/null; do sleep 0.1; i=$((i + 1)); done
pgrep -f "^sleep $marker" >/dev/null || bad "control: the app under a forking caller never started"
sleep 0.3  # the worker is forked as soon as launch() returns
[ "$(pgrep -c -P $caller)" -ge 2 ] || bad "control: the caller forked no worker beside the supervisor"
kill -KILL $caller; wait $caller 2>/dev/null
i=0; while [ $i -lt 50 ] && pgrep -f "^sleep $marker" >/dev/null; do sleep 0.1; i=$((i + 1)); done
if pgrep -f "^sleep $marker" >/dev/null; then bad "the sandbox outlived its caller while a forked worker lived"; pkill -KILL -f "^sleep $marker"
else ok "killing the caller ended its sandbox though a forked worker lives on"; fi
pkill -KILL -f "cordon-launch-example --abandon-forked" 2>/dev/null

# A tool outside the prefix's bin/ finds the data through CORDON_DATA_DIR (docs/library.md).
cp "$example" "$prefix/elsewhere-example"
out=$(CORDON_DATA_DIR=$(pkg-config --variable=datadir cordon) "$prefix/elsewhere-example" "$policy" -c 'exit 3' 2>&1)
rc=$?
[ $rc -eq 3 ] && ok "outside bin/, CORDON_DATA_DIR=\$(pkg-config --variable=datadir cordon) finds the data" \
              || bad "a tool outside bin/ with CORDON_DATA_DIR: exit $rc: $out"

# Control: the kernel's parent-death signal follows the thread, not the process.
if python3 - <<'PY'
import ctypes, os, signal, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
box = {}
def start():
    box["p"] = subprocess.Popen(["sleep", "5"], preexec_fn=lambda: libc.prctl(1, signal.SIGKILL))  # PR_SET_PDEATHSIG
t = threading.Thread(target=start); t.start(); t.join()
sys.exit(0 if box["p"].wait() == -signal.SIGKILL else 1)
PY
then ok "control: a child tied by PR_SET_PDEATHSIG to a thread dies when the thread exits"
else bad "control: PR_SET_PDEATHSIG did not fire on the thread's exit (the test cannot tell launch() apart)"; fi

"$example" --help >/dev/null 2>&1  # (usage only)
"$prefix/bin/cordon" forget lib-check-shell --yes >/dev/null || bad "cordon forget lib-check-shell"
exit $status
