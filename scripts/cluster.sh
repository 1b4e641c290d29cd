#!/usr/bin/env bash
# Runs a 3-node ReSqlite cluster on this machine: nodes 1-3 serve on
# 127.0.0.1:50050-50052 with their data, logs and pid files under
# resqlite-data/cluster/. The binary is built once into that directory.
#
#   scripts/cluster.sh start    build, start the nodes, wait for a leader
#   scripts/cluster.sh status   which nodes run, and node 1's view
#   scripts/cluster.sh stop     SIGTERM every node, wait for it to exit
#
# Then: go run . -connect 127.0.0.1:50050
set -euo pipefail
cd "$(dirname "$0")/.."
dir=resqlite-data/cluster
bin=$dir/resqlite
peers=1=127.0.0.1:50050,2=127.0.0.1:50051,3=127.0.0.1:50052

running() { # id
	local pidfile=$dir/node-$1.pid
	[ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start() {
	mkdir -p "$dir"
	go build -o "$bin" .
	for id in 1 2 3; do
		if running "$id"; then
			echo "node $id already running (pid $(cat "$dir/node-$id.pid"))"
			continue
		fi
		"$bin" -serve -id "$id" -peers "$peers" -data "$dir/node-$id" \
			-log-level "${LOG_LEVEL:-info}" >>"$dir/node-$id.log" 2>&1 &
		echo $! >"$dir/node-$id.pid"
		echo "node $id started (pid $!, 127.0.0.1:5005$((id - 1)), log $dir/node-$id.log)"
	done
	for _ in $(seq 1 100); do
		if echo .leader | "$bin" -connect 127.0.0.1:50050 -mode list >/dev/null 2>&1; then
			echo "leader: $(echo .leader | "$bin" -connect 127.0.0.1:50050)"
			echo "connect with: go run . -connect 127.0.0.1:50050"
			return 0
		fi
		sleep 0.2
	done
	echo "no leader after 20s; see $dir/node-*.log" >&2
	return 1
}

stop() {
	for id in 1 2 3; do
		local pidfile=$dir/node-$id.pid
		if running "$id"; then
			local pid
			pid=$(cat "$pidfile")
			kill -TERM "$pid"
			for _ in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			if kill -0 "$pid" 2>/dev/null; then
				echo "node $id (pid $pid) did not stop in 10s; killing it" >&2
				kill -KILL "$pid"
			fi
			echo "node $id stopped"
		fi
		rm -f "$pidfile"
	done
}

status() {
	for id in 1 2 3; do
		if running "$id"; then
			echo "node $id running (pid $(cat "$dir/node-$id.pid"))"
		else
			echo "node $id not running"
		fi
	done
	if [ -x "$bin" ] && running 1; then
		echo .nodes | "$bin" -connect 127.0.0.1:50050 || true
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
