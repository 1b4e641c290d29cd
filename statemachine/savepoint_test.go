package statemachine

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// savepointScript is the REPL's savepoints oracle script
// (repl/testdata/oracle/savepoints.sql) as the REPL sends it: a SAVEPOINT
// outside a block opens one that its RELEASE (or COMMIT) sends as one
// entry, SAVEPOINT statements included; BEGIN and COMMIT are not sent.
var savepointScript = [][]string{
	{"CREATE TABLE s(a)"},
	{"SAVEPOINT outer_sp;", "INSERT INTO s VALUES (1);", "SAVEPOINT inner_sp;", "INSERT INTO s VALUES (2);",
		"ROLLBACK TO inner_sp;", "INSERT INTO s VALUES (3);", "RELEASE inner_sp;", "SELECT count(*) FROM s;",
		`RELEASE SAVEPOINT "OUTER_SP";`},
	// SAVEPOINT y; INSERT; COMMIT: y is still open at the entry's end.
	{"SAVEPOINT y;", "INSERT INTO s VALUES (5);"},
	// BEGIN; SAVEPOINT z; …; COMMIT.
	{"SAVEPOINT z;", "INSERT INTO s VALUES (6);", "RELEASE z;", "INSERT INTO s VALUES (7);"},
	{"RELEASE nosuch;"},
}

func TestSavepointsInsideEntry(t *testing.T) {
	sm := openTest(t)
	var res []*Result
	for _, stmts := range savepointScript {
		r, err := sm.Apply([]raft.Entry{blockEntry(sm.AppliedIndex()+1, stmts...)})
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r[0].(*Result))
	}
	for i, r := range res[:4] {
		if r.Err != nil {
			t.Fatalf("entry %d: %v", i, r.Err)
		}
		if len(r.Statements) != len(savepointScript[i]) {
			t.Fatalf("entry %d: %d results for %d statements", i, len(r.Statements), len(savepointScript[i]))
		}
	}
	if got := res[1].Statements[7].Rows; len(got) != 1 || !got[0][0].Equal(Integer(2)) {
		t.Fatalf("count inside the savepoint block: %v, want 2", got)
	}
	if e := res[4].Err; e == nil || e.Kind != ErrorRuntime || e.Code != 1 || e.Message != "no such savepoint: nosuch" {
		t.Fatalf("RELEASE nosuch: %+v", e)
	}
	rows := query(t, sm, "SELECT group_concat(a) FROM (SELECT a FROM s ORDER BY a)")
	if !rows[0][0].Equal(Text("1,3,5,6,7")) {
		t.Fatalf("content %v, want 1,3,5,6,7 (as sqlite3 3.40 gives for the script)", rows)
	}
}

func TestSavepointsCannotReachTheEntry(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	mustExec(t, sm, "INSERT INTO t VALUES ('kept')")
	noSuch := func(name string) func(*Error) bool {
		return func(e *Error) bool {
			return e.Kind == ErrorRuntime && e.Code == 1 && e.Message == "no such savepoint: "+name
		}
	}
	rejected := func(word string) func(*Error) bool {
		return func(e *Error) bool { return e.Kind == ErrorRejected && strings.Contains(e.Message, word) }
	}
	cases := []struct {
		name  string
		stmts []string
		stmt  int
		want  func(*Error) bool
	}{
		{"release the entry's savepoint", []string{"INSERT INTO t VALUES (1)", "RELEASE " + entrySavepoint}, 1, noSuch(entrySavepoint)},
		{"release it by another case", []string{"INSERT INTO t VALUES (1)", "RELEASE SAVEPOINT _RESQLITE_ENTRY"}, 1, noSuch("_RESQLITE_ENTRY")},
		{"roll back to the entry's savepoint", []string{"INSERT INTO t VALUES (1)", "ROLLBACK TO " + entrySavepoint}, 1, noSuch(entrySavepoint)},
		{"open a reserved name", []string{"SAVEPOINT _Resqlite_entry", "INSERT INTO t VALUES (1)"}, 0, rejected("reserved")},
		{"release twice", []string{"SAVEPOINT a", "INSERT INTO t VALUES (1)", "RELEASE a", "RELEASE a"}, 3, noSuch("a")},
		{"roll back to a released one", []string{"SAVEPOINT a", "SAVEPOINT b", "RELEASE a", "INSERT INTO t VALUES (1)", "ROLLBACK TO b"}, 4, noSuch("b")},
		{"the old internal name is the user's", []string{"INSERT INTO t VALUES (1)", "SAVEPOINT entry", "INSERT INTO t VALUES (2)", "RELEASE entry", "RELEASE entry"}, 4, noSuch("entry")},
		{"failure after an open savepoint", []string{"SAVEPOINT a", "INSERT INTO t VALUES (1)", "INSERT INTO nope VALUES (1)"}, 2, func(e *Error) bool { return e.Kind == ErrorParse }},
		{"failure after a rollback to", []string{"INSERT INTO t VALUES (1)", "SAVEPOINT a", "INSERT INTO t VALUES (2)", "ROLLBACK TO a", "INSERT INTO t VALUES (random())"}, 4, rejected("random")},
		{"begin", []string{"SAVEPOINT a", "INSERT INTO t VALUES (1)", "BEGIN"}, 2, rejected("BEGIN")},
		{"commit", []string{"SAVEPOINT a", "INSERT INTO t VALUES (1)", "COMMIT"}, 2, rejected("COMMIT")},
		{"end", []string{"SAVEPOINT a", "INSERT INTO t VALUES (1)", "END TRANSACTION"}, 2, rejected("COMMIT")},
		{"rollback", []string{"SAVEPOINT a", "INSERT INTO t VALUES (1)", "ROLLBACK"}, 2, rejected("ROLLBACK")},
		{"several in one text", []string{"SAVEPOINT a; INSERT INTO t VALUES (1); RELEASE a; RELEASE a"}, 0, noSuch("a")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			content := "SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY rowid)"
			before := query(t, sm, content)[0][0]
			r, err := sm.Apply([]raft.Entry{blockEntry(sm.AppliedIndex()+1, tc.stmts...)})
			if err != nil {
				t.Fatal(err)
			}
			e := r[0].(*Result).Err
			if e == nil || e.Statement != tc.stmt || !tc.want(e) {
				t.Fatalf("%q: got %+v, want an error in statement %d", tc.stmts, e, tc.stmt)
			}
			if after := query(t, sm, content)[0][0]; !after.Equal(before) {
				t.Fatalf("%q: the failed entry changed the database", tc.stmts)
			}
		})
	}
	// A savepoint left open by an entry is gone in the next one.
	mustExec(t, sm, "SAVEPOINT left_open; INSERT INTO t VALUES ('left')")
	if e := exec(t, sm, "RELEASE left_open").Err; e == nil || !noSuch("left_open")(e) {
		t.Fatalf("RELEASE of a savepoint of an earlier entry: %+v", e)
	}
	rows := query(t, sm, "SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY rowid)")
	if !rows[0][0].Equal(Text("kept,left")) {
		t.Fatalf("content %v", rows)
	}
	// Reads may not use savepoints.
	if _, err := sm.Query(context.Background(), "SAVEPOINT r"); err == nil {
		t.Fatal("a read ran SAVEPOINT")
	}
}

