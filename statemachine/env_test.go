package statemachine

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// TestEnvironmentErrorHalts fills the database up to a page limit set on
// the apply connection (standing in for a full disk): SQLITE_FULL must
// never become a result; Apply fails, nothing of the batch is applied, and
// the state machine halts.
func TestEnvironmentErrorHalts(t *testing.T) {
	dir := t.TempDir()
	sm := openAt(t, dir)
	mustExec(t, sm, "CREATE TABLE t(x)")
	pages := query(t, sm, "SELECT page_count FROM pragma_page_count")[0][0].Int
	sm.w.pol.reset(modeInternal)
	if err := sm.w.c.exec("PRAGMA max_page_count = " + Integer(pages+2).String()); err != nil {
		t.Fatal(err)
	}
	before := digest(t, sm)
	_, err := sm.Apply([]raft.Entry{
		sqlEntry(2, "INSERT INTO t VALUES (1)"),
		sqlEntry(3, "INSERT INTO t SELECT zeroblob(100000)"),
	})
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("Apply over a full database: %v, want an SQLITE_FULL error", err)
	}
	if sm.AppliedIndex() != 1 || digest(t, sm) != before {
		t.Fatalf("a failed batch changed the state: applied %d", sm.AppliedIndex())
	}
	_, err2 := sm.Apply([]raft.Entry{sqlEntry(2, "INSERT INTO t VALUES (1)")})
	if !errors.Is(err2, err) && (err2 == nil || err2.Error() != err.Error()) {
		t.Fatalf("Apply after halt: %v, want the halt error", err2)
	}
	// Restarting (with the default page limit) resumes after index 1.
	sm.Close()
	sm = openAt(t, dir)
	res, err := sm.Apply([]raft.Entry{sqlEntry(2, "INSERT INTO t VALUES (1)"), sqlEntry(3, "INSERT INTO t SELECT zeroblob(100000)")})
	if err != nil || res[1].(*Result).Err != nil {
		t.Fatalf("after restart: %v %v", res, err)
	}
}

// TestEntryWorkLimit: an entry that would run (nearly) forever fails with
// an error result once it exceeds its budget of VM steps, and apply goes on.
func TestEntryWorkLimit(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 1, MaxEntrySteps: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	mustExec(t, sm, "CREATE TABLE t(x)")
	r := exec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) INSERT INTO t SELECT x FROM c")
	if r.Err == nil || !strings.Contains(r.Err.Message, "work limit") {
		t.Fatalf("endless insert: %+v", r.Err)
	}
	r = mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000) INSERT INTO t SELECT x FROM c")
	if r.Statements[0].RowsAffected != 1000 {
		t.Fatalf("bounded insert: %+v", r.Statements[0])
	}
}

func TestOpenRefusesANonDatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, DatabaseFile), []byte(strings.Repeat("not a database ", 300)), 0o644); err != nil {
		t.Fatal(err)
	}
	if sm, err := Open(dir, Options{}); err == nil {
		sm.Close()
		t.Fatal("opened a file that is not a database")
	}
}

func TestClosedStateMachine(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	running := make(chan error, 1)
	go func() {
		_, err := sm.Query(context.Background(), "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
		running <- err
	}()
	// Close once the endless query holds its read connection.
	for deadline := time.Now().Add(10 * time.Second); len(sm.readers) == cap(sm.readers); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the endless query did not take a read connection within 10s")
		}
	}
	if err := sm.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-running; err == nil {
		t.Fatal("an endless query survived Close")
	}
	if err := sm.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := sm.Apply([]raft.Entry{sqlEntry(2, "INSERT INTO t VALUES (1)")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Apply after Close: %v", err)
	}
	if _, err := sm.Query(context.Background(), "SELECT 1"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Query after Close: %v", err)
	}
	if _, err := sm.Snapshot(io.Discard); !errors.Is(err, ErrClosed) {
		t.Fatalf("Snapshot after Close: %v", err)
	}
	if err := sm.WaitApplied(context.Background(), 5); !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitApplied after Close: %v", err)
	}
}

func TestEntryResultLimit(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE big(b)")
	mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 34) INSERT INTO big SELECT zeroblob(1 << 20) FROM c")
	r := exec(t, sm, "DELETE FROM big WHERE rowid = 1; SELECT b FROM big")
	if r.Err == nil || r.Err.Code != 18 || !strings.Contains(r.Err.Message, "bytes of rows") {
		t.Fatalf("oversized result: %+v", r.Err)
	}
	if rows := query(t, sm, "SELECT count(*) FROM big"); !rows[0][0].Equal(Integer(34)) {
		t.Fatalf("the failed entry deleted a row: %v", rows)
	}
}
