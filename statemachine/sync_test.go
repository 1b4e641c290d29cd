package statemachine

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestSyncCheckpointsTheWAL: with synchronous=NORMAL applied transactions
// sit in the WAL; after Sync they are in the database file itself, so a
// copy of that file alone (what a power loss could leave if the WAL's
// tail was never synced) holds them.
func TestSyncCheckpointsTheWAL(t *testing.T) {
	dir := t.TempDir()
	sm := openAt(t, dir)
	mustExec(t, sm, "CREATE TABLE t(x)")
	mustExec(t, sm, "INSERT INTO t VALUES (1), (2), (3)")
	rowsInFileAlone := func() int {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, DatabaseFile))
		if err != nil {
			t.Fatal(err)
		}
		alone := filepath.Join(t.TempDir(), "alone.db")
		if err := os.WriteFile(alone, data, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", alone)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 't'").Scan(&n); err != nil || n == 0 {
			return 0
		}
		if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rowsInFileAlone(); n == 3 {
		t.Fatal("the rows reached the database file before Sync: the test cannot tell Sync's effect")
	}
	if err := sm.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if n := rowsInFileAlone(); n != 3 {
		t.Fatalf("after Sync the database file alone holds %d rows, want 3", n)
	}
	if err := sm.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sm.Sync(); err == nil {
		t.Error("Sync after Close succeeded")
	}
}
