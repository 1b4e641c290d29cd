package node_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Dump returns SQL text read at one applied index that rebuilds the same
// database: fed back into a fresh cluster, block by block, the rebuilt
// database has the same content digest and dumps to the same text.
func TestDumpRebuildsDatabase(t *testing.T) {
	c := startCluster(t, 1)
	ctx := ctxT(t, time.Minute)
	cl := c.client(1)
	mustExec(t, ctx, cl,
		"CREATE TABLE t (a INTEGER PRIMARY KEY AUTOINCREMENT, b TEXT, c REAL, d BLOB, e)",
		"CREATE INDEX t_b ON t (b)",
		"CREATE TABLE \"odd \"\"name\" (x)",
		"CREATE VIEW v AS SELECT a, b FROM t",
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO \"odd \"\"name\" VALUES (new.a); END",
	)
	mustExec(t, ctx, cl, "INSERT INTO t (b, c, d, e) VALUES ('it''s', 1.5, X'00ff', NULL), ('line\nbreak', 3.0, X'', 7), (NULL, 1e300, NULL, 'x'), ('r', 0.1, NULL, 2.5)")
	mustExec(t, ctx, cl, "DELETE FROM t WHERE a = 2")
	var dump strings.Builder
	index, err := cl.Dump(ctx, &dump)
	if err != nil {
		t.Fatal(err)
	}
	want, err := cl.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if index == 0 || index != want.GetAppliedIndex() {
		t.Fatalf("dump at index %d, digest at %d", index, want.GetAppliedIndex())
	}

	c2 := startCluster(t, 1)
	cl2 := c2.client(1)
	// Each BEGIN TRANSACTION … COMMIT block is one entry, as the REPL
	// sends it; the REPL does not send the first line, PRAGMA
	// foreign_keys=OFF (a no-op).
	text, ok := strings.CutPrefix(dump.String(), "PRAGMA foreign_keys=OFF;\n")
	if !ok {
		t.Fatalf("the dump does not begin as sqlite3's does:\n%s", dump.String())
	}
	for _, block := range strings.Split(text, "COMMIT;") {
		block = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(block), "BEGIN TRANSACTION;"))
		if block == "" {
			continue
		}
		r, err := cl2.Exec(ctx, block)
		if err != nil || r.Err != nil {
			t.Fatalf("replay: %v %v\n%s", err, r.Err, dump.String())
		}
	}
	got, err := cl2.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.GetSha256() != want.GetSha256() {
		t.Fatalf("rebuilt database has digest %s, the original %s", got.GetSha256(), want.GetSha256())
	}
	var again strings.Builder
	if _, err := cl2.Dump(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.String() != dump.String() {
		t.Fatalf("rebuilt database differs\n%s\nrebuilt dump:\n%s", dump.String(), again.String())
	}
	// The sqlite3 CLI takes the same text.
	if path, err := exec.LookPath("sqlite3"); err == nil {
		db := filepath.Join(t.TempDir(), "copy.db")
		load := exec.Command(path, db)
		load.Stdin = strings.NewReader(dump.String())
		if out, err := load.CombinedOutput(); err != nil || len(out) != 0 {
			t.Fatalf("sqlite3 < dump: %v %s", err, out)
		}
		out, err := exec.Command(path, db, `SELECT count(*) FROM t; SELECT group_concat(x) FROM "odd ""name";`).CombinedOutput()
		if err != nil || string(out) != "3\n1,2,3,4\n" {
			t.Fatalf("sqlite3 reads the loaded dump as %q, %v", out, err)
		}
	}
}
