#!/bin/sh
# `cmake --install` into a temporary prefix: the binary, the data cordon reads, the documentation
# (examples as documentation, not as apps), man pages and completion, where Debian's tools look.
# usage: check_install_layout.sh BUILD_DIR
set -u
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null || { echo "FAIL cmake --install"; exit 1; }
status=0
for f in bin/cordon share/cordon/syscall-sets.yaml share/cordon/interfaces/network.yaml \
         share/cordon/schema/app.schema.json share/doc/cordon/LICENSE share/doc/cordon/README.md \
         share/doc/cordon/policy-reference.md share/doc/cordon/examples/notes.yaml \
         share/doc/cordon/examples/systemd/web-ui.service share/man/man1/cordon.1 share/man/man5/cordon-policy.5 \
         share/bash-completion/completions/cordon lib/systemd/system/cordon-refresh.timer; do
  if [ -e "$prefix/$f" ]; then echo "ok   $f"; else echo "FAIL $f is not installed"; status=1; fi
done
if [ -e "$prefix/share/cordon/apps" ]; then echo "FAIL the examples are installed as apps (share/cordon/apps)"; status=1
else echo "ok   no example is installed as an app"; fi
exit $status
