#!/bin/bash
# socat: a TCP server on 127.0.0.1 (fork per connection) and clients in the same sandbox.
. "$(dirname "$0")/lib.sh"
port=$(port_for socat-tcp)
step "listen on 127.0.0.1:$port"
socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" EXEC:'tr a-z A-Z' &
wait_port "$port"
step "two clients"
for i in 1 2; do
  [ "$(echo "hello $i" | socat -t 5 - "TCP:127.0.0.1:$port")" = "HELLO $i" ] || fail "client $i got no answer"
done
step "UDP on loopback"
socat -u "UDP-RECV:$((port + 1)),bind=127.0.0.1" OPEN:udp.out,creat &
sleep 0.3; echo datagram | socat -u - "UDP-SENDTO:127.0.0.1:$((port + 1))"; sleep 0.3
grep -q datagram udp.out || fail "no datagram"
echo "ok: socat TCP server and clients, UDP, on loopback"
