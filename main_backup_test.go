package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// backupSetup is data for backups: the sample shop, an AUTOINCREMENT
// table (sqlite_sequence), blobs, odd names, an index, a view and a
// trigger.
const backupSetup = `.read data/shop.sql
CREATE TABLE log(id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT, raw BLOB);
INSERT INTO log(what, raw) VALUES ('it''s', x'00ff10'), (NULL, zeroblob(3000)), ('two
lines', NULL);
CREATE TABLE "odd ""name"""(x);
INSERT INTO "odd ""name""" VALUES (1.5), (-0.0);
CREATE INDEX log_what ON log(what);
CREATE VIEW v AS SELECT what FROM log;
CREATE TRIGGER log_del AFTER DELETE ON log BEGIN INSERT INTO "odd ""name""" VALUES (old.id); END;
`

// Issue 17: `resqlite backup` and the REPL's .backup and .save write a
// plain SQLite file that the sqlite3 CLI opens with the cluster's .dump,
// byte for byte, passes its integrity check, holds none of ReSqlite's
// internal tables and is in rollback-journal mode (no -wal needed).
func TestBackupOpensInSQLite3WithTheClustersDump(t *testing.T) {
	skipShort(t)
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it)")
	}
	nodes := startCluster(t, 3)
	if r := runProgram(t, ".", backupSetup, "-connect", nodes[0].addr); r.code != 0 || r.stderr != "" {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	want := runProgram(t, ".", ".dump\n", "-connect", nodes[0].addr)
	if want.code != 0 || !strings.Contains(want.stdout, "INSERT INTO log") {
		t.Fatalf("cluster .dump: exit %d\n%s", want.code, want.stderr)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "backup.db")
	r := runProgram(t, ".", "", "backup", "-connect", nodes[1].addr, "-out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "applied index") || r.stderr != "" {
		t.Fatalf("resqlite backup: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	repl := runProgram(t, ".", ".backup "+filepath.Join(dir, "repl.db")+"\n.save main "+filepath.Join(dir, "save.db")+"\n", "-connect", nodes[2].addr)
	if repl.code != 0 || repl.stderr != "" || repl.stdout != "" {
		t.Fatalf(".backup and .save: exit %d\nstdout %q\nstderr %q", repl.code, repl.stdout, repl.stderr)
	}
	for _, name := range []string{"backup.db", "repl.db", "save.db"} {
		path := filepath.Join(dir, name)
		got := sqlite3On(t, cli, path, ".dump\n")
		if got != want.stdout {
			t.Errorf("%s: sqlite3 .dump differs from the cluster's\n%s", name, firstDifference(got, want.stdout))
		}
		check := sqlite3On(t, cli, path, "PRAGMA integrity_check;\nPRAGMA journal_mode;\nSELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_resqlite%' ESCAPE '\\' OR name LIKE 'sqlite_stat%';\n")
		if check != "ok\ndelete\n0\n" {
			t.Errorf("%s: integrity check, journal mode, internal tables: %q", name, check)
		}
	}
}

// sqlite3On runs the sqlite3 CLI on the database file at path.
func sqlite3On(t *testing.T, cli, path, script string) string {
	t.Helper()
	cmd := exec.Command(cli, "-batch", path)
	cmd.Stdin = strings.NewReader(script)
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil || errb.Len() > 0 {
		t.Fatalf("sqlite3 %s: %v\n%s", path, err, errb.String())
	}
	return string(out)
}
