#!/usr/bin/env bash
# Installs the Debian 12 packages cordon builds and tests with, if any is missing.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  cmake g++ make pkg-config          # the build
  libcap-dev libmount-dev            # capabilities and mount tables (the sandbox issue links them)
  libyaml-cpp-dev libseccomp-dev     # policy parsing; syscall names and (later) filters
  libssl-dev                         # SHA-256 of Plans (libcrypto)
  nlohmann-json3-dev libcli11-dev    # JSON output, argv parsing
  doctest-dev python3 python3-yaml python3-jsonschema   # unit, CLI and schema tests
  util-linux procps passwd           # integration tests: runuser, unshare, pgrep, useradd
  git sqlite3 tar                    # real programs that must work under the default seccomp allowlist
  clang-14 libfuzzer-14-dev libclang-rt-14-dev          # the fuzz target
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
