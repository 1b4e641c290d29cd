package statemachine

import (
	"context"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

// determinismSchema is the schema the rejection tests run against.
const determinismSchema = `
CREATE TABLE t(x);
CREATE TABLE u(id INTEGER PRIMARY KEY, v);
CREATE TABLE d(x, y DEFAULT (random()));
CREATE TABLE dt(x, at DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE trig(x);
CREATE TRIGGER trig_random AFTER INSERT ON trig BEGIN INSERT INTO t VALUES (randomblob(4)); END;
CREATE TABLE trig2(x);
CREATE TRIGGER trig_now AFTER INSERT ON trig2 BEGIN INSERT INTO t VALUES (datetime('now')); END;
CREATE VIEW vr AS SELECT random() AS r;
INSERT INTO u VALUES (1, 'one');
`

func TestRejectNonDeterministicWrites(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, determinismSchema)
	cases := []struct {
		name, sql string
		params    []Value
		want      string // must appear in the error message
	}{
		{"random", "INSERT INTO t VALUES (random())", nil, "random()"},
		{"randomblob", "INSERT INTO t VALUES (randomblob(8))", nil, "randomblob()"},
		{"current_timestamp", "INSERT INTO t VALUES (CURRENT_TIMESTAMP)", nil, "current_timestamp()"},
		{"current_date", "INSERT INTO t VALUES (CURRENT_DATE)", nil, "current_date()"},
		{"current_time", "INSERT INTO t VALUES (current_time)", nil, "current_time()"},
		{"changes", "INSERT INTO t VALUES (changes())", nil, "changes()"},
		{"total_changes", "INSERT INTO t VALUES (total_changes())", nil, "total_changes()"},
		{"last_insert_rowid", "INSERT INTO t VALUES (last_insert_rowid())", nil, "last_insert_rowid()"},
		{"sqlite_version", "INSERT INTO t VALUES (sqlite_version())", nil, "sqlite_version()"},
		{"sqlite_source_id", "INSERT INTO t VALUES (sqlite_source_id())", nil, "sqlite_source_id()"},
		{"update", "UPDATE u SET v = random()", nil, "random()"},
		{"delete where", "DELETE FROM u WHERE id < random()", nil, "random()"},
		{"trigger", "INSERT INTO trig VALUES (1)", nil, "randomblob()"},
		{"trigger date now", "INSERT INTO trig2 VALUES (1)", nil, "datetime()"},
		{"default", "INSERT INTO d(x) VALUES (1)", nil, "random()"},
		{"default current_timestamp", "INSERT INTO dt(x) VALUES (1)", nil, "current_timestamp()"},
		{"cte", "WITH c(r) AS (SELECT random()) INSERT INTO t SELECT r FROM c", nil, "random()"},
		{"subquery", "INSERT INTO t VALUES ((SELECT abs(random()) % 10))", nil, "random()"},
		{"upsert", "INSERT INTO u VALUES (1, 'x') ON CONFLICT(id) DO UPDATE SET v = random()", nil, "random()"},
		{"view", "INSERT INTO t SELECT r FROM vr", nil, "random()"},
		{"select in write", "SELECT random()", nil, "random()"},
		{"returning", "INSERT INTO t VALUES (1) RETURNING random()", nil, "random()"},
		{"date now", "INSERT INTO t VALUES (date('now'))", nil, "date()"},
		{"date NOW case", "INSERT INTO t VALUES (date(' NOW '))", nil, "date()"},
		{"date no value", "INSERT INTO t VALUES (date())", nil, "date()"},
		{"time no value", "INSERT INTO t VALUES (time())", nil, "time()"},
		{"datetime localtime", "INSERT INTO t VALUES (datetime('2024-01-01', 'localtime'))", nil, "datetime()"},
		{"datetime utc", "INSERT INTO t VALUES (datetime('2024-01-01', '+1 day', 'UTC'))", nil, "datetime()"},
		{"julianday now", "INSERT INTO t VALUES (julianday('now'))", nil, "julianday()"},
		{"unixepoch no value", "INSERT INTO t VALUES (unixepoch())", nil, "unixepoch()"},
		{"strftime now", "INSERT INTO t VALUES (strftime('%s', 'now'))", nil, "strftime()"},
		{"strftime no value", "INSERT INTO t VALUES (strftime('%Y'))", nil, "strftime()"},
		{"timediff now", "INSERT INTO t VALUES (timediff('now', '2020-01-01'))", nil, "timediff()"},
		{"now as bound value", "INSERT INTO t VALUES (date(?))", []Value{Text("now")}, "date()"},
		{"modifier as bound value", "INSERT INTO t VALUES (datetime('2024-01-01', ?))", []Value{Text("localtime")}, "datetime()"},
		{"now from a column", "INSERT INTO t SELECT date(v) FROM (SELECT 'now' AS v)", nil, "date()"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := digest(t, sm)
			r := exec(t, sm, tc.sql, tc.params...)
			if r.Err == nil {
				t.Fatalf("%q was applied, want it rejected", tc.sql)
			}
			if !strings.Contains(r.Err.Message, tc.want) {
				t.Fatalf("%q: error %q does not name %s", tc.sql, r.Err.Message, tc.want)
			}
			after := digest(t, sm)
			if before.Sum != after.Sum {
				t.Fatalf("%q changed the database although it was rejected", tc.sql)
			}
		})
	}
}

