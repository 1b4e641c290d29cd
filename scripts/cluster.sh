#!/usr/bin/env bash
# Runs a 3-node ReSqlite cluster on this machine: nodes 1-3 serve on
# 127.0.0.1:50050-50052 (node N on port 50049+N) with their data, logs and
# pid files under resqlite-data/cluster/. The binary is built once into
# that directory.
#
#   scripts/cluster.sh start    build, start the nodes, wait for a leader
#   scripts/cluster.sh start --tls
#                               the same with mutual TLS between the nodes
#                               and client certificates required, from the
#                               certificates scripts/certs.sh made in
#                               $RESQLITE_CERTS (default resqlite-data/certs);
#                               join, status and stop then use TLS too
#   scripts/cluster.sh join N   start node N (4, 5, ...) and add it to the
#                               running cluster through node 1
#   scripts/cluster.sh status   which nodes run, and node 1's view
#   scripts/cluster.sh stop     SIGTERM every node of the cluster, joined
#                               ones too, and wait for each to exit
#
# The nodes of the cluster are those its pid files name and, on Linux,
# every process that holds a data directory under resqlite-data/cluster/
# (a node started by hand with -data resqlite-data/cluster/node-N).
#
# Environment: RESQLITE_CLUSTER_DIR (default resqlite-data/cluster),
# RESQLITE_CLUSTER_PORT (node 1's port, default 50050), RESQLITE_BIN (a
# built resqlite to run instead of building one).
#
# Then: go run . -connect 127.0.0.1:50050 (with --tls: the command that
# start prints).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${RESQLITE_CLUSTER_DIR:-resqlite-data/cluster}
port=${RESQLITE_CLUSTER_PORT:-50050}
bin=${RESQLITE_BIN:-$dir/resqlite}
certs=${RESQLITE_CERTS:-resqlite-data/certs}
node_tls=()
client_tls=()

# use_tls makes the nodes and this script's clients use the certificates
# in $certs, and records that the cluster runs with TLS.
use_tls() {
	local f
	for f in node.pem node-key.pem node-ca.pem client-ca.pem client.pem client-key.pem; do
		if [ ! -f "$certs/$f" ]; then
			echo "$certs/$f missing: run scripts/certs.sh first" >&2
			exit 2
		fi
	done
	node_tls=(-cert "$certs/node.pem" -key "$certs/node-key.pem" -peer-ca "$certs/node-ca.pem" -client-ca "$certs/client-ca.pem")
	client_tls=(-tls -ca "$certs/node-ca.pem" -cert "$certs/client.pem" -key "$certs/client-key.pem")
	mkdir -p "$dir"
	echo "$certs" >"$dir/tls"
}
if [ "${2:-}" = --tls ] || [ -f "$dir/tls" ]; then
	[ -f "$dir/tls" ] && [ "${2:-}" != --tls ] && certs=$(cat "$dir/tls")
	use_tls
fi

addr() { # id
	echo "127.0.0.1:$((port + $1 - 1))"
}
peers="1=$(addr 1),2=$(addr 2),3=$(addr 3)"

running() { # id
	local pidfile=$dir/node-$1.pid
	[ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

build() {
	mkdir -p "$dir"
	if [ -z "${RESQLITE_BIN:-}" ]; then
		go build -o "$bin" .
	fi
}

# launch starts node id in the background with the given flags.
launch() { # id flags...
	local id=$1
	shift
	"$bin" -serve -id "$id" -data "$dir/node-$id" -log-level "${LOG_LEVEL:-info}" ${node_tls[@]+"${node_tls[@]}"} "$@" \
		>>"$dir/node-$id.log" 2>&1 &
	echo $! >"$dir/node-$id.pid"
	echo "node $id started (pid $!, $(addr "$id"), log $dir/node-$id.log)"
}

# answers waits up to 20 s until the node at addr answers .leader.
answers() { # addr
	for _ in $(seq 1 100); do
		if echo .leader | "$bin" -connect "$1" ${client_tls[@]+"${client_tls[@]}"} -mode list >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

start() {
	build
	for id in 1 2 3; do
		if running "$id"; then
			echo "node $id already running (pid $(cat "$dir/node-$id.pid"))"
			continue
		fi
		launch "$id" -peers "$peers"
	done
	if answers "$(addr 1)"; then
		echo "leader: $(echo .leader | "$bin" -connect "$(addr 1)" ${client_tls[@]+"${client_tls[@]}"})"
		echo "connect with: go run . -connect $(addr 1)${client_tls[*]+ ${client_tls[*]}}"
		return 0
	fi
	echo "no leader after 20s; see $dir/node-*.log" >&2
	return 1
}

join() { # id
	local id=${1:-}
	if ! [[ $id =~ ^[0-9]+$ ]] || [ "$id" -lt 4 ]; then
		echo "usage: $0 join N   (N >= 4: nodes 1-3 are the founders)" >&2
		exit 2
	fi
	if running "$id"; then
		echo "node $id already running (pid $(cat "$dir/node-$id.pid"))"
		return 0
	fi
	build
	launch "$id" -listen "$(addr "$id")" -join "$(addr 1)"
	if answers "$(addr "$id")"; then
		return 0
	fi
	echo "node $id does not answer after 20s; see $dir/node-$id.log" >&2
	return 1
}

# nodes prints "id pid" for every running node of the cluster: those the
# pid files name, and every process holding the log lock of a data
# directory under $dir.
nodes() {
	{
		local f id pid
		for f in "$dir"/node-*.pid; do
			[ -f "$f" ] || continue
			id=${f##*/node-}
			pid=$(cat "$f")
			if kill -0 "$pid" 2>/dev/null; then
				echo "${id%.pid} $pid"
			fi
		done
		local abs fd lock
		abs=$(cd "$dir" 2>/dev/null && pwd -P) || return 0
		[ -d /proc/self/fd ] || return 0
		# find fails on the processes that end while it looks.
		{ find /proc/[0-9]*/fd -maxdepth 1 -lname "$abs/node-*/raft/LOCK" 2>/dev/null || true; } | while read -r fd; do
			pid=${fd#/proc/}
			lock=$(readlink "$fd") || continue
			id=${lock#"$abs"/node-}
			echo "${id%%/*} ${pid%%/*}"
		done
	} | sort -n -u
}

gone() { # pid
	! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

stop() {
	local list id pid
	list=$(nodes)
	while read -r id pid; do
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
	done <<<"$list"
	while read -r id pid; do
		[ -n "$pid" ] || continue
		for _ in $(seq 1 100); do
			gone "$pid" && break
			sleep 0.1
		done
		if ! gone "$pid"; then
			echo "node $id (pid $pid) did not stop in 10s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		echo "node $id stopped"
	done <<<"$list"
	rm -f "$dir"/node-*.pid "$dir/tls"
}

status() {
	local list id pid
	list=$(nodes)
	for id in 1 2 3; do
		grep -q "^$id " <<<"$list" || echo "node $id not running"
	done
	while read -r id pid; do
		[ -n "$pid" ] && echo "node $id running (pid $pid)"
	done <<<"$list"
	if [ -x "$bin" ] && running 1; then
		echo .nodes | "$bin" -connect "$(addr 1)" ${client_tls[@]+"${client_tls[@]}"} || true
	fi
}

case "${1:-}" in
start) start ;;
join) join "${2:-}" ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: $0 start [--tls]|join N|status|stop" >&2
	exit 2
	;;
esac
