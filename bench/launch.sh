#!/usr/bin/env bash
# Launch latency of `cordon run` against bwrap with the equivalent setup, and a bare exec, in one
# hyperfine run, as root and as an unprivileged user; prints the ratios (docs/performance.md).
#
#   bench/launch.sh CORDON [RUNS]        e.g. bench/launch.sh build-ci/bin/cordon 300
#
# The typical app is base + home running /bin/true. bwrap gets what cordon's Plan sets up for it:
# every namespace, the read-only system dirs and home, private /tmp /run /var/tmp, /proc, /dev,
# no capabilities, a new session, die-with-parent. Needs hyperfine and bubblewrap (Debian).
set -euo pipefail
cordon=$(readlink -f "$1")
runs=${2:-200}
user=${CORDON_TEST_USER:-cordon-test}
work=$(mktemp -d /tmp/cordon-bench.XXXXXX)
# The bench app's name belongs to this run's policy file (app_origin.h): given back at the end, with
# its data, so the next run (of another build, say) may use it.
forget_bench_app() {
  rm -rf "$work" /var/lib/cordon/origins/bench-typical /var/lib/cordon/data/bench-typical
  if id "$user" >/dev/null 2>&1; then
    local home; home=$(getent passwd "$user" | cut -d: -f6)
    rm -rf "$home/.local/share/cordon/origins/bench-typical" "$home/.local/share/cordon/data/bench-typical"
  fi
}
trap forget_bench_app EXIT
chmod 755 "$work"
mkdir -p "$work/bin" "$work/share/cordon"
cp "$cordon" "$work/bin/cordon"
src=$(cd "$(dirname "$0")/.." && pwd)
cp -r "$src/policies/interfaces" "$src/policies/syscall-sets.yaml" "$work/share/cordon/"
cat > "$work/typical.yaml" <<'YAML'
schema: 1
name: bench-typical
command: [/bin/true]
plugs: [home]
YAML
chmod -R a+rX "$work"

bwrap_cmd() {  # $1 = home directory
  local a="bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL"
  a+=" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin --symlink usr/lib /lib"
  a+=" --symlink usr/lib64 /lib64 --ro-bind /etc /etc --ro-bind $1 $1 --proc /proc --dev /dev"
  a+=" --tmpfs /tmp --tmpfs /run --tmpfs /var/tmp /bin/true"
  echo "$a"
}

run_as() {  # $1 = label, $2 = prefix that switches user ("" for the caller), $3 = home
  local prefix=$2 home=$3
  echo "== $1"
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/$1.json" \
    -n bare "$prefix /bin/true" \
    -n cordon "$prefix $work/bin/cordon run $work/typical.yaml" \
    -n bwrap "$prefix $(bwrap_cmd "$home")" >/dev/null
  python3 - "$work/$1.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in r.items()}
for k in ("bare", "cordon", "bwrap"):
    print(f"  {k:7s} median {med[k]:7.2f} ms   mean {r[k]['mean']*1000:7.2f} ms ± {r[k]['stddev']*1000:5.2f}")
print(f"  cordon / bwrap = {med['cordon'] / med['bwrap']:.2f}   cordon / bare = {med['cordon'] / med['bare']:.1f}   bwrap / bare = {med['bwrap'] / med['bare']:.1f}")
PY
}

run_as root "" "/root"
if [ "$(id -u)" -eq 0 ] && id "$user" >/dev/null 2>&1; then
  home=$(getent passwd "$user" | cut -d: -f6)
  uid=$(id -u "$user"); gid=$(id -g "$user")
  # setpriv itself costs ~2 ms; it is in every row, so the ratios still compare the launchers.
  run_as unprivileged "setpriv --reuid=$uid --regid=$gid --clear-groups env -i HOME=$home PATH=/usr/bin:/bin" "$home"
else
  echo "== unprivileged: skipped (run as root with a user $user)"
fi

# Cold against warm, as root: a cold launch resolves the Plan from YAML and compiles the seccomp
# filter with libseccomp; a warm one reads both from the caches. Only the filter cold: the Plan is
# cached but the filter must be compiled.
echo "== cold vs warm (root)"
cache=/var/cache/cordon
hyperfine -N --warmup 5 --runs "$(( runs / 4 + 10 ))" --export-json "$work/cold.json" \
  --prepare true --prepare "rm -rf $cache/filters" --prepare "rm -rf $cache/plans $cache/filters" \
  -n warm "$work/bin/cordon run $work/typical.yaml" \
  -n "filter cold" "$work/bin/cordon run $work/typical.yaml" \
  -n "all cold" "$work/bin/cordon run $work/typical.yaml" >/dev/null
python3 - "$work/cold.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"  {r['command']:12s} median {r['median'] * 1000:7.2f} ms")
PY
