package statemachine

import (
	"testing"

	"github.com/resqlite/resqlite/raft"
)

func TestApplyBasics(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, r REAL, b BLOB)")
	r := mustExec(t, sm, "INSERT INTO t(v, r, b) VALUES (?, ?, ?)", Text("a"), Real(1.5), Blob([]byte{1, 2}))
	if got := r.Statements[0]; got.RowsAffected != 1 || got.LastInsertRowID != 1 {
		t.Fatalf("insert result %+v", got)
	}
	r = mustExec(t, sm, "INSERT INTO t(v) VALUES ('b'), ('c') RETURNING id, v, r")
	st := r.Statements[0]
	if st.RowsAffected != 2 || len(st.Rows) != 2 || st.Columns[1] != "v" || !st.Rows[1][0].Equal(Integer(3)) || !st.Rows[1][2].Equal(Null()) {
		t.Fatalf("returning result %+v", st)
	}
	r = mustExec(t, sm, "CREATE TABLE u(x)")
	if got := r.Statements[0]; got.RowsAffected != 0 || got.LastInsertRowID != 0 {
		t.Fatalf("DDL result %+v, want zero changes and rowid", got)
	}
	rows := query(t, sm, "SELECT id, v, r, b FROM t ORDER BY id")
	if len(rows) != 3 || !rows[0][3].Equal(Blob([]byte{1, 2})) || !rows[0][2].Equal(Real(1.5)) {
		t.Fatalf("rows %v", rows)
	}
	if sm.AppliedIndex() != 4 {
		t.Fatalf("applied %d", sm.AppliedIndex())
	}
	// The fixed settings of the apply connection.
	sm.w.pol.reset(modeInternal)
	for pragma, want := range map[string]Value{
		"journal_mode": Text("wal"), "synchronous": Integer(1), "foreign_keys": Integer(0),
		"recursive_triggers": Integer(0), "trusted_schema": Integer(1),
	} {
		if got, err := sm.w.run("PRAGMA " + pragma); err != nil || !got.Equal(want) {
			t.Errorf("PRAGMA %s = %v (%v), want %v", pragma, got, err, want)
		}
	}
}

func TestApplyEntryFailsAlone(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
	res, err := sm.Apply([]raft.Entry{
		sqlEntry(2, "INSERT INTO t(v) VALUES ('a')"),
		blockEntry(3, "INSERT INTO t(v) VALUES ('b')", "INSERT INTO t(v) VALUES ('a')"),
		{Index: 4, Term: 1, Type: raft.EntryNoop},
		sqlEntry(5, "INSERT INTO t(v) VALUES ('c')"),
		sqlEntry(6, "INSERT INTO nope VALUES (1)"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].(*Result).Err != nil || res[3].(*Result).Err != nil || res[2] != nil {
		t.Fatalf("results %v", res)
	}
	e := res[1].(*Result).Err
	if e == nil || e.Kind != ErrorRuntime || e.Code != 2067 || e.Statement != 1 {
		t.Fatalf("block error %+v", e)
	}
	if e := res[4].(*Result).Err; e == nil || e.Kind != ErrorParse || e.Code != 1 {
		t.Fatalf("missing table error %+v", e)
	}
	rows := query(t, sm, "SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY id)")
	if !rows[0][0].Equal(Text("a,c")) {
		t.Fatalf("content %v", rows)
	}
}

func TestApplyStatementThatEndsTransaction(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
	mustExec(t, sm, `CREATE TABLE log(x);
		CREATE TRIGGER boom BEFORE INSERT ON log WHEN NEW.x = 'boom' BEGIN SELECT RAISE(ROLLBACK, 'exploded'); END`)
	res, err := sm.Apply([]raft.Entry{
		sqlEntry(3, "INSERT INTO t(v) VALUES ('a')"),
		sqlEntry(4, "INSERT INTO t(v) VALUES ('b')"),
		sqlEntry(5, "INSERT OR ROLLBACK INTO t(v) VALUES ('a')"),
		sqlEntry(6, "INSERT INTO t(v) VALUES ('c')"),
		blockEntry(7, "INSERT INTO t(v) VALUES ('d')", "INSERT INTO log VALUES ('boom')"),
		sqlEntry(8, "INSERT INTO t(v) VALUES ('e') RETURNING id"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if e := res[2].(*Result).Err; e == nil || e.Code != 2067 {
		t.Fatalf("INSERT OR ROLLBACK result %+v", e)
	}
	if e := res[4].(*Result).Err; e == nil || e.Message != "exploded" {
		t.Fatalf("RAISE(ROLLBACK) result %+v", e)
	}
	if got := res[5].(*Result).Statements[0].Rows[0][0]; !got.Equal(Integer(4)) {
		t.Fatalf("id after re-apply %v, want 4", got)
	}
	rows := query(t, sm, "SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY id)")
	if !rows[0][0].Equal(Text("a,b,c,e")) {
		t.Fatalf("content %v", rows)
	}
	if sm.AppliedIndex() != 8 {
		t.Fatalf("applied %d", sm.AppliedIndex())
	}
}
