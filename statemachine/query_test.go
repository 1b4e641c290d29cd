package statemachine

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestValuesKeepSQLiteTypes: values come back with SQLite's storage class,
// whatever the declared column type (a DATE column is not turned into a
// time value, as database/sql drivers do).
func TestValuesKeepSQLiteTypes(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE v(d DATE, ts TIMESTAMP, n NUMERIC, x)")
	r := mustExec(t, sm, "INSERT INTO v VALUES ('2024-01-02', '2024-01-02 03:04:05', '12', x'00ff') RETURNING d, ts, n, x, 1.0, NULL, 'a' || char(0) || 'b'")
	want := []Value{Text("2024-01-02"), Text("2024-01-02 03:04:05"), Integer(12), Blob([]byte{0, 0xff}), Real(1), Null(), Text("a\x00b")}
	got := r.Statements[0].Rows[0]
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("column %d: %v (%v), want %v (%v)", i, got[i], got[i].Type, want[i], want[i].Type)
		}
	}
	rows := query(t, sm, "SELECT d, ts, n, x FROM v")
	for i := range 4 {
		if !rows[0][i].Equal(want[i]) {
			t.Errorf("query column %d: %v, want %v", i, rows[0][i], want[i])
		}
	}
}

func TestQueryErrors(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x UNIQUE)")
	ctx := context.Background()
	var e *Error
	if _, err := sm.Query(ctx, "SELECT * FROM missing"); !errors.As(err, &e) || e.Kind != ErrorParse {
		t.Errorf("missing table: %v", err)
	}
	if _, err := sm.Query(ctx, "SELECT 1; SELECT 2"); !errors.As(err, &e) {
		t.Errorf("two statements: %v", err)
	}
	if _, err := sm.Query(ctx, "SELECT 1; -- comment"); err != nil {
		t.Errorf("trailing comment: %v", err)
	}
	if _, err := sm.Query(ctx, "SELECT abs(-9223372036854775807 - 1)"); !errors.As(err, &e) || e.Kind != ErrorRuntime {
		t.Errorf("integer overflow: %v", err)
	}
	if _, err := sm.Query(ctx, "SELECT ?", Param{Value: Integer(1)}, Param{Value: Integer(2)}); !errors.As(err, &e) {
		t.Errorf("too many parameters: %v", err)
	}
	rows, err := sm.Query(ctx, "SELECT :a + ?2", Param{Name: ":a", Value: Integer(40)}, Param{Value: Integer(2)})
	if err != nil || !rows.Rows[0][0].Equal(Integer(42)) {
		t.Errorf("named and numbered parameters: %v %v", rows, err)
	}
	if r := exec(t, sm, "INSERT INTO t VALUES (?); INSERT INTO t VALUES (2)", Integer(1)); r.Err == nil {
		t.Errorf("parameters bound to several statements were accepted")
	}
	mustExec(t, sm, "INSERT INTO t VALUES (?); -- a trailing comment", Integer(1))
	if r := exec(t, sm, "   -- nothing\n"); r.Err == nil || r.Err.Kind != ErrorParse {
		t.Errorf("empty statement: %+v", r.Err)
	}
	if r := exec(t, sm, "INSERT INTO t VALUES ('a'); INSERT INTO t VALUES ('a')"); r.Err == nil || r.Err.Kind != ErrorRuntime || r.Err.Code != 2067 || len(r.Statements) != 1 {
		t.Errorf("second statement of a text failing: %+v", r)
	}
	if r := exec(t, sm, "SELECT 1; SELEC 2"); r.Err == nil || r.Err.Kind != ErrorParse || r.Err.Offset < 10 {
		t.Errorf("syntax error offset: %+v", r.Err)
	}
}

// TestConcurrentReadsSnapshotsAndApply runs queries, digests and snapshots
// while entries are applied; under -race this checks the locking, and
// every snapshot must restore to exactly its index.
func TestConcurrentReadsSnapshotsAndApply(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(id INTEGER PRIMARY KEY, v)")
	n := 300
	if testing.Short() {
		n = 100
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if g == 0 {
					_, err = sm.Query(context.Background(), "SELECT count(*), max(id) FROM t")
				} else {
					var buf bytes.Buffer
					var idx uint64
					if idx, err = sm.Snapshot(&buf); err == nil && i%5 == 0 {
						other := openTest(t)
						if err = other.Restore(&buf); err == nil && other.AppliedIndex() != idx {
							err = fmt.Errorf("snapshot at %d restored to %d", idx, other.AppliedIndex())
						}
						if err == nil {
							// Entry 1 created the table, each later entry added a row.
							var rows *Rows
							rows, err = other.Query(context.Background(), "SELECT count(*) FROM t")
							if err == nil && rows.Rows[0][0].Int != int64(idx)-1 {
								err = fmt.Errorf("snapshot at index %d holds %d rows", idx, rows.Rows[0][0].Int)
							}
						}
						other.Close()
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range n {
		if _, err := sm.Apply([]raft.Entry{sqlEntry(uint64(i+2), "INSERT INTO t(v) VALUES (?)", Integer(int64(i)))}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// fakeConn is a driver.Conn that is not modernc.org/sqlite's.
type fakeConn struct{ driver.Conn }

func TestRawHandlesRefusesUnknownConnections(t *testing.T) {
	if _, err := rawHandles(fakeConn{}); err == nil {
		t.Fatal("a foreign connection was accepted")
	}
	if _, err := rawHandles(&fakeConn{}); err == nil {
		t.Fatal("a foreign connection was accepted")
	}
}

// TestQueryColumnsFollowSchemaChange: a read connection that cached the
// old schema must report the new table's columns after it is recreated
// (SQLite re-prepares the statement inside the first step).
func TestQueryColumnsFollowSchemaChange(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a, b)")
	mustExec(t, sm, "INSERT INTO t VALUES (1, 2)")
	for range 4 { // every pooled reader caches the two-column schema
		if rows := query(t, sm, "SELECT * FROM t"); len(rows[0]) != 2 {
			t.Fatalf("before: %v", rows)
		}
	}
	mustExec(t, sm, "DROP TABLE t")
	mustExec(t, sm, "CREATE TABLE t(a, b, c)")
	empty, err := sm.Query(context.Background(), "SELECT * FROM t")
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Columns) != 3 {
		t.Errorf("empty result after the schema change has columns %v, want a, b, c", empty.Columns)
	}
	mustExec(t, sm, "INSERT INTO t VALUES (1, 2, 3)")
	for range 4 {
		got, err := sm.Query(context.Background(), "SELECT * FROM t")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Columns) != 3 || len(got.Rows) != 1 || len(got.Rows[0]) != 3 {
			t.Fatalf("after the schema change: columns %v rows %v, want 3 columns", got.Columns, got.Rows)
		}
	}
}
