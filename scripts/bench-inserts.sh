#!/usr/bin/env bash
# Times N single-row INSERTs (one statement each, no BEGIN; default
# 15000) run as a batch through a ReSqlite cluster, and through the
# sqlite3 CLI on a file database with journal_mode=WAL and
# synchronous=FULL, and prints both times and their ratio. It measures;
# it asserts nothing.
#
#   scripts/bench-inserts.sh [N] [host:port]
#
# Without host:port it starts the 3-node cluster of scripts/cluster.sh
# (and stops it afterwards if it started it).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-15000}
addr=${2:-}
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI not found (scripts/install-test-deps.sh installs it)" >&2; exit 1; }
work=$(mktemp -d)
started=""
cleanup() {
	[ -n "$started" ] && bash scripts/cluster.sh stop >/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
if [ -z "$addr" ]; then
	if ! bash scripts/cluster.sh status 2>/dev/null | grep -q "node 1 running"; then
		bash scripts/cluster.sh start >/dev/null
		started=yes
	fi
	addr=127.0.0.1:50050
fi
bin=resqlite-data/cluster/resqlite
[ -x "$bin" ] || go build -o "$bin" .

table=bench_$(date +%s)_$$
{
	echo "CREATE TABLE $table(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL);"
	for ((i = 1; i <= n; i++)); do
		echo "INSERT INTO $table(name, qty, price) VALUES('item-$i', $((i % 97)), $((i % 1000)).25);"
	done
	echo "SELECT count(*) FROM $table;"
} >"$work/inserts.sql"

now() { date +%s.%N; }

t0=$(now)
got=$("$bin" -connect "$addr" -mode list -batch "$work/inserts.sql")
t1=$(now)
{
	echo "PRAGMA journal_mode=WAL;"
	echo "PRAGMA synchronous=FULL;"
	cat "$work/inserts.sql"
} >"$work/sqlite3.sql"
want=$(sqlite3 -batch "$work/bench.db" <"$work/sqlite3.sql" | tail -1)
t2=$(now)
if [ "$got" != "$n" ] || [ "$want" != "$n" ]; then
	echo "row counts differ from $n: resqlite $got, sqlite3 $want" >&2
	exit 1
fi
awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
	r = t1 - t0; s = t2 - t1
	printf "%d single-row INSERTs, one statement each, no BEGIN\n", n
	printf "resqlite 3-node cluster (batch, pipelined): %.2fs (%.0f inserts/s)\n", r, n / r
	printf "sqlite3 CLI, WAL, synchronous=FULL:         %.2fs (%.0f inserts/s)\n", s, n / s
	printf "ratio resqlite/sqlite3: %.2f\n", r / s
}'
