package repl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodeMatchesSQLite3 checks issue 14 bug 5: ".exit N" ends the
// program at once with status N (also from inside .read, and after
// errors), ".exit 0" and ".exit" end the input as .quit does; stdout,
// stderr and the status are sqlite3's.
func TestExitCodeMatchesSQLite3(t *testing.T) {
	dir := t.TempDir()
	inner := filepath.Join(dir, "inner.sql")
	if err := os.WriteFile(inner, []byte("SELECT 'inner';\n.exit 4\nSELECT 'not reached';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, script := range []string{
		".mode list\nSELECT 1;\n.exit 3\nSELECT 2;\n",
		".mode list\nCREATE TABLE t(a);\nINSERT INTO t VALUES (1);\nSELECT a FROM t;\n.exit 7\nSELECT 2;\n",
		".mode list\nSELECT 1;\n.exit 0\nSELECT 2;\n",
		".mode list\nSELECT 1;\nSELEC 2;\n.exit\nSELECT 3;\n",
		".mode list\nSELEC 2;\n.exit 5\n",
		".mode list\n.exit 300\n",
		".mode list\n.exit -1\n",
		".mode list\n.exit abc\nSELECT 5;\n",
		".mode list\n.exit 2 3\nSELECT 5;\n",
		".mode list\n.read " + inner + "\nSELECT 9;\n",
	} {
		wantOut, wantErr, wantCode := runSQLite3(t, "", script)
		gotOut, gotErr, gotCode := runShell(t, script, Options{})
		if gotOut != wantOut || gotErr != withoutErrorContext(wantErr) || gotCode != wantCode {
			t.Errorf("script %q:\nrepl    exit %d stdout %q stderr %q\nsqlite3 exit %d stdout %q stderr %q",
				script, gotCode, gotOut, gotErr, wantCode, wantOut, wantErr)
		}
	}
}

// TestQuitWithCode checks ".quit N", which ReSqlite gives the meaning of
// ".exit N" (sqlite3 3.40 ignores the argument of .quit).
func TestQuitWithCode(t *testing.T) {
	out, errOut, code := runShell(t, ".mode list\nSELECT 1;\n.quit 6\nSELECT 2;\n", Options{})
	if out != "1\n" || errOut != "" || code != 6 {
		t.Errorf("got exit %d stdout %q stderr %q, want exit 6 and only 1", code, out, errOut)
	}
	out, _, code = runShell(t, ".mode list\n.quit\nSELECT 2;\n", Options{})
	if out != "" || code != 0 {
		t.Errorf(".quit: exit %d stdout %q", code, out)
	}
	out, _, code = runShell(t, ".mode list\nSELECT 1;\n.exit 3\n", Options{Interactive: true})
	if !strings.HasPrefix(out, "1\n") || code != 3 {
		t.Errorf("at the prompt: exit %d stdout %q", code, out)
	}
}
