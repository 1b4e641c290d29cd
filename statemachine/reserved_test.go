package statemachine

import (
	"strings"
	"testing"
)

// HideInternalObjects leaves out exactly ReSqlite's internal tables: every
// object a user made stays, also one whose name begins with the prefix
// (possible under RulesV2, which this database starts at, before it
// switches to RulesV3).
func TestHideInternalObjects(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 2, NewDatabaseRules: RulesV2})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	mustExec(t, sm, `CREATE TABLE t(a UNIQUE); CREATE INDEX t_a ON t(a);
		CREATE TABLE _resqlite_mine(x); CREATE VIEW v AS SELECT a FROM t;
		CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO _resqlite_mine VALUES (new.a); END`)
	names := func(where string) string {
		var out []string
		for _, row := range query(t, sm, "SELECT name FROM sqlite_schema"+where+" ORDER BY name") {
			out = append(out, row[0].Text)
		}
		return strings.Join(out, ",")
	}
	switchTo(t, sm, RulesV3) // creates the session tables
	for _, internal := range []string{MetaTable, SessionsTable, SessionResultsTable} {
		if got := names(""); !strings.Contains(got, internal) {
			t.Fatalf("sqlite_schema %s does not hold %s", got, internal)
		}
	}
	if got, want := names(" WHERE "+HideInternalObjects), "_resqlite_mine,sqlite_autoindex_t_1,t,t_a,tr,v"; got != want {
		t.Fatalf("filtered schema %s, want %s", got, want)
	}
	// Names compare as SQLite compares identifiers, ignoring ASCII case.
	if n := count(t, sm, "SELECT count(*) FROM (SELECT '_RESQLITE_SESSIONS' AS tbl_name UNION ALL SELECT '_Resqlite_State') WHERE "+HideInternalObjects); n != 0 {
		t.Fatalf("%d upper-case internal names pass the filter", n)
	}
}
