package statemachine

import (
	"context"
	"testing"
)

// TestExplainOfWriteIsARead: EXPLAIN and EXPLAIN QUERY PLAN of a write run
// as reads (the shell's .eqp asks for every statement's plan, and
// sqlite3 users type EXPLAIN UPDATE …): they describe the statement
// without running it, and the data stays as it was.
func TestExplainOfWriteIsARead(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a INTEGER PRIMARY KEY, b)")
	mustExec(t, sm, "INSERT INTO t VALUES (1, 2)")
	ctx := context.Background()
	for _, sql := range []string{
		"EXPLAIN QUERY PLAN UPDATE t SET b = 3 WHERE a = 1",
		"EXPLAIN QUERY PLAN DELETE FROM t WHERE a IN (SELECT a FROM t)",
		"EXPLAIN INSERT INTO t VALUES (2, 3)",
		"EXPLAIN DELETE FROM t",
		"explain query plan insert into t select a + 10, b from t",
	} {
		rows, err := sm.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if len(rows.Rows) == 0 {
			t.Fatalf("%s: no rows", sql)
		}
	}
	rows := query(t, sm, "SELECT a, b FROM t")
	if len(rows) != 1 || !rows[0][0].Equal(Integer(1)) || !rows[0][1].Equal(Integer(2)) {
		t.Fatalf("data changed by an EXPLAIN: %v", rows)
	}
	if _, err := sm.Query(ctx, "UPDATE t SET b = 3"); err != ErrNotReadOnly {
		t.Fatalf("write through Query: %v, want ErrNotReadOnly", err)
	}
}
