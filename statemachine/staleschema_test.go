package statemachine

import (
	"context"
	"testing"
)

// TestReadsSeeCurrentSchema (issue 14, bug 7): a pooled read connection
// that compiled statements against a table must not keep that table's old
// definition after another connection dropped and re-created it: checks
// made while a statement is prepared (a sub-select's column count, a
// compound SELECT's) use the schema of the state the read sees, on every
// connection of the pool, as sqlite3 does (it prints 0 for each).
func TestReadsSeeCurrentSchema(t *testing.T) {
	sm := openTest(t)
	readers := cap(sm.readers)
	mustExec(t, sm, "CREATE TABLE t(a, b, c)")
	for range 2 * readers { // every pooled connection loads the 3-column t
		query(t, sm, "SELECT count(*) FROM t")
	}
	mustExec(t, sm, "DROP TABLE t")
	mustExec(t, sm, "CREATE TABLE t(x)")
	for _, sql := range []string{"SELECT 1 IN t", "SELECT * FROM t UNION SELECT 1", "SELECT (SELECT * FROM t)"} {
		for i := range 2 * readers {
			rows, err := sm.Query(context.Background(), sql)
			if err != nil {
				t.Errorf("%s (read %d): %v", sql, i, err)
				continue
			}
			if len(rows.Rows) != 1 || len(rows.Rows[0]) != 1 {
				t.Errorf("%s (read %d): %v, want one row of one column", sql, i, rows.Rows)
			}
		}
	}
}

// TestPrecheckSeesCurrentSchema: the pre-check of a write judges it
// against the schema of the state it reads, not a read connection's stale
// copy: a valid INSERT … SELECT is neither refused nor deferred.
func TestPrecheckSeesCurrentSchema(t *testing.T) {
	sm := openTest(t)
	readers := cap(sm.readers)
	mustExec(t, sm, "CREATE TABLE t(a, b, c)")
	mustExec(t, sm, "CREATE TABLE u(y)")
	for range 2 * readers {
		query(t, sm, "SELECT count(*) FROM t")
	}
	mustExec(t, sm, "DROP TABLE t")
	mustExec(t, sm, "CREATE TABLE t(x)")
	for i := range 2 * readers {
		chk, err := sm.Precheck(context.Background(), "INSERT INTO u SELECT 1 IN t")
		if err != nil || chk.Deferred || chk.Statements != 1 {
			t.Errorf("Precheck (%d): %+v, %v; want one statement judged now", i, chk, err)
		}
	}
}
