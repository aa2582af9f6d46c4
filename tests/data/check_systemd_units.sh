#!/bin/sh
# The refresh service and timer load cleanly in systemd (systemd-analyze verify): every key known,
# the timer pointing at the service, ExecStart an executable. Skips (77) without systemd-analyze.
# usage: check_systemd_units.sh SERVICE_FILE TIMER_FILE CORDON_BINARY
set -eu
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not installed (Debian: systemd)"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The installed unit names the installed cordon; here, the one just built.
sed "s|^ExecStart=[^ ]*|ExecStart=$3|" "$1" > "$dir/cordon-refresh.service"
cp "$2" "$dir/cordon-refresh.timer"
grep -q '^SuccessExitStatus=2$' "$dir/cordon-refresh.service"
grep -q '^RandomizedDelaySec=' "$dir/cordon-refresh.timer"
out=$(cd "$dir" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
        "$dir/cordon-refresh.timer" "$dir/cordon-refresh.service" 2>&1) || { echo "$out"; exit 1; }
# verify prints problems it does not count as failures (an unknown key is only a warning)
if [ -n "$out" ]; then echo "$out"; exit 1; fi
echo "ok: cordon-refresh.service and cordon-refresh.timer verify"
