#!/usr/bin/env bash
# Installs the Debian 12 packages cordon builds and tests with, if any is missing.
# Needs root (or sudo) only when something is missing. Only what the build links or a test runs:
# nothing links libcap or libmount (runtime/sandbox makes raw capset/prctl and mount syscalls, and
# the integration tests read /proc/self/mountinfo themselves), so neither is installed.
set -euo pipefail

packages=(
  cmake g++ make pkg-config          # the build
  libyaml-cpp-dev libseccomp-dev     # policy parsing; syscall names and (later) filters
  libssl-dev                         # SHA-256 of Plans, Ed25519 package signatures (libcrypto)
  libcurl4-openssl-dev               # update sources over http and https (headers; libcurl4 loaded at run time)
  openssl                            # the package tests make their vendor keys with it, as docs/packaging.md does
  nlohmann-json3-dev libcli11-dev    # JSON output, argv parsing
  doctest-dev python3 python3-yaml python3-jsonschema   # unit, CLI and schema tests
  util-linux procps passwd bsdutils  # integration tests: runuser, unshare, pgrep, useradd, script
  git sqlite3 tar                    # real programs that must work under the default seccomp allowlist
  xdg-dbus-proxy                     # the dbus plug's filtering proxy (run at launch)
  dbus-daemon dbus-bin dbus-tests    # the dbus tests' private bus, dbus-send and echo services
  groff-base man-db                  # the man pages are made at build time and rendered by a test
  dpkg-dev file                      # `make deb`: cpack's dependency list (dpkg-shlibdeps) and strip check
  clang-14 libfuzzer-14-dev libclang-rt-14-dev          # the fuzz target
)

exec "$(dirname "$0")/install-missing.sh" "${packages[@]}"
