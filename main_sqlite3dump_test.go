package main

import (
	"os/exec"
	"strings"
	"testing"
)

// Issue 14, bug 4: what the sqlite3 CLI's .dump writes (PRAGMA
// foreign_keys=OFF; BEGIN TRANSACTION; … COMMIT;) loads into a 3-node
// cluster with exit 0 and gives sqlite3's content, schema descriptions
// included; PRAGMAs that only ask run as reads on any node.
func TestSQLite3DumpLoadsThroughCluster(t *testing.T) {
	skipShort(t)
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it)")
	}
	dump := runCLI(t, cli, ".read ../data/shop.sql\n.dump\n")
	if dump.code != 0 || !strings.HasPrefix(dump.stdout, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n") {
		t.Fatalf("sqlite3 .dump of data/shop.sql: exit %d\n%s", dump.code, dump.stderr)
	}
	nodes := startCluster(t, 3)
	load := runProgram(t, ".", ".mode list\n"+dump.stdout, "-connect", nodes[1].addr)
	if load.code != 0 || load.stderr != "" {
		t.Fatalf("loading sqlite3's dump: exit %d\n%s", load.code, load.stderr)
	}
	tables := runCLI(t, cli, dump.stdout+".mode list\nSELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name;\n")
	check := ".mode list\n.headers on\n"
	for _, name := range strings.Fields(tables.stdout) {
		check += "SELECT * FROM " + name + ";\nPRAGMA table_info(" + name + ");\nPRAGMA index_list(" + name + ");\nPRAGMA foreign_key_list(" + name + ");\n"
	}
	want := runCLI(t, cli, dump.stdout+check)
	for i, nd := range nodes {
		got := runProgram(t, ".", check, "-connect", nd.addr)
		if got.code != 0 || got.stdout != want.stdout {
			t.Errorf("node %d: exit %d, stderr %q; stdout equal to sqlite3's: %v", i+1, got.code, got.stderr, got.stdout == want.stdout)
		}
	}
	asks := runProgram(t, ".", ".mode list\nPRAGMA journal_mode;\nPRAGMA database_list;\nPRAGMA compile_options;\nPRAGMA foreign_keys;\nPRAGMA foreign_keys=OFF;\n", "-connect", nodes[2].addr)
	if asks.code != 0 || asks.stderr != "" || !strings.HasPrefix(asks.stdout, "wal\n0|main|") || !strings.Contains(asks.stdout, "THREADSAFE=") || !strings.HasSuffix(asks.stdout, "\n0\n") {
		t.Errorf("PRAGMAs that ask: exit %d, stderr %q\n%s", asks.code, asks.stderr, asks.stdout)
	}
}
