package repl

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestShowAndDatabasesMatchSQLite3 runs .show (after settings that change
// every line but eqp and stats) and .databases through the REPL and the
// sqlite3 CLI. The outputs must be identical except for the database's
// file, which is the node's (here the test double's) instead of
// sqlite3's in-memory database.
func TestShowAndDatabasesMatchSQLite3(t *testing.T) {
	sqlite3CLI(t)
	script := `.mode list
.show
.mode box --wrap 20 --quote
.width 3 -4 0
.headers on
.nullvalue "a\tb\\c\"d\001\351"
.separator ";" "\r\n"
.show
.mode tabs
.stats stmt
.output @TMP@/x.txt
.show
.output
.sho
.databases
.da
.show extra
.stats vmstep
.show
.stats on off
`
	cliDir, replDir := t.TempDir(), t.TempDir()
	wantOut, wantErr, wantCode := runSQLite3(t, "", strings.ReplaceAll(script, "@TMP@", cliDir))
	gotOut, gotErr, gotCode := runShell(t, strings.ReplaceAll(script, "@TMP@", replDir), Options{})
	file := regexp.MustCompile(`(?m)^    filename: (.*/double\.db)$`).FindStringSubmatch(gotOut)
	if file == nil {
		t.Fatalf(".show gives no filename line naming the double's database:\n%s", gotOut)
	}
	gotOut = strings.ReplaceAll(gotOut, "    filename: "+file[1]+"\n", "    filename: :memory:\n")
	gotOut = strings.ReplaceAll(gotOut, "main: "+file[1]+" r/w\n", `main: "" r/w`+"\n")
	gotOut = strings.ReplaceAll(gotOut, replDir, cliDir)
	wantFile, _ := os.ReadFile(filepath.Join(cliDir, "x.txt"))
	gotFile, _ := os.ReadFile(filepath.Join(replDir, "x.txt"))
	gotOut += strings.ReplaceAll(strings.ReplaceAll(string(gotFile), replDir, cliDir), file[1], ":memory:")
	wantOut += string(wantFile)
	if gotOut != wantOut {
		t.Errorf("stdout differs from sqlite3\n--- repl\n%s\n--- sqlite3\n%s", gotOut, wantOut)
	}
	if gotErr != wantErr || gotCode != wantCode {
		t.Errorf("stderr/exit: repl %q %d, sqlite3 %q %d", gotErr, gotCode, wantErr, wantCode)
	}
}

// TestStatsCountsStatementsAndRows: .stats on prints a statement's rows
// returned (and changed, for a write) after its output; .stats alone the
// session's counts.
func TestStatsCountsStatementsAndRows(t *testing.T) {
	script := `.mode list
CREATE TABLE t(a);
INSERT INTO t VALUES (1), (2), (3);
.stats on
SELECT a FROM t WHERE a > 1;
UPDATE t SET a = a + 1 WHERE a < 3;
.stats off
SELECT 1;
.stats
`
	out, errText, code := runShell(t, script, Options{})
	want := `2
3
Rows returned:                       2
Rows returned:                       0
Rows changed:                        2
1
Statements run:                      5
Rows returned:                       3
Rows changed (total_changes):        5
`
	if out != want || errText != "" || code != 0 {
		t.Fatalf("got %q, stderr %q, exit %d; want %q", out, errText, code, want)
	}
}
