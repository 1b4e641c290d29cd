package repl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// TestDumpRoundTrip dumps a database through .dump and feeds the text back
// into a fresh session and into the sqlite3 CLI: both rebuild the same
// rows.
func TestDumpRoundTrip(t *testing.T) {
	setup := `CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB, d REAL);
INSERT INTO t VALUES (1, 'it''s', x'00ff', 2.5), (2, NULL, NULL, -1e-3), (3, 'héllo;', x'', 0.0);
CREATE INDEX t_b ON t(b);
CREATE TABLE "odd ""name"""(x);
INSERT INTO "odd ""name""" VALUES ('y');
CREATE VIEW v AS SELECT a FROM t;
`
	check := ".mode list\nSELECT a, b, hex(c), d FROM t ORDER BY a;\nSELECT * FROM \"odd \"\"name\"\"\";\nSELECT name FROM sqlite_schema ORDER BY name;\n"
	dump, errOut, code := runShell(t, setup+".dump\n", Options{Mode: ModeList})
	if code != 0 || errOut != "" || !strings.HasPrefix(dump, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n") || !strings.HasSuffix(dump, "COMMIT;\n") {
		t.Fatalf("dump failed (%d, %q):\n%s", code, errOut, dump)
	}
	want, _, _ := runShell(t, ".mode list\n"+setup+check, Options{})
	got, errOut, code := runShell(t, ".mode list\n"+dump+check, Options{})
	if got != want || errOut != "" || code != 0 {
		t.Errorf("reloaded dump gives\n%s(stderr %q)\nwant\n%s", got, errOut, want)
	}
	cliOut, cliErr, cliCode := runSQLite3(t, "", dump+check)
	if cliOut != want || cliErr != "" || cliCode != 0 {
		t.Errorf("sqlite3 loading the dump gives\n%s(stderr %q)\nwant\n%s", cliOut, cliErr, want)
	}
	part, _, _ := runShell(t, setup+".dump v t\n", Options{})
	if strings.Contains(part, "odd") || !strings.Contains(part, "CREATE VIEW v") {
		t.Errorf(".dump v t gave:\n%s", part)
	}
}

// An unknown .dump option is refused as sqlite3 refuses it (the message on
// stderr, nothing dumped, the batch goes on and exits 1); "-opt" and
// "--opt" are the same option.
func TestDumpUnknownOption(t *testing.T) {
	script := "CREATE TABLE t(x);\n.dump --foo\n.dump -bar t\nSELECT 1;\n"
	wantOut, wantErr, wantCode := runSQLite3(t, "", script)
	gotOut, gotErr, gotCode := runShell(t, script, Options{Mode: ModeList})
	if gotOut != wantOut || gotErr != wantErr || gotCode != wantCode {
		t.Errorf("got stdout %q stderr %q exit %d; sqlite3 %q %q %d", gotOut, gotErr, gotCode, wantOut, wantErr, wantCode)
	}
	for _, c := range []struct {
		args []string
		want sqlval.DumpOptions
	}{
		{[]string{"-data-only", "--nosys", "a%", "--newlines", "-preserve-rowids", "b"},
			sqlval.DumpOptions{Tables: []string{"a%", "b"}, DataOnly: true, NoSys: true, Newlines: true, PreserveRowids: true}},
		{nil, sqlval.DumpOptions{}},
	} {
		if got, bad := dumpOptions(c.args); bad != "" || !reflect.DeepEqual(got, c.want) {
			t.Errorf("dumpOptions(%q) = %+v, %q; want %+v", c.args, got, bad, c.want)
		}
	}
}
