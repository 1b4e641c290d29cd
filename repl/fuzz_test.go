package repl

import (
	"strings"
	"testing"
)

// FuzzInputHandling feeds arbitrary text through line grouping, statement
// splitting, classification and dot-command parsing: nothing may panic,
// every statement but a group's last must be complete by sqlite3_complete,
// and the statements must appear in their group in order.
func FuzzInputHandling(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1;\n", "select 'a;b'; select \"x;\" -- c;\n", "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;\n",
		"/* open\n", ".mode csv\n.headers \"on\"\n", "SELECT 1\ngo\n", "[a;b]; `c;d`;\n", "BEGIN; COMMIT; END TRANSACTION x;",
		"WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a;", "\x00;\xff;", ".print \"\\x4\\101\\\"\" 'x'\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		var g lineGrouper
		var groups []inputGroup
		for i, line := range strings.Split(input, "\n") {
			if grp, ok := g.add(line, i+1); ok {
				groups = append(groups, grp)
			}
		}
		if grp, ok := g.finish(); ok {
			groups = append(groups, grp)
		}
		for _, grp := range groups {
			switch grp.kind {
			case inputDot:
				parseDotArgs(grp.text[1:])
			case inputSQL:
				stmts := SplitStatements(grp.text, grp.line)
				at := 0
				for i, st := range stmts {
					j := strings.Index(grp.text[at:], st.SQL)
					if j < 0 {
						t.Fatalf("statement %q not found in order in group %q", st.SQL, grp.text)
					}
					at += j + len(st.SQL)
					if i < len(stmts)-1 && !Complete(st.SQL) && !strings.Contains(st.SQL, "\x00") {
						t.Fatalf("statement %q of group %q is not complete", st.SQL, grp.text)
					}
					classify(st.SQL)
					isDML(st.SQL)
				}
			}
		}
	})
}
