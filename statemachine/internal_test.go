package statemachine

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"modernc.org/sqlite"

	"github.com/resqlite/resqlite/raft"
)

// v2MetaSchema is MetaTable as a binary of rules version 2, before client
// sessions, left it in a database made at version 2: no leader_time, no
// session tables.
const v2MetaSchema = oldMetaSchema + `
ALTER TABLE ` + MetaTable + ` ADD COLUMN ` + rulesColumn + ` INTEGER;
ALTER TABLE ` + MetaTable + ` ADD COLUMN ` + initialRulesColumn + ` INTEGER;
ALTER TABLE ` + MetaTable + ` ADD COLUMN ` + appliedTermColumn + ` INTEGER NOT NULL DEFAULT 0;
UPDATE ` + MetaTable + ` SET ` + rulesColumn + ` = 2, ` + initialRulesColumn + ` = 2;
`

// makeOldDatabase writes, in dir, a database as an older binary left it:
// base (oldMetaSchema or v2MetaSchema) then sql. It returns what
// sqlite_schema held there, as schemaRows lists it.
func makeOldDatabase(t *testing.T, dir, base, sql string) [][]Value {
	t.Helper()
	c, err := openConn(&sqlite.Driver{}, filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.exec(base + sql); err != nil {
		t.Fatal(err)
	}
	var rows [][]Value
	if err := c.each(schemaQuery, func(row []Value) { rows = append(rows, row) }); err != nil {
		t.Fatal(err)
	}
	return rows
}

// schemaQuery lists sqlite_schema, internal objects included, in rowid
// order (the order a write that reads it sees), without the root pages.
const schemaQuery = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid"

// schemaRows runs schemaQuery on sm.
func schemaRows(t testing.TB, sm *StateMachine) [][]Value {
	t.Helper()
	return query(t, sm, schemaQuery)
}

// openV2 opens a new database at rules version 2 (a node joining a cluster
// that started there).
func openV2(t testing.TB) *StateMachine {
	t.Helper()
	sm, err := Open(t.TempDir(), Options{ReadConns: 2, NewDatabaseRules: RulesV2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sm.Close() })
	return sm
}

// sessionTables reports which session tables, and whether MetaTable's
// leader_time column, the database of sm has.
func sessionTables(t testing.TB, sm *StateMachine) (tables int64, leaderTime bool) {
	t.Helper()
	tables = count(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name IN ('"+SessionsTable+"', '"+SessionResultsTable+"')")
	leaderTime = count(t, sm, "SELECT count(*) FROM pragma_table_info('"+MetaTable+"') WHERE name = '"+leaderTimeColumn+"'") == 1
	return tables, leaderTime
}

// wantSessionTables fails the test unless sm's database has both session
// tables and leader_time (want) or neither.
func wantSessionTables(t testing.TB, sm *StateMachine, want bool, when string) {
	t.Helper()
	n, lt := sessionTables(t, sm)
	if want && (n != 2 || !lt) || !want && (n != 0 || lt) {
		t.Fatalf("%s: %d session tables, leader_time %v; want them: %v", when, n, lt, want)
	}
}

// A database at rules version 2, made before client sessions, opened by
// this binary gets no session tables: a write that reads sqlite_schema
// gives what it gave before the upgrade (and gives on nodes not upgraded
// yet), also after a restart.
func TestV2DatabaseOpensWithoutSessionTables(t *testing.T) {
	dir := t.TempDir()
	before := makeOldDatabase(t, dir, v2MetaSchema, "CREATE TABLE t(x);")
	sm := openAt(t, dir)
	if v := sm.RulesVersion(); v != RulesV2 {
		t.Fatalf("rules version %d, want 2", v)
	}
	wantSessionTables(t, sm, false, "after Open")
	if got := schemaRows(t, sm); !reflect.DeepEqual(got, before) {
		t.Fatalf("sqlite_schema after Open:\n%v\nbefore the upgrade:\n%v", got, before)
	}
	mustExec(t, sm, "INSERT INTO t SELECT count(*) FROM sqlite_schema")
	sm = restart(t, sm)
	wantSessionTables(t, sm, false, "after a restart")
	mustExec(t, sm, "INSERT INTO t SELECT count(*) FROM sqlite_schema")
	if got := query(t, sm, "SELECT group_concat(x) FROM t"); got[0][0].Text != "2,2" {
		t.Fatalf("counts of sqlite_schema read by writes: %v, want 2,2 (as before the upgrade)", got[0][0])
	}
}

// A new database starts at RulesV3 with its session tables.
func TestNewDatabaseHasSessionTables(t *testing.T) {
	sm := openTest(t)
	wantSessionTables(t, sm, true, "new database")
	want := []string{MetaTable, SessionsTable, SessionResultsTable, RestoreTable}
	var got []string
	for _, row := range schemaRows(t, sm) {
		got = append(got, row[1].Text)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("new database's schema %v, want %v", got, want)
	}
	wantSessionTables(t, restart(t, sm), true, "after a restart")
}

// switchLog is a log whose rules entry (at 5) switches a database at
// rules version 2 to 3, with writes that read sqlite_schema around it, a
// registration refused before it and one honoured after it, and an entry
// after it that ends the transaction itself (so a batch runs the switch
// twice).
func switchLog() []raft.Entry {
	var log []raft.Entry
	add := func(e raft.Entry) { e.Index = uint64(len(log) + 1); log = append(log, e) }
	add(sqlEntry(0, "CREATE TABLE t(x UNIQUE)"))
	add(sqlEntry(0, "INSERT INTO t SELECT count(*) FROM sqlite_schema")) // meta, t, its index: 3
	add(registerEntry(0, t0))                                            // refused under V2
	add(sqlEntry(0, "CREATE TABLE u(x)"))
	add(rulesEntry(0, RulesV3))
	add(sqlEntry(0, "INSERT INTO t SELECT 100 + count(*) FROM sqlite_schema")) // + u and the session tables: 106
	add(registerEntry(0, t0))                                                  // session 7
	add(sessionEntry(0, 7, 1, 0, t0, "INSERT INTO t VALUES (7)"))
	add(blockEntry(0, "INSERT INTO t VALUES (8)", "INSERT OR ROLLBACK INTO t VALUES (7)")) // ends the transaction
	add(sqlEntry(0, "INSERT INTO t SELECT 1000 + count(*) FROM sqlite_schema"))            // 1006
	return log
}

// The rules entry that switches to RulesV3 creates the session tables at
// its log position: the same results, digest and sqlite_schema whether
// the entries are applied one per call or in one batch.
func TestV3SwitchCreatesSessionTables(t *testing.T) {
	log := switchLog()
	one, all := openV2(t), openV2(t)
	wantSessionTables(t, one, false, "new database at rules version 2")
	a, b := applyAll(t, one, log, false), applyAll(t, all, log, true)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("results differ between one entry per call and one batch:\n%+v\n%+v", a, b)
	}
	if a[2].Err == nil || a[2].SessionID != 0 || a[6].Err != nil || a[6].SessionID != 7 || a[7].Err != nil || a[7].SessionErr != nil || a[8].Err == nil {
		t.Fatalf("results: refused registration %+v, registration %+v, session write %+v, ending entry %+v", a[2], a[6], a[7], a[8])
	}
	for _, sm := range []*StateMachine{one, all} {
		wantSessionTables(t, sm, true, "after the switch")
		if got := query(t, sm, "SELECT group_concat(x) FROM (SELECT x FROM t ORDER BY rowid)"); got[0][0].Text != "3,106,7,1006" {
			t.Fatalf("rows of t %v, want 3,106,7,1006", got[0][0])
		}
	}
	if da, db := digest(t, one), digest(t, all); da != db {
		t.Fatalf("digests differ: %v, %v", da, db)
	}
	sa, sb := schemaRows(t, one), schemaRows(t, all)
	if !reflect.DeepEqual(sa, sb) {
		t.Fatalf("sqlite_schema differs:\n%v\n%v", sa, sb)
	}
	var names []string
	for _, row := range sa {
		names = append(names, row[1].Text)
	}
	if want := []string{MetaTable, "t", "sqlite_autoindex_t_1", "u", SessionsTable, SessionResultsTable}; !reflect.DeepEqual(names, want) {
		t.Fatalf("sqlite_schema %v, want %v", names, want)
	}
}

// A node restored from a snapshot taken at rules version 2 has no session
// tables until it applies the switch to RulesV3, which creates them as on
// the node the snapshot came from.
func TestRestoredV2SnapshotGetsSessionTablesAtSwitch(t *testing.T) {
	log := switchLog()
	src := openV2(t)
	applyAll(t, src, log[:4], true)
	var buf bytes.Buffer
	if _, err := src.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	dst := openTest(t)
	if err := dst.Restore(&buf); err != nil {
		t.Fatal(err)
	}
	if v := dst.RulesVersion(); v != RulesV2 {
		t.Fatalf("restored at rules version %d, want 2", v)
	}
	wantSessionTables(t, dst, false, "restored from a V2 snapshot")
	if got, want := schemaRows(t, dst), schemaRows(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("sqlite_schema restored:\n%v\nsnapshot's node:\n%v", got, want)
	}
	a, b := applyAll(t, src, log[4:], false), applyAll(t, dst, log[4:], true)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("results differ:\n%+v\n%+v", a, b)
	}
	wantSessionTables(t, dst, true, "restored node after the switch")
	if da, db := digest(t, src), digest(t, dst); da != db {
		t.Fatalf("digests differ: %v, %v", da, db)
	}
	if got, want := schemaRows(t, dst), schemaRows(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("sqlite_schema of the restored node:\n%v\nof the snapshot's node:\n%v", got, want)
	}
}

