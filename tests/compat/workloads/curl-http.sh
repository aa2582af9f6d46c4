#!/bin/bash
# curl against python3's http.server on 127.0.0.1 in the same sandbox.
. "$(dirname "$0")/lib.sh"
port=$(port_for curl-http)
mkdir -p site && head -c 200000 /dev/urandom > site/blob && echo hello > site/index.html
step "http.server on 127.0.0.1:$port"
/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory site "$port" >server.log 2>&1 &
wait_port "$port"
step "curl GET"
curl -sSf --max-time 10 -o got "http://127.0.0.1:$port/blob" && cmp got site/blob
[ "$(curl -sSf --max-time 10 "http://localhost:$port/")" = hello ] || fail "localhost"
step "curl HEAD and 404"
curl -sSfI --max-time 10 "http://127.0.0.1:$port/index.html" | grep -q '^HTTP/1.0 200'
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$port/none")" = 404 ] || fail 404
echo "ok: curl fetched from a local http.server"