func TestRejectConnectionAndScopeChanges(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	cases := []struct{ name, sql, want string }{
		{"attach", "ATTACH 'other.db' AS o", "ATTACH"},
		{"detach", "DETACH main", "DETACH"},
		{"vacuum", "VACUUM", "VACUUM"},
		{"vacuum into", "VACUUM INTO 'copy.db'", "VACUUM"},
		{"load_extension", "SELECT load_extension('x')", "load_extension"},
		{"temp table", "CREATE TEMP TABLE tt(x)", "TEMP"},
		{"temp table by schema", "CREATE TABLE temp.tt(x)", "TEMP"},
		{"temp view", "CREATE TEMP VIEW tv AS SELECT 1", "TEMP"},
		{"temp trigger", "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", "TEMP"},
		{"foreign_keys", "PRAGMA foreign_keys = ON", "foreign_keys"},
		{"recursive_triggers", "PRAGMA recursive_triggers = 1", "recursive_triggers"},
		{"journal_mode", "PRAGMA journal_mode = DELETE", "journal_mode"},
		{"synchronous", "PRAGMA synchronous = OFF", "synchronous"},
		{"locking_mode", "PRAGMA locking_mode = EXCLUSIVE", "locking_mode"},
		{"reverse_unordered_selects", "PRAGMA reverse_unordered_selects = 1", "reverse_unordered_selects"},
		{"database_list", "PRAGMA database_list", "database_list"},
		{"begin", "BEGIN", "BEGIN"},
		{"commit", "COMMIT", "COMMIT"},
		{"rollback", "ROLLBACK", "ROLLBACK"},
		{"reserved savepoint", "SAVEPOINT _resqlite_entry", "reserved"},
		{"pragma function", "INSERT INTO t SELECT file FROM pragma_database_list", "database_list"},
		{"dbstat", "INSERT INTO t SELECT count(*) FROM dbstat", "dbstat"},
		{"sqlite_dbpage read", "INSERT INTO t SELECT count(*) FROM sqlite_dbpage", "sqlite_dbpage"},
		{"sqlite_dbpage write", "UPDATE sqlite_dbpage SET data = zeroblob(4096) WHERE pgno = 1", "sqlite_dbpage"},
		{"dbstat module", "CREATE VIRTUAL TABLE st USING dbstat", "dbstat"},
		{"meta insert", "INSERT INTO _resqlite_state VALUES (2, 0, 0, NULL)", "reserved"},
		{"meta update", "UPDATE _resqlite_state SET applied_index = 0", "reserved"},
		{"meta drop", "DROP TABLE _resqlite_state", "reserved"},
		{"meta rename", "ALTER TABLE _resqlite_state RENAME TO mine", "reserved"},
		{"meta add column", "ALTER TABLE _resqlite_state ADD COLUMN z", "reserved"},
		{"meta index", "CREATE INDEX mi ON _resqlite_state(config)", "reserved"},
		{"meta trigger", "CREATE TRIGGER mt AFTER UPDATE ON _resqlite_state BEGIN SELECT 1; END", "reserved"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := exec(t, sm, tc.sql)
			if r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(r.Err.Message, tc.want) {
				t.Fatalf("%q: got %+v, want a rejection naming %s", tc.sql, r.Err, tc.want)
			}
		})
	}
	if sm.AppliedIndex() != uint64(len(cases)+1) {
		t.Fatalf("applied %d", sm.AppliedIndex())
	}
}

