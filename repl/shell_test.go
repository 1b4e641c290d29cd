package repl

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// TestTransactionBlockIsAllOrNothing checks the rule where ReSqlite
// departs from sqlite3: a block whose statement fails applies nothing,
// and the error names the failing statement's line.
func TestTransactionBlockIsAllOrNothing(t *testing.T) {
	script := `.mode list
CREATE TABLE t(a INTEGER UNIQUE);
INSERT INTO t VALUES (1);
BEGIN;
INSERT INTO t VALUES (2);
SELECT 'inside';
INSERT INTO t VALUES (1);
INSERT INTO t VALUES (3);
COMMIT;
SELECT count(*) FROM t;
`
	out, errOut, code := runShell(t, script, Options{})
	if out != "1\n" {
		t.Errorf("stdout %q, want only the final count 1 (nothing of the failed block applied or printed)", out)
	}
	if want := "Runtime error near line 7: UNIQUE constraint failed: t.a (19)\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

// TestTransactionBlockPrintsAtCommit checks that a block's SELECT rows
// print when the block commits, in statement order.
func TestTransactionBlockPrintsAtCommit(t *testing.T) {
	out, errOut, code := runShell(t, ".mode list\nCREATE TABLE t(a);\nBEGIN;\nINSERT INTO t VALUES (1);\nSELECT 'x', count(*) FROM t;\n.print during\nINSERT INTO t VALUES (2);\nCOMMIT;\nSELECT count(*) FROM t;\n", Options{})
	if want := "during\nx|1\n2\n"; out != want || errOut != "" || code != 0 {
		t.Errorf("got %q, %q, %d; want %q, no errors", out, errOut, code, want)
	}
}

// TestALineStopsAtItsFirstFailure: as the CLI's shell_exec, a failing
// statement ends its input group; the writes after it on the same line are
// not applied, also when pipelined, and the next line runs.
func TestALineStopsAtItsFirstFailure(t *testing.T) {
	out, errOut, code := runShell(t, ".mode list\nSELECT 1; SELEC 2; SELECT 3;\nSELECT 4;\n", Options{})
	if out != "1\n4\n" || errOut != "Parse error near line 2: near \"SELEC\": syntax error\n" || code != 1 {
		t.Errorf("got %q, %q, %d", out, errOut, code)
	}
	script := ".mode list\nCREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES (1); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); SELECT 'no';\nSELECT count(*) FROM t;\n"
	for _, opts := range []Options{{}, {NoPipeline: true}} {
		out, errOut, code = runShell(t, script, opts)
		if out != "1\n" || errOut != "Runtime error near line 3: UNIQUE constraint failed: t.a (19)\n" || code != 1 {
			t.Errorf("NoPipeline %v: got %q, %q, %d", opts.NoPipeline, out, errOut, code)
		}
	}
	out, _, _ = runShell(t, ".mode list\n.bail on\nSELECT 1; SELEC 2; SELECT 3;\nSELECT 4;\n", Options{})
	if out != "1\n" {
		t.Errorf("with .bail on got %q, want only 1", out)
	}
}

// TestPipelinedBatchMatchesSequential runs a write-heavy script pipelined
// and one request at a time; stdout, stderr and the final database must
// be the same.
func TestPipelinedBatchMatchesSequential(t *testing.T) {
	var b strings.Builder
	b.WriteString(".mode csv\nCREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE);\n")
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&b, "INSERT INTO t(v) VALUES ('v%d');\n", i%1400)
		if i%250 == 0 {
			b.WriteString("SELECT count(*), max(id) FROM t;\n")
		}
		if i == 700 {
			b.WriteString("BEGIN;\nUPDATE t SET v = v || '!' WHERE id % 7 = 0;\nSELECT count(*) FROM t WHERE v LIKE '%!';\nCOMMIT;\n")
		}
	}
	b.WriteString("SELECT count(*), sum(id), group_concat(v) FROM t;\n")
	script := b.String()
	pOut, pErr, pCode := runShell(t, script, Options{})
	sOut, sErr, sCode := runShell(t, script, Options{NoPipeline: true})
	if pOut != sOut || pErr != sErr || pCode != sCode {
		t.Fatalf("pipelined run differs from sequential\nstdout %x vs %x\nstderr:\n%s\nvs\n%s\ncodes %d %d",
			sha256.Sum256([]byte(pOut)), sha256.Sum256([]byte(sOut)), pErr, sErr, pCode, sCode)
	}
	if !strings.Contains(pErr, "Runtime error near line ") || pCode != 1 {
		t.Fatalf("expected UNIQUE failures in the script, got stderr %q", pErr[:min(len(pErr), 200)])
	}
}

