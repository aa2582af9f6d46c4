#!/bin/bash
# openssl: a self-signed certificate, then s_server and s_client talking TLS on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
port=$(port_for openssl-tls)
step "self-signed certificate"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=localhost 2>/dev/null
step "s_server on 127.0.0.1:$port"
openssl s_server -accept "127.0.0.1:$port" -cert cert.pem -key key.pem -rev -quiet >server.log 2>&1 &
wait_port "$port"
step "s_client"
out=$( (echo abcdef; sleep 1) | openssl s_client -connect "127.0.0.1:$port" -CAfile cert.pem -verify_return_error -quiet -no_ign_eof 2>client.log) || true
echo "$out" | grep -q fedcba || { tail -3 client.log; fail "no reversed line over TLS"; }
step "hash and encrypt"
head -c 100000 /dev/urandom > data && openssl enc -aes-256-cbc -pbkdf2 -pass pass:x -in data -out data.enc
openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:x -in data.enc | cmp - data
echo "ok: TLS on loopback with a self-signed certificate"