func TestDeterministicFormsAllowed(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x, day AS (date(x)) STORED)")
	mustExec(t, sm, "CREATE INDEX t_month ON t(strftime('%Y-%m', x))")
	cases := []struct {
		sql  string
		want Value
	}{
		{"SELECT date('2024-02-28', '+1 day')", Text("2024-02-29")},
		{"SELECT datetime(1700000000, 'unixepoch')", Text("2023-11-14 22:13:20")},
		{"SELECT strftime('%Y', '2024-05-06')", Text("2024")},
		{"SELECT julianday('2000-01-01 12:00:00')", Real(2451545)},
		{"SELECT unixepoch('1970-01-02')", Integer(86400)},
		{"SELECT time('12:34:56', '+1 hour')", Text("13:34:56")},
		{"SELECT timediff('2024-01-02', '2024-01-01')", Text("+0000-00-01 00:00:00.000")},
		{"SELECT date(NULL)", Null()},
		{"SELECT abs(-3), upper('x'), typeof(1.0), hex(zeroblob(2)), json_array(1, 2)", Integer(3)},
	}
	for _, tc := range cases {
		r := mustExec(t, sm, tc.sql)
		if got := r.Statements[0].Rows[0][0]; !got.Equal(tc.want) {
			t.Errorf("%q = %v, want %v", tc.sql, got, tc.want)
		}
	}
	mustExec(t, sm, "INSERT INTO t(x) VALUES ('2024-03-04 05:06:07')")
	mustExec(t, sm, "PRAGMA user_version = 7")
	mustExec(t, sm, "PRAGMA index_list(t)")
	mustExec(t, sm, "PRAGMA table_info(t)")
	rows := query(t, sm, "SELECT day, (SELECT user_version FROM pragma_user_version) FROM t WHERE strftime('%Y-%m', x) = '2024-03'")
	if len(rows) != 1 || !rows[0][0].Equal(Text("2024-03-04")) || !rows[0][1].Equal(Integer(7)) {
		t.Fatalf("rows %v", rows)
	}
}

// TestReadsMayUseAnyFunction: reads may call the functions writes refuse,
// but for those that describe the connection's own changes (see
// TestConnectionHistoryFunctionsRefusedInReads).
func TestReadsMayUseAnyFunction(t *testing.T) {
	sm := openTest(t)
	ctx := context.Background()
	rows, err := sm.Query(ctx, "SELECT random(), randomblob(2), CURRENT_TIMESTAMP, date('now'), datetime('now', 'localtime'), sqlite_version(), julianday()")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Rows) != 1 || len(rows.Columns) != 7 || rows.Rows[0][3].Type != TypeText {
		t.Fatalf("rows %+v", rows)
	}
	if _, err := sm.Query(ctx, "CREATE TABLE x(y)"); err != ErrNotReadOnly {
		t.Fatalf("write through Query: %v, want ErrNotReadOnly", err)
	}
	for _, sql := range []string{"ATTACH 'x.db' AS x", "PRAGMA journal_mode = DELETE", "BEGIN"} {
		if _, err := sm.Query(ctx, sql); err == nil {
			t.Fatalf("%q allowed as a read", sql)
		}
	}
}

func TestPrecheck(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, determinismSchema)
	ctx := context.Background()
	cases := []struct {
		sql                string
		reject             string
		readOnly, deferred bool
	}{
		{sql: "INSERT INTO not_yet VALUES (1)", deferred: true},
		{sql: "CREATE TABLE not_yet(x); INSERT INTO not_yet VALUES (1)", deferred: true},
		{sql: "INSERT INTO t VALUES (random())", reject: "random()"},
		{sql: "INSERT INTO t VALUES (CURRENT_TIME)", reject: "current_time()"},
		{sql: "UPDATE u SET v = last_insert_rowid()", reject: "last_insert_rowid()"},
		{sql: "ATTACH 'x' AS y", reject: "ATTACH"},
		{sql: "CREATE TEMP TABLE x(y)", reject: "TEMP"},
		{sql: "PRAGMA synchronous = OFF", reject: "synchronous"},
		{sql: "BEGIN", reject: "BEGIN"},
		{sql: "VACUUM", reject: "VACUUM"},
		{sql: "INSERT INTO trig VALUES (1)", deferred: true}, // in a trigger: apply decides
		{sql: "INSERT INTO t VALUES (date('now'))"},
		{sql: "SELECT random() FROM t", reject: "random()"},
		{sql: "SELECT x FROM t; SELECT 1", readOnly: true},
		{sql: "INSERT INTO t VALUES (1)"},
	}
	for _, tc := range cases {
		chk, err := sm.Precheck(ctx, tc.sql)
		if tc.reject != "" {
			e, ok := err.(*Error)
			if !ok || e.Kind != ErrorRejected || !strings.Contains(e.Message, tc.reject) {
				t.Errorf("%q: err %v, want a rejection naming %s", tc.sql, err, tc.reject)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.sql, err)
			continue
		}
		if chk.ReadOnly != tc.readOnly || chk.Deferred != tc.deferred {
			t.Errorf("%q: %+v, want readOnly=%v deferred=%v", tc.sql, chk, tc.readOnly, tc.deferred)
		}
	}
	// The statement on a not-yet-existing table passes, and apply decides.
	r := exec(t, sm, "INSERT INTO not_yet VALUES (1)")
	if r.Err == nil || r.Err.Kind != ErrorParse || !strings.Contains(r.Err.Message, "no such table") {
		t.Fatalf("apply of missing table: %+v", r.Err)
	}
	mustExec(t, sm, "CREATE TABLE not_yet(x)")
	mustExec(t, sm, "INSERT INTO not_yet VALUES (1)")
}

