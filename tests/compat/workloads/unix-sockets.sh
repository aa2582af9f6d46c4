#!/bin/bash
# socat over Unix sockets (a path and an abstract name): local IPC without IP.
. "$(dirname "$0")/lib.sh"
step "listen on a Unix socket path"
socat UNIX-LISTEN:sock,fork EXEC:'tr a-z A-Z' &
for _ in $(seq 1 50); do [ -S sock ] && break; sleep 0.1; done
[ "$(echo hi | socat -t 5 - UNIX-CONNECT:sock)" = HI ] || fail "path socket"
step "abstract socket"
socat ABSTRACT-LISTEN:compat-$$ EXEC:'tr a-z A-Z' &
sleep 0.3
[ "$(echo hi | socat -t 5 - ABSTRACT-CONNECT:compat-$$)" = HI ] || fail "abstract socket"
echo "ok: Unix sockets, path and abstract"
