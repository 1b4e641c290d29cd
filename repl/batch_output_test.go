package repl

import (
	"bytes"
	"strings"
	"testing"
)

// batchWritesScript writes in every table mode, with and without
// .changes, and reads in between.
const batchWritesScript = `.mode table
CREATE TABLE t(a, b);
INSERT INTO t VALUES (1, 'x'), (22.5, NULL);
SELECT * FROM t;
UPDATE t SET b = 'y' WHERE a = 1;
.mode box
DELETE FROM t WHERE a > 100;
.mode column
INSERT INTO t VALUES (3, 'z');
.mode markdown
.changes on
UPDATE t SET b = b || '!';
.mode table
SELECT count(*) AS n FROM t;
.changes off
DELETE FROM t WHERE a = 3;
`

// TestBatchWritesPrintNothing checks issue 14 bug 2: in a batch, writes
// print nothing (no "N rows affected" in any mode) unless .changes is on,
// byte for byte as sqlite3.
func TestBatchWritesPrintNothing(t *testing.T) {
	wantOut, wantErr, wantCode := runSQLite3(t, "", batchWritesScript)
	gotOut, gotErr, gotCode := runShell(t, batchWritesScript, Options{})
	if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
		t.Errorf("batch output differs from sqlite3\n--- repl (exit %d)\n%s%s\n--- sqlite3 (exit %d)\n%s%s", gotCode, gotOut, gotErr, wantCode, wantOut, wantErr)
	}
	if strings.Contains(gotOut, "affected") {
		t.Errorf("batch printed rows affected:\n%s", gotOut)
	}
}

// TestPromptKeepsRowsAffected checks that the prompt (interactive) still
// follows a write with its row count in the table modes, and only there.
func TestPromptKeepsRowsAffected(t *testing.T) {
	out, _, _ := runShell(t, "CREATE TABLE t(a);\nINSERT INTO t VALUES (1), (2);\nUPDATE t SET a = 3 WHERE a = 1;\n.mode list\nDELETE FROM t;\n", Options{Interactive: true})
	if want := "2 rows affected\n1 row affected\n"; out != want {
		t.Errorf("prompt output %q, want %q", out, want)
	}
}

// terminalScreen replays what a terminal shows for text written to it:
// "\r" returns to column one, "\x1b[K" erases to the end of the line,
// "\n" starts a new line. It returns the lines shown.
func terminalScreen(text string) string {
	var lines []string
	var line []byte
	col := 0
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == '\r':
			col = 0
		case strings.HasPrefix(text[i:], "\x1b[K"):
			line = line[:col]
			i += 2
		case text[i] == '\n':
			lines = append(lines, string(line))
			line, col = nil, 0
		default:
			if col < len(line) {
				line[col] = text[i]
			} else {
				line = append(line, text[i])
			}
			col++
		}
	}
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return strings.Join(lines, "\n")
}

// TestProgressErasedBeforeResults checks issue 14 bug 2's progress line:
// on a terminal where stdout and the progress line share the screen, a
// result printed during a long batch starts on a clean line (before the
// fix the screen showed "8000 statements sent8000").
func TestProgressErasedBeforeResults(t *testing.T) {
	var b strings.Builder
	b.WriteString(".mode list\nCREATE TABLE t(a);\n")
	for i := 0; i < 8000; i++ {
		b.WriteString("INSERT INTO t VALUES (1);\n")
	}
	b.WriteString("SELECT count(*) FROM t;\n.print done\n")
	var screen bytes.Buffer
	_, errOut, code := runShellTo(t, b.String(), Options{Progress: &screen}, &screen)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if got, want := terminalScreen(screen.String()), "8000\ndone"; got != want {
		t.Errorf("screen shows %q, want %q (raw %q)", got, want, screen.String())
	}
}

// TestTableModesKeepTheTerminalSafe checks issue 14 bugs 5 and 6 in every
// table mode: an escape sequence in a value never reaches the terminal
// (it would clear the screen) and a 3,000-character value wraps at 60 characters instead of drawing a
// 3,000-column line. The oracle script tables.sql compares the same cases
// with sqlite3 byte for byte.
func TestTableModesKeepTheTerminalSafe(t *testing.T) {
	for _, mode := range []Mode{ModeTable, ModeBox, ModeColumn, ModeMarkdown} {
		script := "SELECT 'a'||char(27)||'[2Jb' AS v, 'one'||char(10)||'two' AS w, printf('%.3000c', 'x') AS long;\n"
		out, errOut, code := runShell(t, script, Options{Mode: mode})
		if code != 0 || errOut != "" {
			t.Fatalf("%s: exit %d, stderr %q", mode, code, errOut)
		}
		if strings.ContainsAny(out, "\x1b\r") {
			t.Errorf("%s mode sent a control character to the terminal: %q", mode, out)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if n := strlenChar(line); n > 90 {
				t.Errorf("%s mode drew a %d-character line", mode, n)
				break
			}
		}
	}
}
