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

exec "$(dirname "$0")/../../scripts/install-missing.sh" "${packages[@]}"
