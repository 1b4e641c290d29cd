package repl

import (
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// TestClassifyPragmas (issue 14, bug 4): a PRAGMA that only asks (no
// value, or a value that names what to describe) is sent as a read, by
// the shared PRAGMA table; one that sets something is a write; turning
// foreign keys off is a no-op (they are always off), as the first line of
// sqlite3's .dump needs.
func TestClassifyPragmas(t *testing.T) {
	for sql, want := range map[string]stmtKind{
		"PRAGMA database_list;":             kindRead,
		"pragma compile_options":            kindRead,
		"PRAGMA journal_mode;":              kindRead,
		"PRAGMA main.journal_mode;":         kindRead,
		"PRAGMA table_info(t);":             kindRead,
		"PRAGMA table_info = 't';":          kindRead,
		"PRAGMA main . table_info ( t ) ;":  kindRead,
		"PRAGMA integrity_check(10);":       kindRead,
		"PRAGMA user_version;":              kindRead,
		"/* c */ PRAGMA foreign_keys; -- x": kindRead,
		"PRAGMA user_version = 3;":          kindWrite,
		"PRAGMA user_version(3);":           kindWrite,
		"PRAGMA application_id = -5;":       kindWrite,
		"PRAGMA journal_mode = DELETE;":     kindWrite,
		"PRAGMA foreign_keys = ON;":         kindWrite,
		"PRAGMA wal_checkpoint;":            kindWrite,
		"PRAGMA no_such_pragma;":            kindWrite,
		"PRAGMA table_info(t) x;":           kindWrite,
		"PRAGMA;":                           kindWrite,
		"PRAGMA foreign_keys=OFF;":          kindNoop,
		"pragma FOREIGN_KEYS = false;":      kindNoop,
		"PRAGMA main.foreign_keys(0);":      kindNoop,
		"PRAGMA foreign_keys = 'off';":      kindNoop,
	} {
		if got := classify(sql); got != want {
			t.Errorf("classify(%q) = %d, want %d", sql, got, want)
		}
	}
}

// TestOversizeBlockNamesTheWay (issue 14, bug 4): a BEGIN…COMMIT block
// larger than one write may be (4 MiB, sqlval.MaxEntryBytes) fails with an
// error that says why and how to load such data, and nothing of it is
// applied; the statements after it run.
func TestOversizeBlockNamesTheWay(t *testing.T) {
	var b strings.Builder
	b.WriteString("CREATE TABLE big(s);\nBEGIN TRANSACTION;\n")
	row := "INSERT INTO big VALUES('" + strings.Repeat("x", 1000) + "');\n"
	for range sqlval.MaxEntryBytes/len(row) + 10 {
		b.WriteString(row)
	}
	b.WriteString("COMMIT;\nSELECT count(*) FROM big;\n")
	out, errOut, code := runShell(t, ".mode list\n"+b.String(), Options{})
	if code != 1 || out != "0\n" {
		t.Errorf("exit %d, stdout %q; want 1 and the empty table's count", code, out)
	}
	for _, want := range []string{"Error near line 4:", "4 MiB", "one write", "smaller blocks", ".dump", ".import", "resqlite restore"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
}
