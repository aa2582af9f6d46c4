#!/bin/bash
# sqlite3: WAL mode (its shared-memory file is mmapped), transactions, a second connection reading
# while a writer holds the lock, an index, integrity check, backup and VACUUM.
. "$(dirname "$0")/lib.sh"
step "create in WAL mode"
[ "$(sqlite3 db 'PRAGMA journal_mode=WAL;')" = wal ] || fail "WAL mode refused"
sqlite3 db 'CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX tv ON t(v);'
step "insert in transactions"
{ echo 'BEGIN;'; for i in $(seq 1 2000); do echo "INSERT INTO t(v) VALUES('v$i');"; done; echo 'COMMIT;'; } | sqlite3 db
step "a reader while a writer holds a transaction"
{ echo 'BEGIN IMMEDIATE;'; echo "INSERT INTO t(v) VALUES('pending');"; sleep 1; echo 'COMMIT;'; } | sqlite3 db &
sleep 0.3
[ "$(sqlite3 db 'SELECT count(*) FROM t;')" = 2000 ] || fail "reader saw uncommitted rows"
wait
[ "$(sqlite3 db 'SELECT count(*) FROM t;')" = 2001 ] || fail "commit lost"
step "rollback"
sqlite3 db "BEGIN; DELETE FROM t; ROLLBACK;"
step "integrity, backup, vacuum"
[ "$(sqlite3 db 'PRAGMA integrity_check;')" = ok ] || fail integrity
sqlite3 db ".backup copy.db" && [ "$(sqlite3 copy.db 'SELECT count(*) FROM t;')" = 2001 ]
sqlite3 db 'PRAGMA wal_checkpoint(TRUNCATE); VACUUM;' >/dev/null
echo "ok: sqlite3 WAL, transactions, concurrent reader, backup"
