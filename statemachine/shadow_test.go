package statemachine

import (
	"strings"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// Writes that reach an fts5 table's shadow tables directly, which the
// issue found halting every node (the next use of the table fails with
// SQLITE_CORRUPT_VTAB, classified as a broken file).
var shadowWrites = []string{
	"DELETE FROM ft_data WHERE id = 1",
	"INSERT INTO ft_data VALUES (99, x'00')",
	"UPDATE ft_content SET c0 = 'z'",
	"DELETE FROM ft_idx",
	"INSERT INTO ft_docsize VALUES (5, x'01')",
	"UPDATE ft_config SET v = 5",
	"DROP TABLE ft_data",
	"CREATE TRIGGER tr AFTER INSERT ON ft_data BEGIN SELECT 1; END",
	"CREATE TABLE other(a); CREATE TRIGGER tr2 AFTER INSERT ON other BEGIN DELETE FROM ft_data; END; INSERT INTO other VALUES (1)",
}

// From RulesV6 on, a write may not change a virtual table's shadow
// tables: each such statement is refused with SQLite's defensive-mode
// message, changes nothing, and the table keeps working (the node does
// not halt).
func TestShadowTablesAreReadOnlyInWrites(t *testing.T) {
	sm := openTest(t)
	if sm.RulesVersion() < RulesV6 {
		t.Fatalf("a new database at rules version %d", sm.RulesVersion())
	}
	mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x)")
	mustExec(t, sm, "INSERT INTO ft VALUES ('a b c')")
	before := digest(t, sm)
	for _, sql := range shadowWrites {
		r := exec(t, sm, sql)
		if r.Err == nil || !(strings.Contains(r.Err.Error(), "may not be") || strings.Contains(r.Err.Error(), "shadow table")) {
			t.Errorf("%q: %v, want refused as read-only", sql, r.Err)
		}
		if got := digest(t, sm); got.Sum != before.Sum {
			t.Fatalf("%q changed the database", sql)
		}
	}
	mustExec(t, sm, "INSERT INTO ft VALUES ('d')")
	if got := ints(query(t, sm, "SELECT rowid FROM ft WHERE ft MATCH 'a OR d' ORDER BY rowid")); !equalInts(got, []int64{1, 2}) {
		t.Fatalf("fts5 answers %v after the refused writes, want [1 2]", got)
	}
}

// The repro of the issue: under RulesV6 the damaging DELETE is refused, so
// the next insert succeeds; no entry halts apply.
func TestShadowWriteDoesNotHalt(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x)")
	mustExec(t, sm, "INSERT INTO ft VALUES ('a b c')")
	exec(t, sm, "DELETE FROM ft_data WHERE id=1")
	res, err := sm.Apply([]raft.Entry{sqlEntry(sm.AppliedIndex()+1, "INSERT INTO ft VALUES('d')")})
	if err != nil {
		t.Fatalf("apply halted: %v", err)
	}
	if r := res[0].(*Result); r.Err != nil {
		t.Fatalf("insert after the refused delete: %v", r.Err)
	}
}

// Under RulesV5 a shadow table write runs as it always did, and the
// damage it does still halts apply (an old log replays exactly as
// before); the switch to RulesV6 refuses the same write.
func TestShadowWritesBeforeRulesV6(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV5})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x)")
	mustExec(t, sm, "INSERT INTO ft VALUES ('a b c')")
	mustExec(t, sm, "CREATE VIRTUAL TABLE ok USING fts5(x)")
	if r := mustExec(t, sm, "DELETE FROM ft_data WHERE id = 1"); r.Statements[0].RowsAffected != 1 {
		t.Fatalf("under RulesV5 the delete changed %d rows, want 1", r.Statements[0].RowsAffected)
	}
	switchTo(t, sm, RulesV6)
	if r := exec(t, sm, "DELETE FROM ok_data"); r.Err == nil || !strings.Contains(r.Err.Error(), "table ok_data may not be modified") {
		t.Fatalf("under RulesV6: %v", r.Err)
	}
	sm5, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV5})
	if err != nil {
		t.Fatal(err)
	}
	defer sm5.Close()
	mustExec(t, sm5, "CREATE VIRTUAL TABLE ft USING fts5(x)")
	mustExec(t, sm5, "INSERT INTO ft VALUES ('a b c')")
	mustExec(t, sm5, "DELETE FROM ft_data WHERE id = 1")
	if _, err := sm5.Apply([]raft.Entry{sqlEntry(sm5.AppliedIndex()+1, "INSERT INTO ft VALUES('d')")}); err == nil {
		t.Fatal("under RulesV5 the corruption did not halt apply")
	}
}

