package statemachine

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestConnectionHistoryFunctionsRefusedInReads (issue 14, bug 3): after a
// write, a query calling last_insert_rowid(), changes() or
// total_changes() is refused with an error that says why, never answered
// with the read connection's 0; other functions still work in reads.
func TestConnectionHistoryFunctionsRefusedInReads(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	if r := mustExec(t, sm, "INSERT INTO t VALUES (1), (2)"); r.Statements[0].LastInsertRowID != 2 || r.Statements[0].RowsAffected != 2 {
		t.Fatalf("the write's result: %+v", r.Statements[0])
	}
	for _, sql := range []string{
		"SELECT last_insert_rowid()", "SELECT changes()", "SELECT total_changes()",
		"SELECT x FROM t WHERE x = CHANGES()", "SELECT (SELECT last_insert_rowid())",
	} {
		_, err := sm.Query(context.Background(), sql)
		var e *Error
		if !errors.As(err, &e) || e.Kind != ErrorRejected || !strings.Contains(e.Message, "not available in a query") {
			t.Errorf("%s: %v, want a refusal that says why", sql, err)
		}
	}
	if got := query(t, sm, "SELECT count(*), random() IS NOT NULL FROM t"); !got[0][0].Equal(Integer(2)) {
		t.Errorf("ordinary read: %v", got)
	}
}