// TestTableModes checks the table modes and the default mode; a batch
// prints nothing for a write (TestPromptKeepsRowsAffected checks the
// prompt's rows-affected line).
func TestTableModes(t *testing.T) {
	script := "CREATE TABLE t(a, b);\nINSERT INTO t VALUES (1, 'x'), (22.5, NULL);\nSELECT * FROM t;\nUPDATE t SET b = 'y' WHERE a = 1;\nSELECT * FROM t WHERE 0;\n"
	out, _, _ := runShell(t, script, Options{})
	want := `+------+---+
|  a   | b |
+------+---+
| 1    | x |
| 22.5 |   |
+------+---+
`
	if out != want {
		t.Errorf("table mode:\n%s\nwant:\n%s", out, want)
	}
	for mode, want := range map[Mode]string{
		ModeBox:      "┌──────┬───┐\n│  a   │ b │\n├──────┼───┤\n│ 1    │ x │\n│ 22.5 │   │\n└──────┴───┘\n",
		ModeMarkdown: "|  a   | b |\n|------|---|\n| 1    | x |\n| 22.5 |   |\n",
		ModeColumn:   "a     b\n----  -\n1     x\n22.5   \n", // as the CLI prints it
	} {
		out, _, _ := runShell(t, "CREATE TABLE t(a, b);\nINSERT INTO t VALUES (1, 'x'), (22.5, NULL);\nSELECT * FROM t;\n", Options{Mode: mode})
		if !strings.HasSuffix(out, want) {
			t.Errorf("%s mode:\n%s\nwant suffix:\n%s", mode, out, want)
		}
	}
}

func TestModeErrors(t *testing.T) {
	_, errOut, code := runShell(t, ".mode bogus\n.mode tcl\n.mode\n", Options{})
	want := "Error: mode should be one of: ascii box column csv html insert json line list markdown qbox quote table tabs\n" +
		"Error: mode tcl is not supported by ReSqlite\n"
	if errOut != want || code != 1 {
		t.Errorf("got %q code %d, want %q", errOut, code, want)
	}
}

