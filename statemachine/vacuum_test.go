package statemachine

import (
	"context"
	"strings"
	"testing"
)

// DROP … IF EXISTS of a missing object is no write the authorizer sees,
// yet it is no VACUUM: it runs (as a no-op) as in SQLite, while VACUUM,
// however it is written, is still refused.
func TestDropIfExistsIsNoVacuum(t *testing.T) {
	sm := openTest(t)
	for _, sql := range []string{"DROP TABLE IF EXISTS nosuch", "DROP INDEX IF EXISTS nosuch", "DROP VIEW IF EXISTS nosuch",
		"/* c */ drop trigger if exists nosuch", "DROP TABLE IF EXISTS a; DROP TABLE IF EXISTS b"} {
		if _, err := sm.Precheck(context.Background(), sql); err != nil {
			t.Errorf("Precheck %q: %v", sql, err)
		}
		if r := exec(t, sm, sql); r.Err != nil {
			t.Errorf("%q: %v", sql, r.Err)
		}
	}
	for _, sql := range []string{"VACUUM", "/* c */ vacuum", "-- x\nVACUUM INTO 'copy.db'", "vacuum main"} {
		if _, err := sm.Precheck(context.Background(), sql); err == nil || !strings.Contains(err.Error(), "VACUUM") {
			t.Errorf("Precheck %q: %v, want VACUUM refused", sql, err)
		}
		if r := exec(t, sm, sql); r.Err == nil || r.Err.Kind != ErrorRejected || !strings.Contains(r.Err.Message, "VACUUM") {
			t.Errorf("%q: %+v, want VACUUM refused", sql, r.Err)
		}
	}
}

func TestFirstKeyword(t *testing.T) {
	for sql, want := range map[string]string{
		"drop table x": "DROP", "  /* a */ -- b\n\tVacuum": "VACUUM", "-- only": "", "/* open": "", "(1)": "", "": "",
	} {
		if got := firstKeyword(sql); got != want {
			t.Errorf("firstKeyword(%q) = %q, want %q", sql, got, want)
		}
	}
}
