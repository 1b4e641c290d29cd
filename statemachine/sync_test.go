package statemachine

import (
	"context"
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
	rowsInFileAlone := func() int { return rowsInDatabaseFileAlone(t, filepath.Join(dir, DatabaseFile)) }
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

// TestSyncWithAReaderOpenSyncsTheWAL: while a read transaction is open a
// checkpoint cannot move the frames committed after it began into the
// database file (nor, with synchronous=NORMAL, does SQLite fsync them), so
// Sync must fsync the WAL itself: the rows applied after the reader began
// are then durable, in a WAL file synced after they were written.
func TestSyncWithAReaderOpenSyncsTheWAL(t *testing.T) {
	dir := t.TempDir()
	sm := openAt(t, dir)
	type synced struct {
		path string
		size int64
	}
	var syncs []synced
	sm.fsync = func(path string) error {
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		syncs = append(syncs, synced{path, st.Size()})
		return fsyncPath(path)
	}
	mustExec(t, sm, "CREATE TABLE t(x)")
	mustExec(t, sm, "INSERT INTO t VALUES (1)")
	if err := sm.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}

	// A long read (Dump, Digest, a large query) holds a read transaction.
	r, err := sm.acquireReader(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sm.releaseReader(r)
	r.pol.reset(modeInternal)
	if err := r.c.exec("BEGIN; SELECT count(*) FROM t;"); err != nil {
		t.Fatal(err)
	}
	defer r.c.exec("ROLLBACK")

	for i := 0; i < 20; i++ {
		mustExec(t, sm, "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50) INSERT INTO t SELECT ?1 FROM s", Integer(int64(i)))
	}
	wal := sm.path + "-wal"
	st, err := os.Stat(wal)
	if err != nil {
		t.Fatal(err)
	}
	written := st.Size()
	syncs = nil
	if err := sm.Sync(); err != nil {
		t.Fatalf("Sync with a reader open: %v", err)
	}
	if n := rowsInDatabaseFileAlone(t, sm.path); n == 1001 {
		t.Fatal("the checkpoint moved every row into the database file despite the reader: the test cannot tell whether the WAL is synced")
	}
	for _, s := range syncs {
		if s.path == wal && s.size >= written {
			return
		}
	}
	t.Fatalf("Sync with a reader open fsynced %v: nothing covers the %d bytes of WAL written after the reader began", syncs, written)
}

// rowsInDatabaseFileAlone counts the rows of table t in a copy of the
// database file at path without its WAL: what a power loss leaves if the
// WAL was never synced (0 when the table is not there).
func rowsInDatabaseFileAlone(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
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
