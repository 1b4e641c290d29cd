#!/usr/bin/env bash
# Times N single-row INSERTs (one statement each, no BEGIN; default 15000)
# run as a batch through ReSqlite (1 node; 3 nodes at the leader and at a
# follower) and through the sqlite3 CLI (in memory, on a file, on a WAL +
# synchronous=FULL file), with the ratios: the wOnly workload of the
# benchmark suite (go run ./benchmarks; see README "Benchmarks"), which
# starts and stops its own nodes. It measures; it asserts nothing.
#
#   scripts/bench-inserts.sh [N] [suite flags, e.g. -runs 3]
#
# The suite's JSON, Markdown and charts go to resqlite-data/bench-inserts/.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-15000}
shift || true
exec go run ./benchmarks -match '^wOnly$' -n "$n" -out resqlite-data/bench-inserts "$@"
