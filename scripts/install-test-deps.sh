#!/usr/bin/env bash
# Installs what the test suite needs beyond Go: Debian's sqlite3 CLI, the
# oracle that the REPL's output is compared with. Does nothing when present.
set -euo pipefail
if ! command -v sqlite3 >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
	else
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
	fi
fi