// TestClusterCommandsOverDouble runs the cluster dot-commands through the
// Client interface of the test double.
func TestClusterCommandsOverDouble(t *testing.T) {
	out, errOut, code := runShell(t, "CREATE TABLE t(a);\n.status\n.leader\n.mode list\n.headers on\n.nodes\n.snapshot\n.stepdown 2\n.remove 3\n.consistency\n.consistency local\n.consistency\n.consistency bogus\n.tables\n.schema\n.indexes\n", Options{})
	for _, want := range []string{
		"node:          1 (local-double)\nrole:          leader\n",
		"applied index: 1\n",
		"1 local-double\n",
		"id|address|role|voter|reachable|match_index|behind|last_contact\n1|local-double|leader|yes|yes|1|0|0s\n",
		"snapshot taken at index 1\n",
		"linearizable\nlocal\n",
		"t\nCREATE TABLE t(a);\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		"Error: stepdown: single-node double",
		"Error: remove: single-node double: cannot remove node 3",
		"Error: consistency should be one of: linearizable lease local",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

// TestInteractiveErrorForm checks the CLI's prompt form of errors (no
// line number) while a .read file keeps its line numbers.
func TestInteractiveErrorForm(t *testing.T) {
	_, errOut, _ := runShell(t, "SELEC 1;\nCOMMIT;\n.read testdata/oracle/include/inner.sql\n", Options{Interactive: true})
	want := "Parse error: near \"SELEC\": syntax error\n" +
		"Runtime error: cannot commit - no transaction is active\n" +
		"Parse error near line 2: near \"SELEC\": syntax error\n"
	if errOut != want {
		t.Errorf("got %q, want %q", errOut, want)
	}
}

// TestErrorContext checks shell_error_context against what the CLI 3.40
// printed for the same statements and offsets.
func TestErrorContext(t *testing.T) {
	for _, c := range []struct {
		sql    string
		offset int
		want   string
	}{
		{"select x frm t;", 13, "\n  select x frm t;\n               ^--- error here"},
		{"selec 2; select 3;", 0, "\n  selec 2; select 3;\n  ^--- error here"},
		{".mode csv\nselect 1;", 0, "\n  .mode csv select 1;\n  ^--- error here"},
		{"SELECT aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa FROM t WHERE frm x;", 67,
			"\n  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa FROM t WHERE frm x;\n" +
				"                                      error here ---^"},
		{"SELECT 1 FROM t WHERE a = 1 AND a = 2 AND a = 3 AND a = 4 AND a = 5 AND a = 6 AND a = 7 AND a = 8 AND a = 9 AND nosuchcol = 1;", 112,
			"\n  a = 5 AND a = 6 AND a = 7 AND a = 8 AND a = 9 AND nosuchcol = 1;\n" +
				"                                      error here ---^"},
	} {
		if got := errorContext(c.sql, c.offset); got != c.want {
			t.Errorf("errorContext(%q, %d) =\n%q\nwant\n%q", c.sql, c.offset, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for sql, want := range map[string]stmtKind{
		"BEGIN;": kindBegin, "begin immediate transaction;": kindBegin, "BEGIN TRANSACTION t1;": kindBegin,
		"/* c */ begin -- x\n;": kindBegin, "BEGIN foo;": kindWrite,
		"COMMIT;": kindCommit, "end;": kindCommit, "END TRANSACTION": kindCommit,
		"ROLLBACK;": kindRollback, "ROLLBACK TO sp;": kindRollbackTo, "ROLLBACK TRANSACTION TO SAVEPOINT sp;": kindRollbackTo,
		"ROLLBACK TO;": kindWrite, "ROLLBACK TRANSACTION x TO sp;": kindWrite,
		"SELECT 1;": kindRead, "values(1);": kindRead, "EXPLAIN DELETE FROM t;": kindRead,
		"WITH x AS (SELECT 1) SELECT * FROM x;": kindRead, "WITH x AS (SELECT 1) DELETE FROM t;": kindWrite,
		"WITH RECURSIVE c(n) AS (VALUES(1) UNION ALL SELECT n+1 FROM c) INSERT INTO t SELECT n FROM c;": kindWrite,
		"INSERT INTO t VALUES (1);": kindWrite, "PRAGMA user_version = 3;": kindWrite, "\"SELECT\";": kindWrite,
		"SAVEPOINT a;": kindSavepoint, "savepoint \"a b\";": kindSavepoint, "SAVEPOINT;": kindWrite, "SAVEPOINT a b;": kindWrite,
		"RELEASE a;": kindRelease, "RELEASE SAVEPOINT [a];": kindRelease, "RELEASE;": kindWrite,
	} {
		if got := classify(sql); got != want {
			t.Errorf("classify(%q) = %d, want %d", sql, got, want)
		}
	}
}

// TestBadInputNeverPanics feeds odd input through the shell.
func TestBadInputNeverPanics(t *testing.T) {
	for _, script := range []string{
		"", "\x00", ";;;\n", ".\n", ". \n", ".read\n", "'\n", "/*\n", "CREATE TRIGGER x AFTER INSERT ON t BEGIN\n",
		".once\n", ".output /nonexistent-dir/x\n", ".separator\n", "\xff\xfe\n", "BEGIN;\n", "COMMIT;\nROLLBACK;\n",
		strings.Repeat("(", 10000) + "\n",
	} {
		runShell(t, script, Options{})
	}
	var out bytes.Buffer
	sh := NewShell(newLocalSQLiteDouble(t), Options{Stdout: &out})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sh.RunBatch(ctx, strings.NewReader("SELECT 1;\n")); !errors.Is(err, context.Canceled) || out.Len() != 0 {
		t.Errorf("cancelled batch: err %v, output %q", err, out.String())
	}
	sh.Close()
}

// TestProgressOnLongBatches checks the progress line of a long batch and
// that it is erased before errors and at the end.
func TestProgressOnLongBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("CREATE TABLE t(a);\n")
	for i := 0; i < 4000; i++ {
		b.WriteString("INSERT INTO t VALUES (1);\n")
	}
	b.WriteString("SELEC 1;\n")
	var progress bytes.Buffer
	_, errOut, _ := runShell(t, b.String(), Options{Progress: &progress})
	want := "\r3000 statements sent\r4000 statements sent\r\x1b[K"
	if progress.String() != want {
		t.Errorf("progress %q, want %q", progress.String(), want)
	}
	if errOut != "Parse error near line 4002: near \"SELEC\": syntax error\n" {
		t.Errorf("stderr %q", errOut)
	}
}

// TestTimerLine checks the form of .timer's "Run Time:" line.
func TestTimerLine(t *testing.T) {
	out, _, _ := runShell(t, ".timer on\n.mode list\nSELECT 1;\n.timer off\nSELECT 2;\n", Options{})
	if !regexp.MustCompile(`^1\nRun Time: real \d+\.\d{3} user \d+\.\d{6} sys \d+\.\d{6}\n2\n$`).MatchString(out) {
		t.Errorf("timer output %q", out)
	}
}

// TestHelpListsEveryCommand checks .help and .help PATTERN.
func TestHelpListsEveryCommand(t *testing.T) {
	out, _, _ := runShell(t, ".help\n", Options{})
	for _, c := range dotCommands() {
		if !strings.Contains(out, c.usage) {
			t.Errorf(".help lacks %q", c.usage)
		}
	}
	out, _, _ = runShell(t, ".help .mo\n", Options{})
	if !strings.HasPrefix(out, ".mode MODE") || strings.Count(out, "\n") != 1 {
		t.Errorf(".help .mo gave %q", out)
	}
}

func TestSavepointName(t *testing.T) {
	for sql, want := range map[string]string{
		"SAVEPOINT Abc;": "abc", "RELEASE SAVEPOINT \"X\"\"y\";": `x"y`, "release `q`": "q", "SAVEPOINT 'str';": "str",
		"RELEASE [b c] ;": "b c", "SAVEPOINT a; SELECT 1;": "", "SAVEPOINT (x);": "", "SAVEPOINT 'open": "",
		"ROLLBACK TO Sp;": "sp", "rollback transaction to savepoint \"Q\";": "q", "ROLLBACK SAVEPOINT a;": "",
		"ROLLBACK TO SAVEPOINT;": "", "RELEASE SAVEPOINT;": "", "SAVEPOINT savepoint;": "savepoint", "ROLLBACK TRANSACTION;": "", "SAVEPOINT ÉA;": "Éa",
	} {
		if got := savepointName(sql); got != want {
			t.Errorf("savepointName(%q) = %q, want %q", sql, got, want)
		}
	}
}

// TestQueryPlanTree checks the plan tree against the CLI's drawing of a
// compound query (from sqlite3 3.40).
func TestQueryPlanTree(t *testing.T) {
	rows := []eqpRow{{1, 0, "COMPOUND QUERY"}, {2, 1, "LEFT-MOST SUBQUERY"}, {5, 2, "SCAN t"}, {12, 1, "UNION USING TEMP B-TREE"}, {15, 12, "SCAN u"}}
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	printQueryPlan(w, rows)
	w.Flush()
	want := "QUERY PLAN\n`--COMPOUND QUERY\n   |--LEFT-MOST SUBQUERY\n   |  `--SCAN t\n   `--UNION USING TEMP B-TREE\n      `--SCAN u\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// ReSqlite's own table (sqlval.MetaTable) is hidden from .tables,
// .schema and .indexes, with anything on it, as the CLI hides SQLite's
// sqlite_% objects; a user's table whose name only begins like it is not.
// The test double has no such table, so the test makes one.
func TestSchemaListingsHideInternalTable(t *testing.T) {
	script := "CREATE TABLE " + sqlval.MetaTable + "(id INTEGER PRIMARY KEY, v UNIQUE);\n" +
		"CREATE INDEX meta_v ON " + sqlval.MetaTable + "(v);\n" +
		"CREATE TABLE _resqlite_mine(x UNIQUE);\nCREATE TABLE t(a);\n" +
		".tables\n.schema\n.indexes\n.tables _resqlite%\n.schema " + sqlval.MetaTable + "\n.indexes " + sqlval.MetaTable + "\n"
	out, errOut, code := runShell(t, script, Options{})
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "_resqlite_mine  t             \n" +
		"CREATE TABLE _resqlite_mine(x UNIQUE);\nCREATE TABLE t(a);\n" +
		"sqlite_autoindex__resqlite_mine_1\n" +
		"_resqlite_mine\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}
