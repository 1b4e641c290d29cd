package repl

import (
	"strings"
	"testing"
)

// TestSessionCalls: the shell answers only reads made of
// last_insert_rowid() and changes() calls (aliased or not); anything else
// goes to the nodes, which refuse these functions in queries with the
// reason rather than answer 0.
func TestSessionCalls(t *testing.T) {
	for sql, want := range map[string][]sessionCall{
		"SELECT last_insert_rowid();":                     {{"last_insert_rowid", "last_insert_rowid()"}},
		"select  Changes( ) ;":                            {{"changes", "Changes( )"}},
		"SELECT changes() AS n, last_insert_rowid() r":    {{"changes", "n"}, {"last_insert_rowid", "r"}},
		"/* c */ SELECT last_insert_rowid() -- x\n;":      {{"last_insert_rowid", "last_insert_rowid()"}},
		"SELECT total_changes();":                         nil,
		"SELECT changes(), total_changes();":              nil,
		"SELECT changes() + 1;":                           nil,
		"SELECT changes() FROM t;":                        nil,
		"SELECT last_insert_rowid() AS \"q\";":            nil,
		"SELECT changes(1);":                              nil,
		"SELECT changes(); SELECT 1;":                     nil,
		"SELECT last_insert_rowid() WHERE 0;":             nil,
		"WITH x AS (SELECT 1) SELECT last_insert_rowid()": nil,
	} {
		got, ok := sessionCalls(sql)
		if ok != (want != nil) || len(got) != len(want) {
			t.Errorf("sessionCalls(%q) = %v, %v; want %v", sql, got, ok, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("sessionCalls(%q)[%d] = %v, want %v", sql, i, got[i], want[i])
			}
		}
	}
}

// TestLastInsertRowIDUnknownAfterFailedInsert: after an INSERT that failed
// while running, sqlite3's last_insert_rowid() is the rowid of a row the
// statement inserted before it failed, which no result carries: the shell
// says the value is unknown rather than guess, until the next insert.
func TestLastInsertRowIDUnknownAfterFailedInsert(t *testing.T) {
	script := ".mode list\nCREATE TABLE u(x UNIQUE);\nINSERT INTO u VALUES (1), (2);\nINSERT INTO u VALUES (3), (1);\n" +
		"SELECT last_insert_rowid();\nSELECT changes();\nINSERT INTO u VALUES (5);\nSELECT last_insert_rowid();\n"
	out, errOut, code := runShell(t, script, Options{})
	if code != 1 || out != "0\n3\n" {
		t.Errorf("exit %d, stdout %q; want 1, \"0\\n3\\n\"", code, out)
	}
	if !strings.Contains(errOut, "Error near line 5: last_insert_rowid() is unknown here") {
		t.Errorf("stderr %q lacks the unknown-rowid error at line 5", errOut)
	}
}
