#!/usr/bin/env bash
# The test command: every package's tests, then the race detector on the
# packages where concurrency lives. RESQLITE_SEEDS=N runs N seeds per
# simulation scenario instead of CI's default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
go test -count=1 -timeout 20m ./...
# Every package where goroutines meet runs under the race detector; the
# simulator (single-threaded, long) and the data generator do not.
race_pkgs=$(go list ./... | grep -vE '/raft/sim$|/data/' || true)
if [ -n "$race_pkgs" ]; then
	go test -count=1 -race -short -timeout 20m $race_pkgs
fi
