package statemachine

import (
	"bytes"
	"context"
	"errors"
	osexec "os/exec"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// sqlite3Dump runs statements and then each dot-command in the sqlite3 CLI
// (the 3.40 oracle) on an in-memory database and returns what it printed;
// the test is skipped where the CLI is not installed.
func sqlite3Dump(t *testing.T, statements []string, commands ...string) string {
	t.Helper()
	cli, err := osexec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); oracle comparison skipped")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := osexec.CommandContext(ctx, cli, "-batch", ":memory:")
	cmd.Stdin = strings.NewReader(strings.Join(statements, ";\n") + ";\n" + strings.Join(commands, "\n") + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		var ee *osexec.ExitError
		if !errors.As(err, &ee) && err != nil {
			t.Fatalf("sqlite3: %v", err)
		}
		t.Fatalf("sqlite3: %v\n%s", err, errb.String())
	}
	return out.String()
}

// dumpOracleStatements build a database that exercises what sqlite3's
// .dump spells in its own way: identifiers quoted only where needed
// (keywords in any case, odd characters, non-ASCII), CREATE TABLE of a
// quoted name as CREATE TABLE IF NOT EXISTS, REALs with the CLI's
// digits (integral ones as N.0, infinities as 1e999), text with quotes,
// newlines and carriage returns (replace(…, char(10)), with a marker not
// in the text), generated columns left out of the INSERTs, tables in
// creation order with sqlite_sequence last, then indexes, triggers and
// views in creation order, a "--" comment closing its statement on a line
// of its own, text that is not UTF-8 byte for byte.
func dumpOracleStatements() []string {
	stmts := []string{
		"CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b, c)",
		"CREATE VIEW v AS SELECT a FROM t -- the a column\n",
		"CREATE INDEX t_c ON t(c)",
		"CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END",
		`CREATE TABLE "odd ""name"""(x)`,
		`CREATE TABLE "Order"(x)`,
		"CREATE TABLE [br](x)",
		"CREATE TABLE `bt`(x)",
		"CREATE TABLE g(a, b AS (a*2), c)",
		`CREATE TABLE "café"(x)`,
		`CREATE TABLE "1st"(x)`,
		"CREATE TABLE _u9(x)",
		"CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID",
		"CREATE INDEX g_c ON g(c) -- by c\n",
		"CREATE TABLE p(x INTEGER PRIMARY KEY AUTOINCREMENT)",
		"CREATE VIEW pv AS SELECT x FROM p",
		"INSERT INTO g(a, c) VALUES (1, 2)",
		`INSERT INTO "odd ""name""" VALUES ('q'), (NULL)`,
		`INSERT INTO "Order" VALUES (1)`, "INSERT INTO [br] VALUES (2)", "INSERT INTO `bt` VALUES (3)",
		`INSERT INTO "café" VALUES ('é')`, `INSERT INTO "1st" VALUES (4)`, "INSERT INTO _u9 VALUES (5)",
		"INSERT INTO w VALUES ('b', 2), ('a', 1)",
		"INSERT INTO p VALUES (7)",
		"INSERT INTO t(b, c) VALUES (1.0, 0.1), (1e20, 1e-7), (-0.0, 37.5), (9e999, -9e999)",
		"INSERT INTO t(b, c) VALUES (9223372036854775808.0, -9223372036854775808.0), (1e15, 123456789012345.6), (22.49, 1e300)",
		"INSERT INTO t(b, c) VALUES (-9223372036854775808, 9223372036854775807), (X'00ff', X''), ('', NULL)",
		"INSERT INTO t(b, c) VALUES ('it''s', 'a' || char(10) || 'b'), ('x\\ny' || char(10) || 'z', 'c' || char(13) || char(10) || 'd''')",
		"INSERT INTO t(b, c) VALUES ('\\n(\\n0)\\012' || char(10), '\\r\\015' || char(13))",
		"INSERT INTO t(b, c) VALUES (CAST(X'e9' AS TEXT), 'caf' || CAST(X'e90a27' AS TEXT))",
		"DELETE FROM t WHERE b IS NULL",
		// Rowids that --preserve-rowids keeps: a rowid table without an
		// INTEGER PRIMARY KEY (under another name where columns take
		// rowid, _rowid_ or oid), with one that is DESC.
		"CREATE TABLE r1(x TEXT PRIMARY KEY, \"Select\")",
		"CREATE TABLE r2(rowid, _ROWID_, y)",
		"CREATE TABLE r3(rowid, _rowid_, oid)",
		"CREATE TABLE r4(i INTEGER PRIMARY KEY DESC, v)",
		"CREATE TABLE r5(i INT PRIMARY KEY, v)",
		"INSERT INTO r1(rowid, x) VALUES (10, 'a'), (5, 'b')",
		"INSERT INTO r2(rowid, y) VALUES (3, 'c')",
		"INSERT INTO r3 VALUES (1, 2, 3)",
		"INSERT INTO r4 VALUES (8, 'd')",
		"INSERT INTO r5(rowid, i, v) VALUES (9, 2, 'e')",
		// A virtual table is a row of sqlite_schema written with
		// writable_schema on; its shadow tables are tables.
		"CREATE VIRTUAL TABLE ft USING fts5(body)",
		"INSERT INTO ft VALUES ('one two'), ('it''s')",
	}
	// Every keyword of SQLite 3.40 names a table (quoted), and so do words
	// that are not keywords (not quoted); sqlite3 checks them in any case.
	for _, k := range append(sqlval.Keywords(), "rowid", "oid", "true", "false", "main", "text", "integer", "sqlite") {
		if k == "ORDER" { // "Order" above
			continue
		}
		stmts = append(stmts, "CREATE TABLE "+sqlval.QuoteIdent(strings.ToLower(k))+"(x)", "INSERT INTO "+sqlval.QuoteIdent(strings.ToLower(k))+" VALUES (1)")
	}
	return stmts
}

// The dump is byte for byte sqlite3 3.40's .dump of the same database,
// whole and with LIKE patterns (any case, matching index names too).
func TestDumpMatchesSQLite3(t *testing.T) {
	stmts := dumpOracleStatements()
	sm := openTest(t)
	for _, s := range stmts {
		mustExec(t, sm, s)
	}
	for _, c := range []struct {
		args string
		opts DumpOptions
	}{
		{"", DumpOptions{}},
		{"T%", DumpOptions{Tables: []string{"T%"}}},
		{"g nosuch", DumpOptions{Tables: []string{"g", "nosuch"}}},
		{"p% sqlite_seq%", DumpOptions{Tables: []string{"p%", "sqlite_seq%"}}},
		{"_u9", DumpOptions{Tables: []string{"_u9"}}},
		{`\_u_`, DumpOptions{Tables: []string{`\_u_`}}},
		{"--data-only", DumpOptions{DataOnly: true}},
		{"--nosys t p", DumpOptions{NoSys: true, Tables: []string{"t", "p"}}},
		{"--data-only sqlite%", DumpOptions{DataOnly: true, Tables: []string{"sqlite%"}}},
		{"--newlines t", DumpOptions{Newlines: true, Tables: []string{"t"}}},
		{"--preserve-rowids", DumpOptions{PreserveRowids: true}},
		{"ft", DumpOptions{Tables: []string{"ft"}}},
		{"--data-only ft", DumpOptions{DataOnly: true, Tables: []string{"ft"}}},
	} {
		want := sqlite3Dump(t, stmts, ".dump "+c.args)
		got, _ := dumpWith(t, sm, c.opts)
		if got != want {
			t.Errorf(".dump %s:\n%s\nsqlite3:\n%s", c.args, got, want)
		}
	}
}
