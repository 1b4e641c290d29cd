package repl

import (
	"math/rand/v2"
	"strings"
	"testing"

	"modernc.org/libc"
	sqlite3lib "modernc.org/sqlite/lib"
)

// referenceComplete calls SQLite's own sqlite3_complete (modernc's
// translation of complete.c).
func referenceComplete(t *testing.T, tls *libc.TLS, sql string) bool {
	t.Helper()
	p, err := libc.CString(sql)
	if err != nil {
		t.Fatalf("CString: %v", err)
	}
	defer libc.Xfree(tls, p)
	return sqlite3lib.Xsqlite3_complete(tls, p) != 0
}

func TestCompleteKnownCases(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want bool
	}{
		{"", false},
		{";", true},
		{"select 1", false},
		{"select 1;", true},
		{"select 1; ", true},
		{"select 1; -- done", true},
		{"select 1 -- no;", false},
		{"select ';'", false},
		{"select ';';", true},
		{`select "a;b" from t;`, true},
		{"select [a;b;", false},
		{"select `x;`;", true},
		{"select 1 /* ; */", false},
		{"select 1; /* open", false},
		{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;", false},
		{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", true},
		{"create temp trigger tr after insert on t begin select 1; end", false},
		{"EXPLAIN CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", true},
		{"CREATE TABLE trigger(a);", true},
		{"select 'it''s';", true},
		{"select 1; -- trailing comment, 3.40 rule", true},
		{"select 1 -- trailing comment, 3.40 rule", false},
	} {
		if got := Complete(c.sql); got != c.want {
			t.Errorf("Complete(%q) = %v, want %v", c.sql, got, c.want)
		}
	}
}

// TestCompleteMatchesSQLite compares Complete with SQLite's sqlite3_complete
// on random texts built from the pieces that matter to the tokenizer.
func TestCompleteMatchesSQLite(t *testing.T) {
	tls := libc.NewTLS()
	defer tls.Close()
	pieces := []string{";", " ", "\n", "\t", "'", `"`, "`", "[", "]", "/*", "*/", "/", "*", "--", "-",
		"create", "CREATE", "temp", "TEMPORARY", "trigger", "Trigger", "end", "END", "explain", "begin",
		"select", "x", "1", "_", "$", "é", "(", ")", "endx", "tr", "\r", "\f", "\v", "''"}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		n := rng.IntN(14)
		for j := 0; j < n; j++ {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		// A trailing newline keeps an unterminated "--" comment out: 3.40
		// (our target) calls that complete when the text before it is,
		// newer SQLite (modernc's) calls it incomplete.
		sql := b.String() + "\n"
		if got, want := Complete(sql), referenceComplete(t, tls, sql); got != want {
			t.Fatalf("Complete(%q) = %v, sqlite3_complete says %v", sql, got, want)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	group := "select 1; ;; /* c */ select ';' ;\n" +
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES(1); END;\n" +
		"-- only a comment;\n select 'tail'"
	got := SplitStatements(group, 7)
	want := []string{
		"select 1;",
		"/* c */ select ';' ;",
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES(1); END;",
		"-- only a comment;\n select 'tail'",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].SQL != want[i] || got[i].Line != 7 {
			t.Errorf("statement %d = %q line %d, want %q line 7", i, got[i].SQL, got[i].Line, want[i])
		}
	}
	if !strings.HasPrefix(got[1].Tail, "/* c */ select ';' ;\nCREATE TRIGGER") {
		t.Errorf("tail of statement 1 = %q", got[1].Tail)
	}
	if n := len(SplitStatements(" ;; -- nothing\n/* at all */", 1)); n != 0 {
		t.Errorf("empty group gave %d statements", n)
	}
}
