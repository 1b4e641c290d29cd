package statemachine

import (
	"strings"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// seriesInsert is the write issue 14 asks for.
const seriesInsert = "INSERT INTO t SELECT value FROM generate_series(1, 10)"

// Under rules older than RulesV5 a write naming generate_series fails with
// "no such table", the same on every node; the rules entry that switches
// to RulesV5 makes the same write succeed, with sqlite3's rows.
func TestGenerateSeriesInWritesNeedsRulesV5(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV4})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	mustExec(t, sm, "CREATE TABLE t(a)")
	if r := exec(t, sm, seriesInsert); r.Err == nil || !strings.Contains(r.Err.Error(), "no such table: generate_series") {
		t.Fatalf("under RulesV4: %v, want no such table", r.Err)
	}
	switchTo(t, sm, RulesV5)
	mustExec(t, sm, seriesInsert)
	rows := query(t, sm, "SELECT count(*), sum(a), min(a), max(a) FROM t")
	if got := rows[0]; got[0].Int != 10 || got[1].Int != 55 || got[2].Int != 1 || got[3].Int != 10 {
		t.Fatalf("after the insert under RulesV5: %v, want 10 rows 1..10", got)
	}
}

// From RulesV5 on, generate_series works in writes as in sqlite3's reads
// (steps, descending, in a CTE, an UPDATE's sub-select, several
// statements of one entry); a user's table named generate_series comes
// first, and once it is dropped the built-in is back. The built-in leaves
// nothing in the connection between statements (sqlite_temp_schema is
// empty), so a node restarted between two entries applies the next alike.
func TestGenerateSeriesInWrites(t *testing.T) {
	sm := openTest(t)
	if sm.RulesVersion() < RulesV5 {
		t.Fatalf("a new database at rules version %d", sm.RulesVersion())
	}
	mustExec(t, sm, "CREATE TABLE t(a)")
	mustExec(t, sm, "INSERT INTO t SELECT value FROM generate_series(1, 10, -3)")
	mustExec(t, sm, "INSERT INTO t SELECT value * 100 FROM GENERATE_SERIES(1, 2); INSERT INTO t VALUES (0)")
	mustExec(t, sm, "UPDATE t SET a = a + (SELECT sum(value) FROM generate_series(1, 3)) WHERE a = 0")
	mustExec(t, sm, "WITH s AS (SELECT value FROM generate_series(7, 8)) INSERT INTO t SELECT value + 1000 FROM s")
	got := ints(query(t, sm, "SELECT a FROM t ORDER BY rowid"))
	want := []int64{10, 7, 4, 1, 100, 200, 6, 1007, 1008}
	if !equalInts(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if r := mustExec(t, sm, "SELECT count(*) FROM sqlite_temp_schema"); r.Statements[0].Rows[0][0].Int != 0 {
		t.Fatalf("a write sees %v objects in the TEMP schema", r.Statements[0].Rows)
	}
	mustExec(t, sm, "CREATE TABLE generate_series(value)")
	mustExec(t, sm, "INSERT INTO generate_series VALUES (42)")
	mustExec(t, sm, "DELETE FROM t")
	mustExec(t, sm, "INSERT INTO t SELECT value FROM generate_series")
	if got := ints(query(t, sm, "SELECT a FROM t")); !equalInts(got, []int64{42}) {
		t.Fatalf("with a user table named generate_series: %v, want its row 42", got)
	}
	// sqlite3 3.40's message for arguments given to a table.
	if r := exec(t, sm, seriesInsert); r.Err == nil || !strings.Contains(r.Err.Error(), "'generate_series' is not a function") {
		t.Fatalf("arguments to the user's table: %v", r.Err)
	}
	mustExec(t, sm, "DROP TABLE generate_series")
	mustExec(t, sm, "DELETE FROM t")
	mustExec(t, sm, seriesInsert)
	if got := ints(query(t, sm, "SELECT count(*) FROM t")); !equalInts(got, []int64{10}) {
		t.Fatalf("after the user's table was dropped: %v rows, want 10", got)
	}
}

// A log using generate_series in writes replays to the same digest on a
// fresh node, restarted in the middle or not, and a failing entry (its
// savepoint rolled back) leaves nothing behind either.
func TestGenerateSeriesInWritesReplays(t *testing.T) {
	sqls := []string{
		"CREATE TABLE t(a INTEGER PRIMARY KEY)",
		seriesInsert,
		"INSERT INTO t SELECT value FROM generate_series(5, 15)", // fails: UNIQUE
		"INSERT INTO t SELECT value FROM generate_series(11, 20)",
		"CREATE TABLE generate_series(value)",
		"INSERT INTO generate_series SELECT a * 2 FROM t WHERE a < 4",
		"INSERT INTO t SELECT value + 100 FROM generate_series",
		"SELECT count(*) FROM sqlite_temp_schema",
	}
	var log []raft.Entry
	for i, s := range sqls {
		log = append(log, sqlEntry(uint64(i+1), s))
	}
	member := openTest(t)
	res, err := member.Apply(log)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[2].(*Result); r.Err == nil || !strings.Contains(r.Err.Error(), "UNIQUE") {
		t.Fatalf("entry 3: %v, want a UNIQUE failure", r.Err)
	}
	if r := res[7].(*Result); r.Err != nil || r.Statements[0].Rows[0][0].Int != 0 {
		t.Fatalf("TEMP schema after the log: %v", r)
	}
	want := digest(t, member)
	if got := ints(query(t, member, "SELECT count(*) FROM t")); !equalInts(got, []int64{23}) {
		t.Fatalf("%v rows, want 23", got)
	}
	dir := t.TempDir()
	fresh := openAt(t, dir)
	for _, e := range log {
		if _, err := fresh.Apply([]raft.Entry{e}); err != nil {
			t.Fatal(err)
		}
		if e.Index == 4 {
			fresh = restart(t, fresh)
		}
	}
	if got := digest(t, fresh); got.Sum != want.Sum {
		t.Fatalf("replay one by one with a restart: digest %v, want %v", got, want)
	}
}

func ints(rows [][]Value) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r[0].Int)
	}
	return out
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Views and triggers, which SQLite binds to the main schema, do not find
// the built-in (sqlite3's is eponymous and they do): using one that names
// generate_series fails with "no such table: main.generate_series", in a
// write and in a read alike, and leaves nothing behind.
func TestGenerateSeriesInViewsAndTriggers(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a)")
	mustExec(t, sm, "CREATE VIEW v AS SELECT value FROM generate_series(1, 3)")
	mustExec(t, sm, "CREATE TRIGGER tr AFTER INSERT ON t WHEN new.a = 99 BEGIN INSERT INTO t SELECT value FROM generate_series(1, 2); END")
	for _, sql := range []string{"INSERT INTO t SELECT * FROM v", "INSERT INTO t VALUES (99)"} {
		if r := exec(t, sm, sql); r.Err == nil || !strings.Contains(r.Err.Error(), "no such table: main.generate_series") {
			t.Errorf("%s: %v, want no such table: main.generate_series", sql, r.Err)
		}
	}
	if _, err := sm.Query(t.Context(), "SELECT * FROM v"); err == nil || !strings.Contains(err.Error(), "no such table: main.generate_series") {
		t.Errorf("read of the view: %v", err)
	}
	if got := ints(query(t, sm, "SELECT count(*) FROM t")); !equalInts(got, []int64{0}) {
		t.Errorf("%v rows, want none", got)
	}
}

func TestNamesSeries(t *testing.T) {
	for sql, want := range map[string]bool{
		"SELECT * FROM generate_series(1)": true, `SELECT * FROM "GENERATE_Series"`: true, "generate_series": true,
		"SELECT 1": false, "generate_serie": false, "": false, "xgenerate_seriesx": true,
	} {
		if got := namesSeries(sql); got != want {
			t.Errorf("namesSeries(%q) = %v", sql, got)
		}
	}
}
