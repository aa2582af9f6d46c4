# Sourced by every shell workload. Each step says what it does before doing it, so the last line of
# a failed run names the step that failed (run_compat.py reports that line as the reason).
set -eu
step() { echo "step: $*"; }
fail() { echo "FAILED: $*"; exit 1; }
# Background servers end with the workload: unconfined, no pid namespace ends them for us.
cleanup() { kill $(jobs -p) 2>/dev/null || true; }
trap cleanup EXIT
# A loopback port from the workload's name and the user: unconfined runs share the host's network,
# so two workloads, or root's and the user's run of one, must not pick the same port.
port_for() { echo $(( 20000 + ($(printf '%s' "$1" | cksum | cut -d' ' -f1) + $(id -u)) % 20000 )); }
# Waits until a TCP port on 127.0.0.1 accepts (a server started in the background).
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on 127.0.0.1:$1"
}
