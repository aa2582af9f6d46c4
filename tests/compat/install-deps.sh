#!/usr/bin/env bash
# Installs the Debian 12 packages the compatibility suite runs (tests/compat), if any is missing.
# The workloads are real programs, so each package here is one a workload exercises; the runners
# need bubblewrap (the reference) and runuser (the unprivileged mode).
set -euo pipefail

packages=(
  bubblewrap util-linux bsdutils      # the reference runner; runuser, setpriv; script (pty)
  python3 libpython3.11-testsuite     # CPython's own regression tests for Debian's python3.11
  gcc g++ make                        # compilers and build tools
  git                                 # version control
  tar gzip bzip2 xz-utils             # archives
  sqlite3                             # a database
  socat openssl curl                  # loopback TCP, TLS, HTTP
  perl procps findutils coreutils libc-bin   # fork/pipes, ps, find/xargs, sort, iconv
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "run as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
