package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// vtabSetup makes two fts5 tables (the virtual-table module the node's
// SQLite builds in that a write may create: fts3/4 are not built in, and
// rtree's creation reads PRAGMA page_size, which writes may not), one of
// them large enough for several index segments, next to a plain table.
const vtabSetup = `CREATE VIRTUAL TABLE ft USING fts5(title, body);
INSERT INTO ft VALUES ('hello world', 'first document'), ('second', 'hello again'), ('third', 'nothing here');
CREATE VIRTUAL TABLE "Big FT" USING fts5(x, tokenize = 'porter');
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) INSERT INTO "Big FT" SELECT printf('word%d common running %d', i % 97, i) FROM c;
INSERT INTO "Big FT" VALUES ('runs');
CREATE TABLE plain(a);
INSERT INTO plain VALUES (1);
`

// vtabCheck reads the virtual tables through their modules.
const vtabCheck = `.mode list
SELECT rowid FROM ft WHERE ft MATCH 'hello' ORDER BY rowid;
SELECT count(*) FROM "Big FT" WHERE "Big FT" MATCH 'run';
SELECT count(*) FROM "Big FT" WHERE "Big FT" MATCH 'word5';
SELECT * FROM plain;
`

// Issue 14: a database with virtual tables, dumped by ReSqlite (as
// sqlite3 dumps it: PRAGMA writable_schema=ON and rows of sqlite_schema),
// reloads into a 3-node cluster with -batch: same digest on every node,
// the same dump, the modules answer as before, and later writes to the
// virtual tables apply alike on every node. sqlite3's own .dump of the
// same database loads too.
func TestVirtualTableDumpReloads(t *testing.T) {
	skipShort(t)
	src := startCluster(t, 1)
	if r := runProgram(t, t.TempDir(), vtabSetup, "-connect", src[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	dump := runProgram(t, t.TempDir(), ".dump\n", "-connect", src[0].addr)
	if dump.code != 0 || !strings.Contains(dump.stdout, "PRAGMA writable_schema=ON;\n") {
		t.Fatalf("dump: exit %d %q\n%s", dump.code, dump.stderr, dump.stdout)
	}
	want := runProgram(t, t.TempDir(), vtabCheck, "-connect", src[0].addr)
	if want.stdout != "1\n2\n3001\n31\n1\n" {
		t.Fatalf("source reads %q (%s)", want.stdout, want.stderr)
	}
	file := filepath.Join(t.TempDir(), "dump.sql")
	if err := os.WriteFile(file, []byte(dump.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := startCluster(t, 3)
	if r := runProgram(t, t.TempDir(), "", "-connect", dst[1].addr, "-batch", file); r.code != 0 || r.stderr != "" {
		t.Fatalf("reload: exit %d\n%s", r.code, r.stderr)
	}
	sum := digest(t, src[0].addr)
	for i, nd := range dst {
		if got := digest(t, nd.addr); got != sum {
			t.Errorf("node %d: digest %s, want %s", i+1, got, sum)
		}
		if got := runProgram(t, t.TempDir(), vtabCheck, "-connect", nd.addr); got.stdout != want.stdout {
			t.Errorf("node %d reads %q (%s), want %q", i+1, got.stdout, got.stderr, want.stdout)
		}
	}
	if again := runProgram(t, t.TempDir(), ".dump\n", "-connect", dst[0].addr); again.stdout != dump.stdout {
		t.Errorf("the reloaded database dumps differently\n%s", firstDifference(again.stdout, dump.stdout))
	}
	more := "INSERT INTO ft VALUES ('hello there', 'x');\nDELETE FROM ft WHERE rowid = 1;\nINSERT INTO \"Big FT\" VALUES ('word5 ran');\n"
	if r := runProgram(t, t.TempDir(), more, "-connect", dst[2].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("writes after the reload: exit %d\n%s", r.code, r.stderr)
	}
	// The same writes on the source give the same database: the modules
	// of the reloaded nodes worked from the reloaded content.
	if r := runProgram(t, t.TempDir(), more, "-connect", src[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("writes on the source: exit %d\n%s", r.code, r.stderr)
	}
	after := digest(t, src[0].addr)
	for i, nd := range dst {
		if got := digest(t, nd.addr); got != after {
			t.Errorf("after more writes, node %d: digest %s, want the source's %s", i+1, got, after)
		}
	}
	if got := runProgram(t, t.TempDir(), vtabCheck, "-connect", dst[1].addr); got.stdout != "2\n4\n3001\n32\n1\n" {
		t.Errorf("after more writes: %q (%s)", got.stdout, got.stderr)
	}
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		return
	}
	theirs := runCLI(t, cli, vtabSetup+".dump\n")
	fresh := startCluster(t, 1)
	if r := runProgram(t, t.TempDir(), theirs.stdout, "-connect", fresh[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("loading sqlite3's dump: exit %d\n%s", r.code, r.stderr)
	}
	if got := runProgram(t, t.TempDir(), vtabCheck, "-connect", fresh[0].addr); got.stdout != want.stdout {
		t.Errorf("after sqlite3's dump: %q (%s)", got.stdout, got.stderr)
	}
}

// A virtual table whose dump text crosses ReSqlite's 1 MiB block size
// reloads: .dump keeps it and its shadow tables in one block, since only
// the write that creates a virtual table may load its shadow tables
// (rules version 6).
func TestVirtualTableDumpAcrossBlocksReloads(t *testing.T) {
	skipShort(t)
	setup := `CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3500) INSERT INTO t SELECT x, hex(zeroblob(100)) FROM c;
CREATE VIRTUAL TABLE ft USING fts5(x);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 3000) INSERT INTO ft SELECT printf('word%d common %s', x, hex(zeroblob(20))) FROM c;
`
	src := startCluster(t, 1)
	if r := runProgram(t, t.TempDir(), setup, "-connect", src[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	dump := runProgram(t, t.TempDir(), ".dump\n", "-connect", src[0].addr)
	if dump.code != 0 || strings.Count(dump.stdout, "COMMIT;\nBEGIN TRANSACTION;\n") == 0 {
		t.Fatalf("dump: exit %d %q, %d bytes in one block", dump.code, dump.stderr, len(dump.stdout))
	}
	file := filepath.Join(t.TempDir(), "dump.sql")
	if err := os.WriteFile(file, []byte(dump.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := startCluster(t, 1)
	if r := runProgram(t, t.TempDir(), "", "-connect", dst[0].addr, "-batch", file); r.code != 0 || r.stderr != "" {
		t.Fatalf("reload: exit %d\n%.2000s", r.code, r.stderr)
	}
	if got, want := digest(t, dst[0].addr), digest(t, src[0].addr); got != want {
		t.Errorf("reloaded digest %s, want %s", got, want)
	}
	const check = ".mode list\nSELECT count(*) FROM ft WHERE ft MATCH 'common';\n"
	if got := runProgram(t, t.TempDir(), check, "-connect", dst[0].addr); got.stdout != "3000\n" {
		t.Errorf("reloaded table matches %q (%s)", got.stdout, got.stderr)
	}
}
