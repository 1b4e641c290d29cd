package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The batch and oracle tests share one 3-node cluster of the program per
// test; scripts that need an empty database reset it first.

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("3-node cluster tests of the program are skipped with -short")
	}
}

// A batch run with -connect through a follower: the all-or-nothing rule
// for transaction blocks, read-your-writes, and the exit status.
func TestClusterBatchTransactions(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	script := `CREATE TABLE acct(id INTEGER PRIMARY KEY, balance INTEGER CHECK (balance >= 0));
INSERT INTO acct VALUES(1, 100), (2, 50);
BEGIN;
UPDATE acct SET balance = balance + 10 WHERE id = 2;
INSERT INTO acct VALUES(3, 5);
UPDATE acct SET balance = balance - 500 WHERE id = 1;
INSERT INTO acct VALUES(4, 5);
COMMIT;
SELECT id, balance FROM acct ORDER BY id;
BEGIN;
UPDATE acct SET balance = balance - 30 WHERE id = 1;
UPDATE acct SET balance = balance + 30 WHERE id = 2;
SELECT sum(balance) FROM acct;
COMMIT;
SELECT id, balance FROM acct ORDER BY id;
`
	for i, nd := range nodes {
		resetDatabase(t, nodes[0].addr)
		r := runProgram(t, t.TempDir(), script, "-connect", nd.addr, "-mode", "list")
		want := "1|100\n2|50\n150\n1|70\n2|80\n"
		if r.code != 1 || r.stdout != want || r.stderr != "Runtime error near line 6: CHECK constraint failed: balance >= 0 (19)\n" {
			t.Fatalf("via node %d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, r.code, r.stdout, r.stderr)
		}
	}
}

// The same file gives the same stdout and database digest pipelined (the
// default for batch input) and one statement at a time (.bail on turns
// pipelining off), through a 3-node cluster and a single node.
func TestClusterPipelinedEqualsSequential(t *testing.T) {
	skipShort(t)
	var b strings.Builder
	b.WriteString("CREATE TABLE p(id INTEGER PRIMARY KEY, v TEXT, n REAL);\nCREATE INDEX p_v ON p(v);\n")
	for i := 1; i <= 600; i++ {
		switch {
		case i%50 == 0:
			b.WriteString("SELECT count(*), sum(n) FROM p;\n")
		case i%37 == 0:
			b.WriteString("BEGIN;\nUPDATE p SET n = n * 2 WHERE id % 7 = 0;\nDELETE FROM p WHERE id % 11 = 0;\nCOMMIT;\n")
		case i%23 == 0:
			b.WriteString("UPDATE p SET v = v || '!' WHERE id > " + itoa(i-20) + ";\n")
		}
		b.WriteString("INSERT INTO p(v, n) VALUES('row " + itoa(i) + "', " + itoa(i) + ".5);\n")
	}
	b.WriteString("SELECT id, v, n FROM p WHERE id % 97 = 0 ORDER BY id;\nSELECT count(*) FROM p;\n")
	script := b.String()

	cluster, single, piped, seq := runPipedAndSequential(t, script)
	if piped.stdout != seq.stdout {
		t.Fatalf("stdout differs\n--- pipelined\n%s\n--- sequential\n%s", piped.stdout, seq.stdout)
	}
	if d1, d2 := digest(t, cluster[2].addr), digest(t, single[0].addr); d1 != d2 {
		t.Fatalf("digest differs: pipelined %s, sequential %s", d1, d2)
	}
}

// runPipedAndSequential runs script pipelined (the batch default) through
// a follower of a new 3-node cluster and one statement at a time (.bail
// on) through a new single node, in list mode; both runs must succeed
// with nothing on stderr.
func runPipedAndSequential(t *testing.T, script string) (cluster, single []*serveChild, piped, seq result) {
	t.Helper()
	cluster = startCluster(t, 3)
	single = startCluster(t, 1)
	piped = runProgram(t, t.TempDir(), script, "-connect", cluster[1].addr, "-mode", "list")
	seq = runProgram(t, t.TempDir(), ".bail on\n"+script, "-connect", single[0].addr, "-mode", "list")
	if piped.code != 0 || seq.code != 0 || piped.stderr != "" || seq.stderr != "" {
		t.Fatalf("exit %d/%d, stderr %q / %q", piped.code, seq.code, piped.stderr, seq.stderr)
	}
	return cluster, single, piped, seq
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var d []byte
	for i > 0 {
		d = append([]byte{byte('0' + i%10)}, d...)
		i /= 10
	}
	if neg {
		d = append([]byte{'-'}, d...)
	}
	return string(d)
}

// The REPL engineer's oracle scripts (repl/testdata/oracle) print the same
// stdout through a 3-node cluster of the program as through the sqlite3
// CLI, in list, csv and box modes, with the same exit status.
func TestOracleScriptsThroughCluster(t *testing.T) {
	skipShort(t)
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); oracle comparison skipped")
	}
	scripts, err := filepath.Glob("repl/testdata/oracle/*.sql")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no oracle scripts in repl/testdata/oracle: %v", err)
	}
	modes := []struct{ name, prefix string }{
		{"list", ".mode list\n.headers off\n"},
		{"csv", ".mode csv\n.headers on\n"},
		{"box", ".mode box\n"},
	}
	// One cluster for the scripts: each run starts from an emptied
	// database, and reads must see tables that earlier scripts dropped
	// and re-created with other columns. A script listed in
	// needsNewDatabase gets a cluster of its own for each mode.
	shared := startCluster(t, 3)
	for _, path := range scripts {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, mode := range modes {
			t.Run(filepath.Base(path)+"/"+mode.name, func(t *testing.T) {
				nodes := shared
				if _, ok := needsNewDatabase[filepath.Base(path)]; ok {
					nodes = startCluster(t, 3)
				} else {
					resetDatabase(t, nodes[0].addr)
				}
				cliDir, ourDir := t.TempDir(), t.TempDir()
				script := mode.prefix + string(body)
				want := runCLI(t, cli, strings.ReplaceAll(script, "@TMP@", cliDir))
				// Alternate the node the REPL talks to: leader or follower.
				got := runProgram(t, "repl", strings.ReplaceAll(script, "@TMP@", ourDir), "-connect", nodes[i%len(nodes)].addr)
				got.stdout = strings.ReplaceAll(got.stdout, ourDir, "@TMP@")
				want.stdout = strings.ReplaceAll(want.stdout, cliDir, "@TMP@")
				if got.stdout != want.stdout {
					t.Errorf("stdout differs from sqlite3\n--- resqlite\n%s\n--- sqlite3\n%s\n--- resqlite stderr\n%s", got.stdout, want.stdout, got.stderr)
				}
				if got.code != want.code {
					t.Errorf("exit %d, sqlite3 %d\n--- resqlite stderr\n%s--- sqlite3 stderr\n%s", got.code, want.code, got.stderr, want.stderr)
				}
			})
		}
	}
}

