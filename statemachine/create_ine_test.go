package statemachine

import (
	"testing"
)

// A CREATE … IF NOT EXISTS of an object that exists changes nothing and,
// from RulesV3 on, succeeds as in sqlite3 (it was refused as "VACUUM is
// not allowed in a write": SQLite shows the authorizer nothing for it).
// Under RulesV2 it is refused as before, so old logs replay alike.
func TestCreateIfNotExistsOfExistingObject(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(a)")
	for _, sql := range []string{
		"CREATE INDEX IF NOT EXISTS i ON t(a)",
		"CREATE INDEX IF NOT EXISTS i ON t(a)",
		"CREATE TABLE IF NOT EXISTS t(a)",
		"CREATE VIEW IF NOT EXISTS v AS SELECT a FROM t",
		"CREATE VIEW IF NOT EXISTS v AS SELECT a FROM t",
		"CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END",
		"CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END",
	} {
		mustExec(t, sm, sql)
	}
	if n := query(t, sm, "SELECT count(*) FROM sqlite_schema WHERE name IN ('t', 'i', 'v', 'tr')")[0][0].Int; n != 4 {
		t.Fatalf("%d objects, want 4", n)
	}

	old, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV2})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	mustExec(t, old, "CREATE TABLE t(a)")
	mustExec(t, old, "CREATE INDEX IF NOT EXISTS i ON t(a)")
	if r := exec(t, old, "CREATE INDEX IF NOT EXISTS i ON t(a)"); r.Err == nil {
		t.Fatal("under rules v2 the repeated CREATE INDEX IF NOT EXISTS succeeded; it must replay as before (refused)")
	}
}
