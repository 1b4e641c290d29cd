package repl

import (
	"context"
	"sort"
	"strings"
	"testing"
)

// TestTabCompletion: Tab completes dot-command names at the start of a
// line, and elsewhere SQL keywords (in the case typed), table and view
// names and their columns, read from the database.
func TestTabCompletion(t *testing.T) {
	sh := NewShell(newLocalSQLiteDouble(t), Options{})
	defer sh.Close()
	if err := sh.RunBatch(context.Background(), strings.NewReader("CREATE TABLE Customers(customer_id, name);\nCREATE VIEW cheap AS SELECT name FROM Customers;\n")); err != nil {
		t.Fatal(err)
	}
	c := completer{s: sh, ctx: context.Background()}
	cases := []struct {
		line string
		want []string
		n    int
	}{
		{".he", []string{"aders ", "lp "}, 2},
		{"  .parameter", []string{}, 9},
		{".par", []string{"ameter "}, 3},
		{"sel", []string{"ect "}, 3},
		{"SELECT * FROM cu", []string{"stomer_id ", "stomers ", "rrent ", "rrent_date ", "rrent_time ", "rrent_timestamp "}, 2},
		{"SELECT * FROM CU", []string{"stomer_id ", "stomers ", "RRENT ", "RRENT_DATE ", "RRENT_TIME ", "RRENT_TIMESTAMP "}, 2},
		{"SELECT customer_id FROM Ch", []string{"eap ", "eck "}, 2},
		{"select * from t where ", nil, 0},
		{"SELECT 'x' || na", []string{"me ", "tural "}, 2},
	}
	for _, tc := range cases {
		got, n := c.Do([]rune(tc.line), len([]rune(tc.line)))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		sort.Strings(gs)
		want := append([]string(nil), tc.want...)
		sort.Strings(want)
		if n != tc.n || strings.Join(gs, "|") != strings.Join(want, "|") {
			t.Errorf("%q: %q (%d), want %q (%d)", tc.line, gs, n, want, tc.n)
		}
	}
}

// TestTabCompletionAtPrompt: Tab on a pseudo-terminal completes a keyword,
// a table name and a column name in the line being edited.
func TestTabCompletionAtPrompt(t *testing.T) {
	s := startPTYSession(t, t.TempDir())
	s.Expect("resqlite 1 leader> ")
	s.Send("CREATE TABLE inventory(quantity);\r")
	s.Expect("resqlite 1 leader> ")
	s.Send("INSERT INTO inventory VALUES (5);\r")
	s.Expect("resqlite 1 leader> ")
	s.Send("sel\t")
	s.Expect("select ")
	s.Send("quan\t")
	s.Expect("quantity ")
	s.Send("+ 1 FROM inv\t")
	s.Expect("inventory ")
	s.Send(";\r")
	s.Expect("6\r\n")
	s.Expect("resqlite 1 leader> ")
	s.Send(".qu\t")
	s.Expect("quit ")
	s.Send("\r")
	if code := s.Wait(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