// needsNewDatabase names the oracle scripts that an emptied database does
// not serve, and why.
var needsNewDatabase = map[string]string{
	"schema_sys.sql": "sqlite_sequence, once created, outlives every DROP, so .schema would list it in another place",
}

// runCLI runs the sqlite3 CLI on an in-memory database in repl/ (where
// the scripts' .read paths point).
func runCLI(t *testing.T, cli, script string) result {
	t.Helper()
	cmd := exec.Command(cli, "-batch", ":memory:")
	cmd.Dir = "repl"
	cmd.Stdin = strings.NewReader(script)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return result{out.String(), errb.String(), ee.ExitCode()}
	}
	if err != nil {
		t.Fatalf("sqlite3: %v", err)
	}
	return result{out.String(), errb.String(), 0}
}

// .dump of a cluster's database, fed back into a fresh node of the
// program and into the sqlite3 CLI, rebuilds the same content; the
// initial -mode and -consistency show in .status and in the output.
func TestClusterDumpRoundTripAndInitialSettings(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	setup := `CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB, d REAL);
INSERT INTO t VALUES (1, 'it''s', x'00ff', 2.5), (2, NULL, NULL, -1e-3), (3, 'héllo;
two lines', x'', 0.0);
CREATE INDEX t_b ON t(b);
CREATE TABLE "odd ""name"""(x);
INSERT INTO "odd ""name""" VALUES ('y');
CREATE VIEW v AS SELECT a FROM t;
`
	if r := runProgram(t, t.TempDir(), setup, "-connect", nodes[1].addr); r.code != 0 {
		t.Fatalf("setup: exit %d stderr %q", r.code, r.stderr)
	}
	dump := runProgram(t, t.TempDir(), ".dump\n", "-connect", nodes[2].addr, "-consistency", "local")
	if dump.code != 0 || !strings.HasPrefix(dump.stdout, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n") || !strings.HasSuffix(dump.stdout, "COMMIT;\n") {
		t.Fatalf("dump: exit %d stderr %q\n%s", dump.code, dump.stderr, dump.stdout)
	}
	single := startCluster(t, 1)
	if r := runProgram(t, t.TempDir(), dump.stdout, "-connect", single[0].addr); r.code != 0 {
		t.Fatalf("reload: exit %d stderr %q", r.code, r.stderr)
	}
	check := "SELECT a, b, hex(c), d FROM t ORDER BY a;\nSELECT * FROM \"odd \"\"name\"\"\";\nSELECT type, name FROM sqlite_schema WHERE name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name;\n"
	want := runProgram(t, t.TempDir(), check, "-connect", nodes[0].addr, "-mode", "csv", "-consistency", "lease")
	// (The digest covers the schema's order, which a dump changes:
	// indexes come after every table; so the content is compared.)
	reloaded := runProgram(t, t.TempDir(), check, "-connect", single[0].addr, "-mode", "csv")
	if want.code != 0 || !strings.Contains(want.stdout, "two lines") || reloaded.stdout != want.stdout {
		t.Errorf("reloaded dump prints\n%s(stderr %q)\nwant\n%s(stderr %q)", reloaded.stdout, reloaded.stderr, want.stdout, want.stderr)
	}
	if cli, err := exec.LookPath("sqlite3"); err == nil {
		got := runCLI(t, cli, ".mode csv\n"+dump.stdout+check)
		if got.stdout != want.stdout || got.code != 0 {
			t.Errorf("sqlite3 loading the dump prints\n%s(stderr %q)\nwant\n%s", got.stdout, got.stderr, want.stdout)
		}
	}
	st := runProgram(t, t.TempDir(), ".status\n", "-connect", nodes[0].addr, "-consistency", "lease")
	if !strings.Contains(st.stdout, "consistency:   lease") {
		t.Errorf(".status with -consistency lease:\n%s", st.stdout)
	}
}

