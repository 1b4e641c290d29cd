package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// Issue 14, bug 4: what the sqlite3 CLI's .dump writes (PRAGMA
// foreign_keys=OFF; BEGIN TRANSACTION; … COMMIT;) loads into a 3-node
// cluster with exit 0 and gives sqlite3's content, schema descriptions
// included; PRAGMAs that only ask run as reads on any node. Issue 14's
// acceptance: the cluster's .dump, from every node, then equals sqlite3's
// byte for byte.
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
	for i, nd := range nodes {
		got := runProgram(t, ".", ".dump\n", "-connect", nd.addr)
		if got.code != 0 || got.stderr != "" || got.stdout != dump.stdout {
			t.Errorf("node %d: .dump: exit %d, stderr %q; equal to sqlite3's: %v\n%s", i+1, got.code, got.stderr, got.stdout == dump.stdout, firstDifference(got.stdout, dump.stdout))
		}
	}
	// Values and names that .dump spells in its own way, typed into the
	// shell, come back through the cluster's .dump as sqlite3 writes them,
	// whole, for LIKE patterns and with each option; an unknown option is
	// refused as sqlite3 refuses it.
	if load := runProgram(t, ".", dumpSpellings, "-connect", nodes[0].addr); load.code != 0 || load.stderr != "" {
		t.Fatalf("loading the spellings: exit %d\n%s", load.code, load.stderr)
	}
	for i, cmd := range []string{".dump", ".dump O% t%", ".dump odd% nosuch", ".dump --data-only t% sqlite%", ".dump --nosys -newlines",
		".dump --preserve-rowids order_items t", ".dump --foo"} {
		want := runCLI(t, cli, dump.stdout+dumpSpellings+cmd+"\n")
		got := runProgram(t, ".", cmd+"\n", "-connect", nodes[i%len(nodes)].addr)
		if got.code != want.code || got.stderr != want.stderr || got.stdout != want.stdout {
			t.Errorf("node %d: %s: exit %d, stderr %q; equal to sqlite3's: %v\n%s", i%len(nodes)+1, cmd, got.code, got.stderr, got.stdout == want.stdout, firstDifference(got.stdout, want.stdout))
		}
	}
	asks := runProgram(t, ".", ".mode list\nPRAGMA journal_mode;\nPRAGMA database_list;\nPRAGMA compile_options;\nPRAGMA foreign_keys;\nPRAGMA foreign_keys=OFF;\n", "-connect", nodes[2].addr)
	if asks.code != 0 || asks.stderr != "" || !strings.HasPrefix(asks.stdout, "wal\n0|main|") || !strings.Contains(asks.stdout, "THREADSAFE=") || !strings.HasSuffix(asks.stdout, "\n0\n") {
		t.Errorf("PRAGMAs that ask: exit %d, stderr %q\n%s", asks.code, asks.stderr, asks.stdout)
	}
}

// dumpSpellings creates what sqlite3's .dump spells in its own way:
// identifiers it quotes (keywords, odd characters), REALs with its digits,
// text with quotes, newlines and carriage returns, generated columns,
// sqlite_sequence, a view whose text ends in a comment.
const dumpSpellings = `CREATE TABLE "Order"(x);
CREATE TABLE "odd ""name"""(x, y AS (x || '!'));
CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b, c);
CREATE VIEW tv AS SELECT a FROM t -- the ids
;
CREATE INDEX t_b ON t(b);
INSERT INTO "Order" VALUES (1.0), (0.1), (1e20), (-0.0), (9e999), (22.49), (123456789012345.6), (-9223372036854775808.0);
INSERT INTO "odd ""name""" VALUES ('it''s'), ('a
b'), ('c' || char(13) || char(10) || 'd'), ('\n' || char(10)), ('héllo'), (x'00ff'), (NULL);
INSERT INTO t(b, c) VALUES (1, 2), (3, 4);
DELETE FROM t WHERE a = 1;
`

// firstDifference shows where got first differs from want, a few lines
// of each.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := strings.LastIndexByte(got[:i], '\n') + 1
	clip := func(s string) string {
		if len(s) > from+300 {
			return s[from : from+300]
		}
		return s[from:]
	}
	return fmt.Sprintf("at byte %d:\ngot:  %q\nwant: %q", i, clip(got), clip(want))
}
