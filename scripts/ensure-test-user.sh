#!/usr/bin/env bash
# The integration tests run every launch as root and as an unprivileged user with a home of its own
# (not nobody: unmapped files show as nobody's, which hides bugs). As root, create that user if it
# is missing; as anyone else, do nothing (the tests then run in the caller's own unprivileged mode
# and report the root mode as skipped).
set -euo pipefail
user=${CORDON_TEST_USER:-cordon-test}
[ "$(id -u)" -eq 0 ] || exit 0
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/sh "$user"