// shadowLoadStatements returns the statements that reload fts5 table name as the
// shell sends a dump's virtual table (repl/vtabload.go): the table
// created, then each shadow table created if missing, emptied, and filled
// with src's rows.
func shadowLoadStatements(t *testing.T, src *StateMachine, name, create string) []string {
	t.Helper()
	stmts := []string{create}
	for _, suffix := range []string{"data", "idx", "content", "docsize", "config"} {
		shadow := name + "_" + suffix
		var ddl []Value
		for _, row := range query(t, src, "SELECT sql FROM sqlite_schema WHERE name = '"+shadow+"'") {
			ddl = row
		}
		if ddl == nil {
			continue
		}
		stmts = append(stmts, strings.Replace(ddl[0].Text, "CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1), "DELETE FROM "+shadow)
		cols := query(t, src, "SELECT group_concat('quote('||name||')', '||'',''||') FROM pragma_table_info('"+shadow+"')")[0][0].Text
		for _, row := range query(t, src, "SELECT "+cols+" FROM "+shadow) {
			stmts = append(stmts, "INSERT INTO "+shadow+" VALUES("+row[0].Text+")")
		}
	}
	return stmts
}

// Within one entry, the shadow tables of a virtual table the entry
// created may be loaded, as a dump reload does: the reloaded table has
// the source's digest and answers as the source does, also after a
// restart and after more writes applied alike to both.
func TestShadowLoadInCreatingEntry(t *testing.T) {
	src := openTest(t)
	const create = "CREATE VIRTUAL TABLE ft USING fts5(x, y)"
	mustExec(t, src, create)
	mustExec(t, src, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500) INSERT INTO ft SELECT printf('w%d common', i % 37), i FROM c")
	mustExec(t, src, "DELETE FROM ft WHERE rowid % 7 = 0")
	load := shadowLoadStatements(t, src, "ft", create)
	dir := t.TempDir()
	dst := openAt(t, dir)
	res, err := dst.Apply([]raft.Entry{blockEntry(dst.AppliedIndex()+1, load...)})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0].(*Result); r.Err != nil {
		t.Fatalf("load: %v", r.Err)
	}
	if got, want := digest(t, dst).Sum, digest(t, src).Sum; got != want {
		t.Fatal("the loaded table's digest differs from the source's")
	}
	const match = "SELECT count(*) FROM ft WHERE ft MATCH 'w5 OR w6'"
	if got, want := ints(query(t, dst, match)), ints(query(t, src, match)); !equalInts(got, want) {
		t.Fatalf("loaded table matches %v, source %v", got, want)
	}
	more := []string{"INSERT INTO ft VALUES ('w5 again', 1)", "DELETE FROM ft WHERE rowid = 3", "UPDATE ft SET x = 'w6' WHERE rowid = 5"}
	for i, sql := range more {
		mustExec(t, src, sql)
		if i == 1 {
			dst.Close()
			dst = openAt(t, dir)
		}
		mustExec(t, dst, sql)
	}
	if got, want := digest(t, dst).Sum, digest(t, src).Sum; got != want {
		t.Fatal("after more writes the digests differ")
	}
	if r := mustExec(t, dst, "INSERT INTO ft(ft) VALUES ('integrity-check')"); r.Err != nil {
		t.Fatal(r.Err)
	}
}

// The lift is narrow: not in a later entry, not after the entry used the
// table, not for a table the entry did not create, and a lifted statement
// may do nothing but load shadow tables.
func TestShadowLoadRefused(t *testing.T) {
	const create = "CREATE VIRTUAL TABLE ft USING fts5(x)"
	for _, block := range [][]string{
		{create, "INSERT INTO ft VALUES ('a')", "DELETE FROM ft_data"},
		{create, "SELECT count(*) FROM ft", "DELETE FROM ft_data"},
		{create, "DELETE FROM old_data"},
		{create, "INSERT INTO ft_data SELECT rowid, x FROM ft"},
		{create, "CREATE TRIGGER tr AFTER INSERT ON ft_data BEGIN SELECT 1; END"},
		{create, "DROP TABLE ft_data"},
		{create, "ALTER TABLE ft_data ADD COLUMN z"},
		{create, "CREATE TABLE other(a)", "CREATE TRIGGER tr AFTER INSERT ON other BEGIN DELETE FROM ft_data; END"},
		{create, "INSERT INTO ft_data VALUES (random(), x'00')"},
	} {
		sm := openTest(t)
		mustExec(t, sm, "CREATE VIRTUAL TABLE old USING fts5(x)")
		res, err := sm.Apply([]raft.Entry{blockEntry(sm.AppliedIndex()+1, block...)})
		if err != nil {
			t.Fatal(err)
		}
		r := res[0].(*Result)
		if r.Err == nil || r.Err.Statement != len(block)-1 {
			t.Errorf("%q: %v, want the last statement refused", block, r.Err)
		}
		if got := ints(query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'old%' AND name NOT LIKE '_resqlite%'")); !equalInts(got, []int64{0}) {
			t.Errorf("%q left %v objects", block, got)
		}
	}
	sm := openTest(t)
	mustExec(t, sm, create)
	if r := exec(t, sm, "DELETE FROM ft_data"); r.Err == nil || !strings.Contains(r.Err.Error(), "may not be modified") {
		t.Errorf("a later entry loading the shadow tables: %v", r.Err)
	}
}

// From RulesV6 on, a virtual table's report that its shadow tables are
// inconsistent (SQLITE_CORRUPT_VTAB) is the statement's error: here the
// inconsistent rows came through a load, apply goes on, and the table can
// be dropped.
func TestVtabCorruptionIsAStatementError(t *testing.T) {
	sm := openTest(t)
	res, err := sm.Apply([]raft.Entry{blockEntry(sm.AppliedIndex()+1,
		"CREATE VIRTUAL TABLE ft USING fts5(x)", "DELETE FROM ft_data WHERE id = 1")})
	if err != nil || res[0].(*Result).Err != nil {
		t.Fatalf("load: %v %v", err, res[0].(*Result).Err)
	}
	res, err = sm.Apply([]raft.Entry{sqlEntry(sm.AppliedIndex()+1, "INSERT INTO ft VALUES('d')")})
	if err != nil {
		t.Fatalf("apply halted: %v", err)
	}
	r := res[0].(*Result)
	if r.Err == nil || r.Err.Code != 267 {
		t.Fatalf("insert into the inconsistent table: %v, want SQLITE_CORRUPT_VTAB (267)", r.Err)
	}
	mustExec(t, sm, "DROP TABLE ft")
	mustExec(t, sm, "CREATE TABLE t(a)")
}

// Defensive mode leaves the module's own work alone: an fts5 table is
// optimized, rebuilt, configured and dropped as before.
func TestVtabMaintenanceUnderRulesV6(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x)")
	mustExec(t, sm, "INSERT INTO ft VALUES ('a b'), ('c')")
	mustExec(t, sm, "INSERT INTO ft(ft) VALUES ('optimize')")
	mustExec(t, sm, "INSERT INTO ft(ft) VALUES ('rebuild')")
	mustExec(t, sm, "INSERT INTO ft(ft, rank) VALUES ('pgsz', 8000)")
	if got := ints(query(t, sm, "SELECT count(*) FROM ft WHERE ft MATCH 'c'")); !equalInts(got, []int64{1}) {
		t.Fatalf("after maintenance: %v", got)
	}
	mustExec(t, sm, "DROP TABLE ft")
	if got := ints(query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ft%'")); !equalInts(got, []int64{0}) {
		t.Fatalf("after drop: %v objects", got)
	}
}