func TestSavepointPrecheck(t *testing.T) {
	sm := openTest(t)
	for _, sql := range []string{"SAVEPOINT a", "RELEASE a", "RELEASE SAVEPOINT a", "ROLLBACK TO a", "ROLLBACK TRANSACTION TO SAVEPOINT a"} {
		if _, err := sm.Precheck(context.Background(), sql); err != nil {
			t.Fatalf("Precheck %q: %v", sql, err)
		}
	}
	_, err := sm.Precheck(context.Background(), "SAVEPOINT _resqlite_x")
	if e, ok := err.(*Error); !ok || e.Kind != ErrorRejected || !strings.Contains(e.Message, "reserved") {
		t.Fatalf("Precheck of a reserved savepoint name: %v", err)
	}
}

// TestSavepointsDeterministic applies entries with savepoints (some that
// fail, one that ends the transaction and makes the batch run again) one
// at a time on one node and in one batch on another: the results and the
// digests must be identical.
func TestSavepointsDeterministic(t *testing.T) {
	var entries []raft.Entry
	add := func(stmts ...string) { entries = append(entries, blockEntry(uint64(len(entries)+1), stmts...)) }
	add("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
	for _, stmts := range savepointScript {
		add(stmts...)
	}
	add("SAVEPOINT a", "INSERT INTO t(v) VALUES ('a')", "SAVEPOINT b", "INSERT INTO t(v) VALUES ('b')", "ROLLBACK TO a", "INSERT INTO t(v) VALUES ('c') RETURNING id")
	add("SAVEPOINT a", "INSERT INTO t(v) VALUES ('d')", "RELEASE a", "RELEASE a")
	add("SAVEPOINT a", "INSERT INTO t(v) VALUES ('e')", "INSERT OR ROLLBACK INTO t(v) VALUES ('c')")
	add("SAVEPOINT a", "INSERT INTO t(v) VALUES ('f')", "SAVEPOINT a", "INSERT INTO t(v) VALUES ('g')", "ROLLBACK TO a", "RELEASE a", "SELECT group_concat(v) FROM t")
	add("SAVEPOINT q", "INSERT INTO t(v) VALUES ('h')")

	one, batched := openTest(t), openTest(t)
	var sep []any
	for _, e := range entries {
		r, err := one.Apply([]raft.Entry{e})
		if err != nil {
			t.Fatal(err)
		}
		sep = append(sep, r[0])
	}
	all, err := batched.Apply(entries)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sep, all) {
		for i := range sep {
			if !reflect.DeepEqual(sep[i], all[i]) {
				t.Errorf("entry %d: alone %+v, in a batch %+v", i+1, sep[i], all[i])
			}
		}
		t.FailNow()
	}
	if digest(t, one) != digest(t, batched) {
		t.Fatal("digests differ between one-at-a-time and batched apply")
	}
	rows := query(t, one, "SELECT group_concat(v) FROM (SELECT v FROM t ORDER BY id)")
	if !rows[0][0].Equal(Text("c,f,h")) {
		t.Fatalf("content %v, want c,f,h", rows)
	}
	last := all[len(all)-2].(*Result)
	if last.Err != nil || !last.Statements[6].Rows[0][0].Equal(Text("c,f")) {
		t.Fatalf("nested same-name savepoints: %+v", last)
	}
	if e := all[len(all)-3].(*Result).Err; e == nil || e.Code != 2067 {
		t.Fatalf("INSERT OR ROLLBACK inside a savepoint: %+v", e)
	}
}
