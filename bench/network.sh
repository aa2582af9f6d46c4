#!/usr/bin/env bash
# What the network plug's brokered sockets cost (docs/performance.md "The network plug"): the
# median µs of one socket(AF_INET, SOCK_DGRAM) + close outside, and under cordon with the plug as
# root (sockets made by a helper thread with the app's credentials) and as a user (made inline).
#
#   bench/network.sh CORDON [CALLS]        e.g. bench/network.sh build-ci/bin/cordon 20000
set -euo pipefail
cordon=$(readlink -f "$1")
calls=${2:-20000}
user=${CORDON_TEST_USER:-cordon-test}
work=$(mktemp -d /tmp/cordon-bench-net.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/share/cordon"
cp "$cordon" "$work/bin/cordon"
src=$(cd "$(dirname "$0")/.." && pwd)
cp -r "$src/policies/interfaces" "$src/policies/syscall-sets.yaml" "$work/share/cordon/"
cc -O2 -o "$work/socket_cost" "$src/bench/socket_cost.c"
cat > "$work/net.yaml" <<YAML
schema: 1
name: bench-socket
command: [$work/socket_cost, "$calls"]
filesystem:
  read-only: [$work]
plugs: [network]
YAML
chmod -R a+rX "$work"
echo "outside:        $("$work/socket_cost" "$calls")"
echo "cordon (root):  $("$work/bin/cordon" run "$work/net.yaml")"
echo "cordon --quiet: $("$work/bin/cordon" run --quiet "$work/net.yaml")"
if [ "$(id -u)" -eq 0 ] && id "$user" >/dev/null 2>&1; then
  echo "cordon ($user): $(runuser -u "$user" -- "$work/bin/cordon" run "$work/net.yaml")"
fi
