package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// largeDumpSetup makes a database of about 6 MiB (more than one write may
// carry) in writes that each stay well under the limit.
const largeDumpSetup = `CREATE TABLE big(id INTEGER PRIMARY KEY, s TEXT, b BLOB);
CREATE INDEX big_s ON big(s);
CREATE TABLE small(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO small VALUES ('a', 1), ('b', 2.5), ('c', NULL);
`

// largeDumpRows inserts rows [from, to] of big: about 1 KiB each.
func largeDumpRows(from, to int) string {
	return "WITH RECURSIVE c(x) AS (SELECT " + strconv.Itoa(from) + " UNION ALL SELECT x+1 FROM c WHERE x < " + strconv.Itoa(to) + ") " +
		"INSERT INTO big SELECT x, printf('%04d-%.*c', x, 700, char(65 + x % 26)), zeroblob(100 + x % 50) FROM c;\n"
}

// Issue 14: ReSqlite's own .dump of a database larger than one write
// (4 MiB) reloads into a cluster with `resqlite -batch dump.sql`: it is
// split into BEGIN…COMMIT blocks below the limit; the reloaded cluster
// has the same digest on every node and dumps the same text. sqlite3
// loads the same dump to the same content.
func TestLargeDumpReloadsThroughCluster(t *testing.T) {
	skipShort(t)
	src := startCluster(t, 3)
	setup := largeDumpSetup
	for from := 1; from <= 7000; from += 1000 {
		setup += largeDumpRows(from, from+999)
	}
	if r := runProgram(t, t.TempDir(), setup, "-connect", src[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	dump := runProgram(t, t.TempDir(), ".dump\n", "-connect", src[1].addr)
	if dump.code != 0 || dump.stderr != "" {
		t.Fatalf("dump: exit %d\n%s", dump.code, dump.stderr)
	}
	if len(dump.stdout) < 6<<20 {
		t.Fatalf("dump of %d bytes; want over 6 MiB", len(dump.stdout))
	}
	blocks := strings.Split(dump.stdout, "\nCOMMIT;\nBEGIN TRANSACTION;\n")
	for i, b := range blocks {
		if len(b) >= sqlval.MaxEntryBytes {
			t.Errorf("block %d of %d bytes: over one write", i, len(b))
		}
	}
	t.Logf("dump: %d bytes in %d blocks", len(dump.stdout), len(blocks))
	file := filepath.Join(t.TempDir(), "dump.sql")
	if err := os.WriteFile(file, []byte(dump.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := startCluster(t, 3)
	if r := runProgram(t, t.TempDir(), "", "-connect", dst[2].addr, "-batch", file); r.code != 0 || r.stderr != "" || r.stdout != "" {
		t.Fatalf("reload with -batch: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	want := digest(t, src[0].addr)
	for i, nd := range dst {
		if got := digest(t, nd.addr); got != want {
			t.Errorf("reloaded node %d: digest %s, want the dumped database's %s", i+1, got, want)
		}
	}
	again := runProgram(t, t.TempDir(), ".dump\n", "-connect", dst[0].addr)
	if again.code != 0 || again.stdout != dump.stdout {
		t.Errorf("the reloaded database dumps differently (exit %d, %q)\n%s", again.code, again.stderr, firstDifference(again.stdout, dump.stdout))
	}
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		return
	}
	// sqlite3 loads ReSqlite's dump; its own .dump of it is one block.
	got := runCLI(t, cli, ".read "+file+"\n.dump\n")
	oneBlock := strings.Join(blocks, "\n")
	if got.code != 0 || got.stderr != "" || got.stdout != oneBlock {
		t.Errorf("sqlite3 loading the dump: exit %d, %q\n%s", got.code, got.stderr, firstDifference(got.stdout, oneBlock))
	}
	// sqlite3's own dump of it, one block over the limit, is refused
	// with the ways to load a large database, and nothing of it applies.
	fresh := startCluster(t, 1)
	r := runProgram(t, t.TempDir(), ".mode list\n"+got.stdout+"SELECT count(*) FROM sqlite_schema WHERE name IN ('big', 'small');\n", "-connect", fresh[0].addr)
	if r.code != 1 || r.stdout != "0\n" {
		t.Errorf("sqlite3's dump over 4 MiB: exit %d, stdout %q; want 1 and an empty database", r.code, r.stdout)
	}
	for _, want := range []string{"4 MiB", ".import", "resqlite restore"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("sqlite3's dump over 4 MiB: stderr %q lacks %q", r.stderr, want)
		}
	}
}

// A row whose INSERT is over the 1 MiB statement limit (a 1 MiB BLOB,
// written in hex, and a 0.8 MB TEXT with quotes and line breaks) is in
// ReSqlite's dump as sqlite3 writes it, and the dump still reloads: the
// shell sends the long literals of such a write as parameters. The
// reloaded database has the same digest and dumps the same text.
func TestDumpWithLargeValuesReloads(t *testing.T) {
	skipShort(t)
	src := startCluster(t, 1)
	// The large values are made on the node, by statements under the
	// limits.
	setup := "CREATE TABLE v(id INTEGER PRIMARY KEY, b BLOB, t TEXT);\n" +
		"INSERT INTO v VALUES (1, x'00ff', 'small');\n" +
		"INSERT INTO v SELECT 2, CAST(replace(hex(zeroblob(524288)), '00', 'a1') AS BLOB), " +
		"replace(hex(zeroblob(200000)), '00', 'x''' || char(10) || 'y');\n"
	if r := runProgram(t, t.TempDir(), setup, "-connect", src[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	dump := runProgram(t, t.TempDir(), ".dump\n", "-connect", src[0].addr)
	if dump.code != 0 || dump.stderr != "" {
		t.Fatalf("dump: exit %d\n%s", dump.code, dump.stderr)
	}
	longest := 0
	for _, line := range strings.Split(dump.stdout, "\n") {
		longest = max(longest, len(line))
	}
	if longest <= sqlval.MaxStatementBytes {
		t.Fatalf("longest dump line %d bytes; want one over the statement limit", longest)
	}
	file := filepath.Join(t.TempDir(), "dump.sql")
	if err := os.WriteFile(file, []byte(dump.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := startCluster(t, 3)
	if r := runProgram(t, t.TempDir(), "", "-connect", dst[0].addr, "-batch", file); r.code != 0 || r.stderr != "" {
		t.Fatalf("reload: exit %d\n%s", r.code, truncate(r.stderr, 500))
	}
	want := digest(t, src[0].addr)
	for i, nd := range dst {
		if got := digest(t, nd.addr); got != want {
			t.Errorf("node %d: digest %s, want %s", i+1, got, want)
		}
	}
	if again := runProgram(t, t.TempDir(), ".dump\n", "-connect", dst[1].addr); again.stdout != dump.stdout {
		t.Errorf("the reloaded database dumps differently\n%s", firstDifference(again.stdout, dump.stdout))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