// TestMaxRowidIsRandomInSQLite shows why the rule below exists: past the
// largest rowid, plain SQLite picks a random rowid, so two databases given
// the same statements differ.
func TestMaxRowidIsRandomInSQLite(t *testing.T) {
	var rowids []Value
	for range 2 {
		c, err := openConn(&sqlite.Driver{}, ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.exec("CREATE TABLE m(id INTEGER PRIMARY KEY); INSERT INTO m VALUES (9223372036854775807); INSERT INTO m DEFAULT VALUES"); err != nil {
			t.Fatal(err)
		}
		var got []Value
		if err := c.each("SELECT min(id) FROM m", func(row []Value) { got = row }); err != nil {
			t.Fatal(err)
		}
		rowids = append(rowids, got[0])
		c.close()
	}
	if rowids[0].Equal(rowids[1]) {
		t.Fatalf("both databases chose rowid %v (a 2^-63 coincidence, or SQLite changed)", rowids[0])
	}
}

func TestMaxRowidFailsDeterministically(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE m(id INTEGER PRIMARY KEY, v); CREATE TABLE plain(v); CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID")
	mustExec(t, sm, "INSERT INTO m VALUES (9223372036854775806, 'almost')")
	r := mustExec(t, sm, "INSERT INTO m(v) VALUES ('last')")
	if r.Statements[0].LastInsertRowID != 9223372036854775807 {
		t.Fatalf("rowid %d", r.Statements[0].LastInsertRowID)
	}
	for _, sql := range []string{
		"INSERT INTO m(v) VALUES ('random rowid')",
		"INSERT INTO m VALUES (5, 'explicit rowid, still refused')",
	} {
		r = exec(t, sm, sql)
		if r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(r.Err.Message, "largest rowid") {
			t.Fatalf("%q: %+v, want the max-rowid rejection", sql, r.Err)
		}
	}
	mustExec(t, sm, "INSERT INTO plain(rowid, v) VALUES (9223372036854775807, 'x')")
	mustExec(t, sm, "CREATE TRIGGER fill AFTER INSERT ON w BEGIN INSERT INTO plain(v) VALUES (NEW.v); END")
	if r = exec(t, sm, "INSERT INTO w VALUES (1, 'through a trigger')"); r.Err == nil || !strings.Contains(r.Err.Message, "plain") {
		t.Fatalf("insert through trigger: %+v", r.Err)
	}
	mustExec(t, sm, "DELETE FROM plain; INSERT INTO w VALUES (2, 'fine now')")
	mustExec(t, sm, "UPDATE m SET v = 'updates are fine' WHERE id = 9223372036854775807")
}

func TestCreateTableAsSelectRejectsFunctions(t *testing.T) {
	sm := openTest(t)
	r := exec(t, sm, "CREATE TABLE c AS SELECT random() AS r")
	if r.Err == nil || !strings.Contains(r.Err.Message, "random()") {
		t.Fatalf("CTAS with random(): %+v", r.Err)
	}
	mustExec(t, sm, "CREATE TABLE ok(x DEFAULT (random()), y DEFAULT CURRENT_DATE)")
	mustExec(t, sm, "INSERT INTO ok VALUES (1, '2024-01-01')")
	mustExec(t, sm, "CREATE TABLE plain(x); INSERT INTO plain VALUES (1)")
	mustExec(t, sm, "CREATE TABLE c AS SELECT x, date('2024-01-01', '+' || x || ' days') FROM plain")
}