// The cluster dot-commands through the real program and a follower:
// .leader, .snapshot, .consistency, .stepdown, .nodes and .remove act on
// the cluster, .help lists them, and an unknown command is an error that
// points to .help (exit 1 at the end, as sqlite3).
func TestClusterDotCommands(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	follower := -1
	for i, nd := range nodes {
		if r := runProgram(t, t.TempDir(), ".status\n", "-connect", nd.addr); strings.Contains(r.stdout, "role:          follower") {
			follower = i
			break
		}
	}
	if follower < 0 {
		t.Fatal("no follower found")
	}
	// Leadership moves to the node after the follower; the one after that
	// is removed. The session stays on the follower throughout.
	target, removed := (follower+1)%3, (follower+2)%3
	script := fmt.Sprintf(`CREATE TABLE k(v);
INSERT INTO k VALUES (1);
.snapshot
.consistency
.consistency local
.consistency
.stepdown %d
.leader
.frobnicate
.help stepdown
.remove %d
.nodes
SELECT count(*) FROM k;
`, target+1, removed+1)
	r := runProgram(t, t.TempDir(), script, "-connect", nodes[follower].addr, "-mode", "list")
	if r.code != 1 {
		t.Errorf("exit %d, want 1 after the unknown command\nstderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"snapshot taken at index ",
		"linearizable\nlocal\n",
		fmt.Sprintf("leader is now node %d\n%d %s\n", target+1, target+1, nodes[target].addr),
		".stepdown ?ID?",
		fmt.Sprintf("node %d removed\n", removed+1),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s\nstderr %q", want, r.stdout, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, `unknown command or invalid arguments:  "frobnicate". Enter ".help" for help`) {
		t.Errorf("stderr for the unknown command: %q", r.stderr)
	}
	// After .remove the member list lacks the removed node, and the
	// cluster still serves: the count after it is the one row.
	if strings.Contains(r.stdout, fmt.Sprintf("\n%d|%s|", removed+1, nodes[removed].addr)) ||
		!strings.Contains(r.stdout, fmt.Sprintf("\n%d|%s|leader|", target+1, nodes[target].addr)) ||
		!strings.HasSuffix(r.stdout, "\n1\n") {
		t.Errorf(".nodes after .remove, then the count:\n%s\nstderr %q", r.stdout, r.stderr)
	}
}

// Large results, streamed in many chunks, with writes right after each
// read that change what it reads: pipelined through a follower (a later
// write waits only for the read's first chunk) and one statement at a
// time on a single node, the output is the same, in list and in box mode
// (whose widths come from the first 1,000 rows).
func TestClusterStreamedReadsPipelinedEqualsSequential(t *testing.T) {
	skipShort(t)
	var b strings.Builder
	b.WriteString("CREATE TABLE s(id INTEGER PRIMARY KEY, v TEXT);\n")
	b.WriteString("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 30000) INSERT INTO s SELECT x, printf('%050d', x) FROM c;\n")
	for round := range 3 {
		b.WriteString("SELECT count(*), sum(length(v)) FROM s;\n")
		b.WriteString("SELECT id, v FROM s ORDER BY id;\n")
		b.WriteString("UPDATE s SET v = v || 'x' WHERE id % 3 = " + itoa(round) + ";\n")
		b.WriteString("DELETE FROM s WHERE id % 1000 = " + itoa(round) + ";\n")
		b.WriteString("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 500) INSERT INTO s(v) SELECT 'new ' || x FROM c;\n")
	}
	b.WriteString(".mode box\nSELECT id, v FROM s WHERE id > 29000 ORDER BY id;\nSELECT count(*) FROM s;\n")
	script := b.String()

	cluster, single, piped, seq := runPipedAndSequential(t, script)
	if n := strings.Count(piped.stdout, "\n"); n < 90000 {
		t.Fatalf("pipelined output has only %d lines", n)
	}
	if piped.stdout != seq.stdout {
		i := 0
		for i < len(piped.stdout) && i < len(seq.stdout) && piped.stdout[i] == seq.stdout[i] {
			i++
		}
		t.Fatalf("stdout differs at byte %d of %d/%d: pipelined %q, sequential %q", i, len(piped.stdout), len(seq.stdout),
			piped.stdout[max(0, i-80):min(len(piped.stdout), i+80)], seq.stdout[max(0, i-80):min(len(seq.stdout), i+80)])
	}
	if d1, d2 := digest(t, cluster[1].addr), digest(t, single[0].addr); d1 != d2 {
		t.Fatalf("digest differs: pipelined %s, sequential %s", d1, d2)
	}
}
