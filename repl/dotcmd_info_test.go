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
.output @TMP@/x.txt
.show
.output
.sho
.databases
.da
.show extra
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