// fts5 reads PRAGMA data_version when it first reads its index on a
// connection. Under RulesV2 to RulesV5 a write refused it, but only on a
// node that had not cached that statement since it started: a restarted
// node failed an fts5 DELETE that the others applied. From RulesV6 on a
// module may read it while a write runs, on every node alike; a user's
// write still may not.
func TestFts5WriteAfterRestart(t *testing.T) {
	for _, v := range []RulesVersion{RulesV5, RulesV6} {
		dir := t.TempDir()
		sm, err := Open(dir, Options{ReadConns: 1, NewDatabaseRules: v})
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x)")
		mustExec(t, sm, "INSERT INTO ft VALUES ('a b'), ('c')")
		sm.Close()
		sm = openAt(t, dir)
		r := exec(t, sm, "DELETE FROM ft WHERE rowid = 1")
		switch {
		case v < RulesV6 && (r.Err == nil || !strings.Contains(r.Err.Error(), "data_version")):
			t.Errorf("under rules %d: %v, want the old refusal", v, r.Err)
		case v >= RulesV6 && r.Err != nil:
			t.Errorf("under rules %d: %v", v, r.Err)
		}
		if v >= RulesV6 {
			if r := exec(t, sm, "CREATE TABLE t AS SELECT * FROM pragma_data_version"); r.Err == nil {
				t.Error("a write read data_version")
			}
		}
	}
}

