package repl

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomValidScript builds a script of valid SELECT statements laid out
// the many ways the CLI's line grouping must handle: several statements on
// a line, statements over many lines, semicolons inside strings and
// comments, comment-only and blank lines, "/" and "go" terminators, and
// dot-command and '#' lines between statements.
func randomValidScript(rng *rand.Rand, statements int) string {
	items := []string{"1", "-2", "'a;b'", "'x''y;'", "'multi\nline;'", "'--not a comment'", "'/*not*/'", "NULL", "0.5", "x'41'", "'é;'", "(1 + 2)"}
	gaps := []string{" ", " ", " ", "\n", "\n\n", " /* c; */ ", " /* multi\nline ; */ ", " -- c; 'x\n", "\t", "\n   "}
	var b strings.Builder
	atLineStart := true
	for i := 0; i < statements; i++ {
		if atLineStart {
			switch rng.IntN(8) {
			case 0:
				fmt.Fprintf(&b, ".print dot %d\n", i)
			case 1:
				b.WriteString("# hash line;\n")
			case 2:
				b.WriteString("\n")
			case 3:
				b.WriteString("-- comment line; 'x\n")
			case 4:
				b.WriteString("/* block ;\n comment */\n")
			}
		}
		b.WriteString("SELECT")
		n := 1 + rng.IntN(3)
		for j := 0; j < n; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(gaps[rng.IntN(len(gaps))])
			b.WriteString(items[rng.IntN(len(items))])
		}
		switch rng.IntN(10) {
		case 0:
			b.WriteString("\n/\n")
			atLineStart = true
		case 1:
			b.WriteString("\n  GO  \n")
			atLineStart = true
		case 2, 3, 4:
			b.WriteString(";\n")
			atLineStart = true
		case 5:
			b.WriteString("; -- trailing; comment\n")
			atLineStart = true
		default:
			b.WriteString(";" + []string{" ", "", "  ", "\t"}[rng.IntN(4)])
			atLineStart = false
		}
	}
	b.WriteString("\n")
	return b.String()
}

// TestLineGroupingMatchesCLI runs random valid scripts with .echo on, so
// the CLI prints every input group as it runs it, and requires the REPL
// to print exactly the same: same groups, same results.
func TestLineGroupingMatchesCLI(t *testing.T) {
	sqlite3CLI(t)
	rng := rand.New(rand.NewPCG(11, 12))
	scripts := 40
	if testing.Short() {
		scripts = 10
	}
	for i := 0; i < scripts; i++ {
		script := ".mode list\n.echo on\n" + randomValidScript(rng, 30)
		wantOut, wantErr, wantCode := runSQLite3(t, "", script)
		if wantErr != "" || wantCode != 0 {
			t.Fatalf("generated script is not valid for sqlite3 (%d): %s\n%s", wantCode, wantErr, script)
		}
		gotOut, gotErr, gotCode := runShell(t, script, Options{})
		if gotOut != wantOut || gotErr != "" || gotCode != 0 {
			t.Fatalf("script %d differs (stderr %q, code %d)\n--- script\n%s\n--- repl\n%s\n--- sqlite3\n%s", i, gotErr, gotCode, script, gotOut, wantOut)
		}
	}
}
