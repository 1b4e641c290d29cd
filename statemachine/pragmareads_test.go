package statemachine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// TestPragmasThatAskRunAsReads (issue 14, bug 4): every PRAGMA the shared
// table lets a read ask (sqlval.PragmaAsks: the shell sends these as
// reads) runs as a Query, journal_mode included, which SQLite does not
// call read-only; the schema descriptions with their argument too.
func TestPragmasThatAskRunAsReads(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE t(x INTEGER PRIMARY KEY, y)")
	ctx := context.Background()
	for _, row := range query(t, sm, "SELECT name FROM pragma_pragma_list") {
		name := row[0].Text
		if !sqlval.PragmaAsks(name, "") {
			continue
		}
		if _, err := sm.Query(ctx, "PRAGMA "+name); err != nil {
			t.Errorf("PRAGMA %s as a read: %v", name, err)
		}
	}
	for sql, want := range map[string]string{
		"PRAGMA journal_mode":      "wal",
		"PRAGMA main.journal_mode": "wal",
		"PRAGMA database_list":     "main",
		"PRAGMA table_info(t)":     "x",
		"PRAGMA table_info = t":    "x",
		"PRAGMA foreign_keys":      "0",
		"PRAGMA compile_options":   "THREADSAFE=1",
	} {
		rows, err := sm.Query(ctx, sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if !strings.Contains(formatRows(rows.Rows), want) {
			t.Errorf("%s: %s, want %q in it", sql, formatRows(rows.Rows), want)
		}
	}
	for _, sql := range []string{"PRAGMA journal_mode = DELETE", "PRAGMA journal_mode(delete)", "PRAGMA user_version = 1", "PRAGMA foreign_keys = ON"} {
		var e *Error
		if _, err := sm.Query(ctx, sql); !errors.As(err, &e) || e.Kind != ErrorRejected {
			t.Errorf("%s as a read: %v, want it refused", sql, err)
		}
	}
}

// formatRows renders rows for messages and substring checks.
func formatRows(rows [][]Value) string {
	var b strings.Builder
	for _, r := range rows {
		for _, v := range r {
			b.WriteString(v.String())
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestForeignKeysPragmaInWrites: turning foreign keys on is refused with
// the reason (apply's batches would check deferred constraints at their
// COMMIT); turning them off is refused as a write that changes nothing
// (the shell accepts it alone as a no-op), never with the reason of a
// node-dependent read.
func TestForeignKeysPragmaInWrites(t *testing.T) {
	sm := openTest(t)
	for sql, want := range map[string]string{
		"PRAGMA foreign_keys = ON":  "not supported",
		"PRAGMA foreign_keys(1)":    "not supported",
		"PRAGMA foreign_keys = OFF": "changes nothing",
		"PRAGMA foreign_keys = 0":   "changes nothing",
	} {
		r := exec(t, sm, sql)
		if r.Err == nil || !strings.Contains(r.Err.Message, want) {
			t.Errorf("%s applied: %v, want refused with %q", sql, r.Err, want)
		}
		_, err := sm.Precheck(context.Background(), sql)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s pre-checked: %v, want refused with %q", sql, err, want)
		}
	}
	if got := query(t, sm, "PRAGMA foreign_keys"); !got[0][0].Equal(Integer(0)) {
		t.Errorf("foreign_keys after the refusals: %v", got)
	}
}

// TestPragmaReadInWriteV1NotVacuum: under RulesV1 (no PRAGMA table), a
// PRAGMA that SQLite does not call read-only (journal_mode) is refused in
// a write by its own name, not as "VACUUM".
func TestPragmaReadInWriteV1NotVacuum(t *testing.T) {
	sm, err := Open(t.TempDir(), Options{ReadConns: 1, NewDatabaseRules: RulesV1})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	r := exec(t, sm, "PRAGMA journal_mode")
	if r.Err == nil || strings.Contains(r.Err.Message, "VACUUM") || !strings.Contains(r.Err.Message, "journal_mode") {
		t.Errorf("applied: %v, want a refusal naming journal_mode", r.Err)
	}
	_, err = sm.Precheck(context.Background(), "PRAGMA journal_mode;")
	if err == nil || strings.Contains(err.Error(), "VACUUM") || !strings.Contains(err.Error(), "journal_mode") {
		t.Errorf("pre-checked: %v, want a refusal naming journal_mode", err)
	}
	if r := exec(t, sm, "VACUUM"); r.Err == nil || !strings.Contains(r.Err.Message, "VACUUM is not allowed") {
		t.Errorf("VACUUM: %v", r.Err)
	}
}
