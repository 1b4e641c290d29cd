package statemachine

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"

	"github.com/resqlite/resqlite/raft"
)

// appliedState reads sm's AppliedState and fails the test on error.
func appliedState(t *testing.T, sm *StateMachine) raft.AppliedState {
	t.Helper()
	st, err := sm.AppliedState()
	if err != nil {
		t.Fatalf("AppliedState: %v", err)
	}
	return st
}

// The term of the applied entry is stored with the applied index: it
// survives a reopen, travels in a snapshot, and the configuration of the
// last configuration entry comes with it.
func TestAppliedTermIsRecorded(t *testing.T) {
	dir := t.TempDir()
	sm := openAt(t, dir)
	cfg := raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "a:1"}, {ID: 2, Addr: "b:2"}}}
	e1 := sqlEntry(1, "CREATE TABLE t(x)")
	e2 := raft.Entry{Index: 2, Term: 3, Type: raft.EntryConfig, Data: raft.EncodeConfiguration(cfg)}
	e3 := sqlEntry(3, "INSERT INTO t VALUES (1)")
	e3.Term = 4
	if _, err := sm.Apply([]raft.Entry{e1, e2, e3}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, got raft.AppliedState) {
		t.Helper()
		if got.Index != 3 || got.Term != 4 || got.ConfigIndex != 2 || len(got.Config.Members) != 2 || got.Config.Members[1] != cfg.Members[1] {
			t.Fatalf("%s: applied state %+v, want index 3 term 4, configuration %v at 2", what, got, cfg)
		}
	}
	check("after apply", appliedState(t, sm))

	var buf bytes.Buffer
	if _, err := sm.Snapshot(&buf); err != nil {
		t.Fatal(err)
	}
	if err := sm.Close(); err != nil {
		t.Fatal(err)
	}
	check("after reopen", appliedState(t, openAt(t, dir)))

	dst := openTest(t)
	if err := dst.Restore(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	check("after restore", appliedState(t, dst))
}

// makeFormat1Database builds a state database as the code before the
// applied term's column created it, recording applied index 5.
func makeFormat1Database(t *testing.T, dir string) {
	t.Helper()
	c, err := openConn(&sqlite.Driver{}, filepath.Join(dir, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	format1 := `
PRAGMA journal_mode=WAL;
CREATE TABLE ` + MetaTable + ` (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	applied_index INTEGER NOT NULL,
	config_index INTEGER NOT NULL,
	config BLOB
);
INSERT INTO ` + MetaTable + ` VALUES (1, 5, 0, NULL);
CREATE TABLE t(x);
`
	if err := c.exec(format1); err != nil {
		t.Fatal(err)
	}
}

// A database from before the term was recorded opens with the term
// unknown (0) and gets it at the next apply; its meta table then has the
// same schema text as a new database's, so digests agree.
func TestFormat1DatabaseGetsTheTerm(t *testing.T) {
	dir := t.TempDir()
	makeFormat1Database(t, dir)
	old := openAt(t, dir)
	if st := appliedState(t, old); st.Index != 5 || st.Term != 0 {
		t.Fatalf("opened format 1 database: applied state %+v, want index 5, term 0", st)
	}
	e := sqlEntry(6, "INSERT INTO t VALUES (1)")
	e.Term = 7
	if _, err := old.Apply([]raft.Entry{e}); err != nil {
		t.Fatal(err)
	}
	if st := appliedState(t, old); st.Index != 6 || st.Term != 7 {
		t.Fatalf("after apply: applied state %+v, want index 6, term 7", st)
	}

	// A new database at the same rules version (RulesV1: the session
	// tables' leader_time comes with RulesV3).
	fresh, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV1})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	schema := "SELECT sql FROM sqlite_schema WHERE name = '" + MetaTable + "'"
	a, b := query(t, old, schema), query(t, fresh, schema)
	if len(a) != 1 || len(b) != 1 || !strings.Contains(a[0][0].Text, appliedTermColumn) || a[0][0].Text != b[0][0].Text {
		t.Fatalf("meta table schema of an upgraded database %v, of a new one %v", a, b)
	}
	// Switched to RulesV3, it has a new V3 database's.
	switchTo(t, old, RulesV3)
	a, b = query(t, old, schema), query(t, openTest(t), schema)
	if !strings.Contains(a[0][0].Text, leaderTimeColumn) || a[0][0].Text != b[0][0].Text {
		t.Fatalf("meta table schema of an upgraded database at V3 %v, of a new one %v", a, b)
	}
}