// Under every rules version, no write may create an object under an
// internal table's exact name, in any letter case, nor rename a table to
// one: the switch to RulesV3 must always find the session tables' names
// free.
func TestInternalNamesRefusedUnderEveryRulesVersion(t *testing.T) {
	refused := []string{
		"CREATE TABLE _RESQLITE_SESSIONS(x)",
		"CREATE TABLE _resqlite_session_results AS SELECT 1",
		"CREATE INDEX _Resqlite_Sessions ON t(x)",
		"CREATE VIEW _resqlite_session_results AS SELECT 1",
		"CREATE TRIGGER _resqlite_sessions AFTER INSERT ON t BEGIN SELECT 1; END",
		"CREATE TRIGGER _resqlite_state AFTER INSERT ON t BEGIN SELECT 1; END",
		"CREATE VIRTUAL TABLE _resqlite_session_results USING fts5(a)",
		"ALTER TABLE t RENAME TO _RESQLITE_SESSION_RESULTS",
		"CREATE TABLE v(x); ALTER TABLE v RENAME TO _resqlite_sessions",
	}
	for _, sm := range []*StateMachine{openOld(t), openV2(t), openTest(t)} {
		v := sm.RulesVersion()
		mustExec(t, sm, "CREATE TABLE t(x)")
		for _, sql := range refused {
			// From RulesV3 on, the session tables hold their names: SQLite
			// itself refuses some of these (a parse error).
			r := exec(t, sm, sql)
			if r.Err == nil || v < RulesV3 && r.Err.Kind != ErrorRejected {
				t.Errorf("rules version %d: %s: %+v (err %v), want rejected", v, sql, r, r.Err)
			}
			if v >= RulesV3 || strings.Contains(sql, "RENAME") {
				continue // the authorizer sees no new name in a RENAME
			}
			var e *Error
			if _, err := sm.Precheck(context.Background(), sql); !errors.As(err, &e) || e.Kind != ErrorRejected {
				t.Errorf("rules version %d: Precheck of %s: %v, want rejected", v, sql, err)
			}
		}
		// MetaTable exists in every database: SQLite refuses a table of its
		// name, or skips it with IF NOT EXISTS, as it always did (old logs
		// replay alike); from RulesV3 on the reserved prefix refuses it.
		r := exec(t, sm, "CREATE TABLE IF NOT EXISTS "+MetaTable+"(x)")
		if v < RulesV3 && r.Err != nil || v >= RulesV3 && (r.Err == nil || r.Err.Kind != ErrorRejected) {
			t.Errorf("rules version %d: CREATE TABLE IF NOT EXISTS %s: %v", v, MetaTable, r.Err)
		}
		if v < RulesV3 {
			mustExec(t, sm, "CREATE TABLE _resqlite_mine(x)") // only RulesV3 reserves the prefix
			switchTo(t, sm, RulesV3)
		}
		wantSessionTables(t, sm, true, "at RulesV3")
		if n := count(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name IN ('v', '_resqlite_sessions')"); n != 1 {
			t.Errorf("rules version %d: %d objects named v or %s after the refused rename, want 1", v, n, SessionsTable)
		}
		id := registerNext(t, sm, t0)
		if r := write(t, sm, id, 1, 0, t0, "INSERT INTO t VALUES (1)"); r.Err != nil || r.SessionErr != nil {
			t.Fatalf("rules version %d: session write after the refusals: %+v", v, r)
		}
	}
}

