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

exec "$(dirname "$0")/install-missing.sh" "${packages[@]}"