// An entry that creates a virtual table, writes it and then fails cannot
// be rolled back to its savepoint (SQLite's COMMIT then fails, which
// halted every node); from RulesV6 on its whole transaction is rolled
// back and the entries before it applied again: the entry fails alone.
func TestFailedEntryCreatingVtab(t *testing.T) {
	for _, v := range []RulesVersion{RulesV5, RulesV6} {
		sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: v})
		if err != nil {
			t.Fatal(err)
		}
		defer sm.Close()
		mustExec(t, sm, "CREATE TABLE t(a CHECK (a < 10))")
		i := sm.AppliedIndex()
		res, err := sm.Apply([]raft.Entry{
			sqlEntry(i+1, "INSERT INTO t VALUES (1)"),
			blockEntry(i+2, "CREATE VIRTUAL TABLE ft USING fts5(x)", "INSERT INTO ft VALUES ('a')", "INSERT INTO t VALUES (99)"),
			sqlEntry(i+3, "INSERT INTO t VALUES (2)"),
		})
		if v < RulesV6 {
			if err == nil {
				t.Error("under RulesV5 the entry did not halt apply")
			}
			continue
		}
		if err != nil {
			t.Fatalf("apply halted: %v", err)
		}
		if r := res[1].(*Result); r.Err == nil || r.Err.Statement != 2 {
			t.Fatalf("the failing entry: %v", r.Err)
		}
		if got := ints(query(t, sm, "SELECT a FROM t ORDER BY a")); !equalInts(got, []int64{1, 2}) {
			t.Fatalf("rows %v, want [1 2]", got)
		}
		if got := ints(query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ft%'")); !equalInts(got, []int64{0}) {
			t.Fatalf("the failed entry left %v objects", got)
		}
	}
}

// Without touching a shadow table, fts5's 'delete' command given values
// the row was not indexed with leaves the index inconsistent, as fts5
// documents: the same 'delete' again reports SQLITE_CORRUPT_VTAB. Under
// RulesV5 that halted apply on every node; from RulesV6 on it is the
// statement's error, and the table can still be dropped.
func TestFts5InconsistentIndex(t *testing.T) {
	for _, v := range []RulesVersion{RulesV5, RulesV6} {
		sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: v})
		if err != nil {
			t.Fatal(err)
		}
		defer sm.Close()
		mustExec(t, sm, "CREATE VIRTUAL TABLE ft USING fts5(x, content='')")
		mustExec(t, sm, "INSERT INTO ft(rowid, x) VALUES (1, 'a b c')")
		mustExec(t, sm, "INSERT INTO ft(ft, rowid, x) VALUES ('delete', 1, 'x y z')")
		res, err := sm.Apply([]raft.Entry{sqlEntry(sm.AppliedIndex()+1, "INSERT INTO ft(ft, rowid, x) VALUES ('delete', 1, 'x y z')")})
		if v < RulesV6 {
			if err == nil {
				t.Errorf("under RulesV5: %v, want apply halted", res[0].(*Result).Err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("apply halted: %v", err)
		}
		if r := res[0].(*Result); r.Err == nil || r.Err.Code != 267 {
			t.Fatalf("the second delete: %v, want SQLITE_CORRUPT_VTAB", r.Err)
		}
		mustExec(t, sm, "DROP TABLE ft")
	}
}

// Rows loaded into a new fts5 table's shadow tables may be inconsistent
// in ways the module finds only when it flushes what a later write
// added, which SQLite does when a savepoint is opened or released, or at
// COMMIT: outside any statement of the user's. From RulesV6 on apply
// flushes the modules at the end of each entry, so such an error is that
// entry's (its transaction rolled back), the same on every node; apply
// goes on and the table can be dropped.
func TestVtabFlushErrorIsTheEntrys(t *testing.T) {
	for _, load := range []string{
		"UPDATE ft_data SET block = x'ffffffffffffffff' WHERE id = 10",
		"DELETE FROM ft_data WHERE id = 10",
		"UPDATE ft_config SET v = 99 WHERE k = 'version'",
	} {
		sm := openTest(t)
		mustExec(t, sm, "CREATE TABLE t(a)")
		res, err := sm.Apply([]raft.Entry{blockEntry(sm.AppliedIndex()+1, "CREATE VIRTUAL TABLE ft USING fts5(x)", load)})
		if err != nil || res[0].(*Result).Err != nil {
			t.Fatalf("load %q: %v %v", load, err, res[0].(*Result).Err)
		}
		i := sm.AppliedIndex()
		res, err = sm.Apply([]raft.Entry{
			sqlEntry(i+1, "INSERT INTO t VALUES (1)"),
			blockEntry(i+2, "INSERT INTO t VALUES (2)", "INSERT INTO ft VALUES ('x y')"),
			sqlEntry(i+3, "INSERT INTO t VALUES (3)"),
		})
		if err != nil {
			t.Fatalf("%q: apply halted: %v", load, err)
		}
		if r := res[1].(*Result); r.Err == nil {
			t.Errorf("%q: the insert into the table succeeded", load)
		}
		if got := ints(query(t, sm, "SELECT a FROM t ORDER BY a")); !equalInts(got, []int64{1, 3}) {
			t.Errorf("%q: rows %v, want [1 3]", load, got)
		}
		mustExec(t, sm, "DROP TABLE ft")
	}
}
