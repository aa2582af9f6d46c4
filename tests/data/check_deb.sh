#!/bin/sh
# `make deb`'s package, installed the way a device would get it: cpack makes the .deb from the
# build, `dpkg -x` unpacks it into a temporary root, and the cordon in there runs an installed
# example confined, as root and as the test user. Also: the package's files and dependencies, the
# examples' schema links, and that the packaged cordon ignores the test seams (the build's honours
# them: the control).
# usage: check_deb.sh BUILD_DIR [TEST_USER]
set -u
build=$(cd "$1" && pwd)
user=${2:-}
command -v dpkg-deb >/dev/null || { echo "SKIP dpkg-deb is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
status=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; status=1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; echo "FAIL cpack"; exit 1; }
deb=$(ls "$work"/out/cordon_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { cat "$work/cpack.log"; echo "FAIL no .deb was made"; exit 1; }
ok "made $(basename "$deb")"

depends=$(dpkg-deb -f "$deb" Depends)
case $depends in *libc6*) ok "Depends: $depends" ;; *) bad "Depends names no libc6: '$depends'" ;; esac
recommends=$(dpkg-deb -f "$deb" Recommends)
case $recommends in *libcurl4*xdg-dbus-proxy*) ok "Recommends: $recommends" ;; *) bad "Recommends: '$recommends'" ;; esac

root=$work/root
dpkg -x "$deb" "$root" || { echo "FAIL dpkg -x"; exit 1; }
for f in usr/bin/cordon usr/share/cordon/syscall-sets.yaml usr/share/cordon/interfaces/base.yaml \
         usr/share/cordon/schema/app.schema.json usr/share/doc/cordon/copyright \
         usr/share/doc/cordon/examples/shell.yaml usr/share/man/man1/cordon.1 usr/share/man/man5/cordon-policy.5 \
         usr/share/bash-completion/completions/cordon usr/lib/systemd/system/cordon-refresh.service; do
  if [ -e "$root/$f" ]; then ok "/$f"; else bad "/$f is not in the package"; fi
done
[ -e "$root/usr/share/cordon/apps" ] && bad "the examples are packaged as apps"
[ -e "$root/usr/lib/libcordon.a" ] && bad "the development files (libcordon.a) are in the runtime package"
grep -q "ExecStart=/usr/bin/cordon " "$root/usr/lib/systemd/system/cordon-refresh.service" \
  && ok "the refresh service runs /usr/bin/cordon" || bad "the refresh service names another cordon"
if file "$root/usr/bin/cordon" | grep -q "not stripped"; then bad "/usr/bin/cordon is not stripped"; else ok "/usr/bin/cordon is stripped"; fi

# An editor finds the schema an installed example names.
schema=$(sed -n 's/^# yaml-language-server: \$schema=//p' "$root/usr/share/doc/cordon/examples/shell.yaml")
case $schema in
  /usr/share/cordon/schema/app.schema.json) ok "the installed example names the installed schema" ;;
  *) bad "the installed example names the schema '$schema'" ;;
esac

cordon=$root/usr/bin/cordon
# As a user would take an example: a copy, under a name of its own (`shell` is the build tree's app).
example=$work/deb-check-shell.yaml
sed 's/^name: shell$/name: deb-check-shell/' "$root/usr/share/doc/cordon/examples/shell.yaml" >"$example"
chmod 644 "$example"
probe='echo "uid=$(id -u) $(grep NoNewPrivs /proc/self/status | tr -d "\t") pids=$(ls -d /proc/[0-9]* | wc -l)"; touch /usr/x 2>/dev/null && echo WROTE-USR'
confined() {  # who, output
  case $2 in
    *NoNewPrivs:1*WROTE-USR*|*WROTE-USR*) bad "$1: the example wrote to /usr: $2" ;;
    *NoNewPrivs:1*) ok "$1: the packaged cordon ran the installed example confined ($2)" ;;
    *) bad "$1: the example did not run confined: $2" ;;
  esac
}
out=$("$cordon" run "$example" -c "$probe" 2>&1); confined root "$out"
if [ -n "$user" ] && id "$user" >/dev/null 2>&1; then
  out=$(cd / && runuser -u "$user" -- "$cordon" run "$example" -c "$probe" 2>&1); confined "$user" "$out"
fi

# The test seams are the build's only.
if CORDON_FAIL_AT=refuse-unenforced "$build/bin/cordon" run "$example" -c true >/dev/null 2>&1; then
  echo "note the build's cordon has no test seams (not a test build): no control"
else
  ok "control: the build's cordon honours CORDON_FAIL_AT"
fi
if out=$(CORDON_FAIL_AT=refuse-unenforced "$cordon" run "$example" -c true 2>&1); then
  ok "the packaged cordon ignores CORDON_FAIL_AT"
else
  bad "the packaged cordon honours the test seam CORDON_FAIL_AT: $out"
fi

# The app's data goes, as a user would remove it.
"$cordon" forget deb-check-shell --yes >/dev/null || bad "root: cordon forget deb-check-shell"
if [ -n "$user" ] && id "$user" >/dev/null 2>&1; then
  runuser -u "$user" -- "$cordon" forget deb-check-shell --yes >/dev/null || bad "$user: cordon forget deb-check-shell"
fi
exit $status
