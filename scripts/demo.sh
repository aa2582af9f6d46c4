#!/usr/bin/env bash
# `make demo`: real apps under cordon, then what cordon makes of a policy (README, first command).
set -uo pipefail
cordon=$1
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say cordon run shell -- -c '...'     "# a shell with nothing: its own root, pids, network, no capabilities"
"$cordon" run shell -- -c 'echo "hostname: $(hostname)   uid: $(id -u)   pid: $$"
echo "visible processes: $(ls -d /proc/[0-9]* | wc -l)"
echo "network interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " ")"
grep -E "CapEff|NoNewPrivs" /proc/self/status
echo "top level: $(ls / | tr "\n" " ")"
touch /usr/evil 2>&1 || true
ls /home/*/.ssh 2>&1 || true'
say cordon run counter "# keeps state in its own data directory, twice"
"$cordon" run counter
"$cordon" run counter
say cordon run notes "# sees a home read-only (the home plug); here a demo home, since root's apps are not host root and cannot read /root"
demo_home=$(mktemp -d /tmp/cordon-demo-home.XXXXXX)
chmod 755 "$demo_home"
echo "buy milk" > "$demo_home/todo.txt"
HOME="$demo_home" "$cordon" run notes | head -5
rm -rf "$demo_home"
say cordon run shell -- -c "'exit 3'"
"$cordon" run shell -- -c 'exit 3'; echo "exit status: $?"
say cordon explain fetch-url "# what an app gets, and from where (abridged)"
"$cordon" explain fetch-url | sed -n '1,40p'
say "cordon check on a policy with three mistakes"
bad=$(mktemp --suffix=.yaml)
trap 'rm -f "$bad"' EXIT
printf 'schema: 1\nname: Fetch\ncommand: [curl]\nplugs: [netwrok]\n' > "$bad"
"$cordon" check "$bad" || echo "(exit status $?: invalid, as expected)"
