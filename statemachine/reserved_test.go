package statemachine

import (
	"strings"
	"testing"
)

// HideInternalObjects leaves out exactly ReSqlite's own table: every
// object a user made stays, also one whose name begins with the prefix.
func TestHideInternalObjects(t *testing.T) {
	sm := openTest(t)
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
	if got := names(""); !strings.Contains(got, MetaTable) {
		t.Fatalf("sqlite_schema %s does not hold %s", got, MetaTable)
	}
	if got, want := names(" WHERE "+HideInternalObjects), "_resqlite_mine,sqlite_autoindex_t_1,t,t_a,tr,v"; got != want {
		t.Fatalf("filtered schema %s, want %s", got, want)
	}
}
