package statemachine

import (
	"context"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// TestPragmaTableCoversBuild: every PRAGMA the SQLite build knows is
// classified on purpose (refused ones too), so a new modernc.org/sqlite
// version that adds one makes this test fail until someone decides.
func TestPragmaTableCoversBuild(t *testing.T) {
	sm := openTest(t)
	for _, row := range query(t, sm, "SELECT name FROM pragma_pragma_list") {
		if _, ok := sqlval.PragmaRuleOf(row[0].Text); !ok {
			t.Errorf("PRAGMA %s is not in pragmaRules: classify it", row[0].Text)
		}
	}
}

func TestPragmaClassOf(t *testing.T) {
	for name, want := range map[string]PragmaClass{
		"user_version": PragmaWrite, "TABLE_INFO": PragmaWrite, "foreign_key_check": PragmaWrite,
		"schema_version": PragmaReadOnly, "page_count": PragmaReadOnly, "compile_options": PragmaReadOnly,
		"integrity_check": PragmaReadOnly, "foreign_keys": PragmaReadOnly,
		"wal_checkpoint": PragmaRefused, "optimize": PragmaRefused, "no_such_pragma": PragmaRefused,
	} {
		if got := PragmaClassOf(name); got != want {
			t.Errorf("PragmaClassOf(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestPragmasInWrites runs each form as a write (RulesV2) and through
// Precheck, and checks the verdict.
func TestPragmasInWrites(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x); CREATE TABLE p(id INTEGER PRIMARY KEY, r REFERENCES p); CREATE INDEX tx ON t(x)")
	allowed := []string{
		"PRAGMA user_version = 3",
		"PRAGMA user_version",
		"PRAGMA application_id = 42",
		"PRAGMA table_info(t)",
		"PRAGMA table_xinfo(t)",
		"PRAGMA index_list(t)",
		"PRAGMA index_info(tx)",
		"PRAGMA index_xinfo(tx)",
		"PRAGMA foreign_key_list(p)",
		"PRAGMA foreign_key_check(p)",
		"PRAGMA table_list(t)",
		"INSERT INTO t SELECT name FROM pragma_table_info('t')",
		"INSERT INTO t SELECT user_version FROM pragma_user_version",
		"INSERT INTO t SELECT name FROM pragma_index_list('t')",
	}
	for _, sql := range allowed {
		if r := exec(t, sm, sql); r.Err != nil {
			t.Errorf("%q: %v, want it applied", sql, r.Err)
		}
		if _, err := sm.Precheck(context.Background(), sql); err != nil {
			t.Errorf("Precheck %q: %v", sql, err)
		}
	}
	refused := []struct {
		sql, want string
		early     bool // Precheck sees it in the text
	}{
		{"PRAGMA schema_version", "schema_version", true},
		{"PRAGMA page_count", "page_count", true},
		{"PRAGMA freelist_count", "freelist_count", true},
		{"PRAGMA max_page_count", "max_page_count", true},
		{"PRAGMA compile_options", "compile_options", true},
		{"PRAGMA integrity_check", "integrity_check", true},
		{"PRAGMA foreign_keys", "foreign_keys", true},
		{"PRAGMA foreign_keys = ON", "foreign_keys", true},
		{"PRAGMA foreign_key_check", "foreign_key_check", true},
		{"PRAGMA table_list", "table_list", true},
		{"PRAGMA wal_checkpoint", "wal_checkpoint", true},
		{"PRAGMA optimize", "optimize", true},
		{"PRAGMA no_such_pragma", "no_such_pragma", true},
		{"INSERT INTO t SELECT name FROM pragma_function_list", "function_list", true},
		{"INSERT INTO t SELECT * FROM pragma_module_list", "module_list", true},
		{"INSERT INTO t SELECT * FROM pragma_pragma_list", "pragma_list", true},
		{"INSERT INTO t SELECT * FROM pragma_compile_options", "compile_options", true},
		{"INSERT INTO t SELECT * FROM pragma_page_count", "page_count", true},
		{"INSERT INTO t SELECT * FROM PRAGMA_SCHEMA_VERSION", "schema_version", true},
		{"INSERT INTO t SELECT * FROM pragma_data_version", "data_version", true},
		{"INSERT INTO t SELECT name FROM pragma_table_list", "table_list", false},
	}
	for _, tc := range refused {
		before := digest(t, sm).Sum
		r := exec(t, sm, tc.sql)
		if r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(r.Err.Message, tc.want) {
			t.Errorf("%q: got %+v, want a rejection naming %s", tc.sql, r.Err, tc.want)
		}
		if after := digest(t, sm).Sum; after != before {
			t.Errorf("%q changed the database", tc.sql)
		}
		_, err := sm.Precheck(context.Background(), tc.sql)
		if tc.early && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Precheck %q: %v, want a rejection naming %s", tc.sql, err, tc.want)
		}
	}
	// A table of the user's named like a PRAGMA table is the user's.
	mustExec(t, sm, "CREATE TABLE pragma_page_count(n)")
	mustExec(t, sm, "INSERT INTO t SELECT * FROM pragma_page_count")
	if _, err := sm.Precheck(context.Background(), "INSERT INTO t SELECT * FROM pragma_page_count"); err != nil {
		t.Errorf("Precheck of the user's table pragma_page_count: %v", err)
	}
}

// TestPragmasInReads: read-only PRAGMAs run as reads; refused ones and
// settings do not.
func TestPragmasInReads(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	ctx := context.Background()
	for _, sql := range []string{
		"PRAGMA schema_version", "PRAGMA page_count", "PRAGMA compile_options", "PRAGMA integrity_check",
		"PRAGMA foreign_keys", "PRAGMA table_info(t)", "PRAGMA table_list", "SELECT * FROM pragma_function_list",
		"PRAGMA user_version",
	} {
		if _, err := sm.Query(ctx, sql); err != nil {
			t.Errorf("Query %q: %v", sql, err)
		}
	}
	for _, sql := range []string{
		"PRAGMA user_version = 4", "PRAGMA foreign_keys = ON", "PRAGMA cache_size = 10",
		"PRAGMA wal_checkpoint", "PRAGMA optimize", "PRAGMA shrink_memory", "PRAGMA no_such_pragma",
	} {
		if _, err := sm.Query(ctx, sql); err == nil {
			t.Errorf("Query %q ran, want it refused", sql)
		}
	}
}

// TestPragmasUnderV1: an old database keeps the old PRAGMA rules until the
// switch (entries in its log were accepted under them).
func TestPragmasUnderV1(t *testing.T) {
	sm := openOld(t)
	mustExec(t, sm, "CREATE TABLE t(x)")
	for _, sql := range []string{
		"PRAGMA foreign_keys", "PRAGMA schema_version", "INSERT INTO t SELECT name FROM pragma_function_list",
	} {
		mustExec(t, sm, sql)
	}
	if r := exec(t, sm, "PRAGMA page_count"); r.Err == nil {
		t.Fatalf("PRAGMA page_count was refused under v1 too")
	}
}