// Open still refuses a database, of either older format, where a user
// object squats an internal table's name, before anything changes.
func TestOpenRefusesSquatInV2Database(t *testing.T) {
	dir := t.TempDir()
	before := makeOldDatabase(t, dir, v2MetaSchema, "CREATE TABLE t(x); CREATE VIEW _Resqlite_Session_Results AS SELECT 1;")
	sm, err := Open(dir, Options{ReadConns: 1})
	if err == nil {
		sm.Close()
		t.Fatal("Open succeeded on a squatted name")
	}
	if !errors.Is(err, ErrReservedName) || !strings.Contains(err.Error(), "view _Resqlite_Session_Results") {
		t.Fatalf("Open: %v", err)
	}
	c, err := openConn(&sqlite.Driver{}, filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	var after [][]Value
	if err := c.each(schemaQuery, func(row []Value) { after = append(after, row) }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("the refused Open changed sqlite_schema:\n%v\nwas:\n%v", after, before)
	}
}

// A database at RulesV3 that lacks its session tables (a crash between
// the creation of a new database's meta table and of them) gets them at
// Open.
func TestV3DatabaseMissingSessionTablesRepaired(t *testing.T) {
	dir := t.TempDir()
	sm := openAt(t, dir)
	if err := sm.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := openConn(&sqlite.Driver{}, filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	err = c.exec("DROP TABLE " + SessionsTable + "; DROP TABLE " + SessionResultsTable + "; ALTER TABLE " + MetaTable + " DROP COLUMN " + leaderTimeColumn)
	if err = errors.Join(err, c.close()); err != nil {
		t.Fatal(err)
	}
	sm = openAt(t, dir)
	wantSessionTables(t, sm, true, "reopened")
	id := registerNext(t, sm, t0)
	if r := write(t, sm, id, 1, 0, t0, "CREATE TABLE t(x)"); r.Err != nil || r.SessionErr != nil {
		t.Fatalf("session write: %+v", r)
	}
}
