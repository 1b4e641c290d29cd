package main

import (
	"math/rand/v2"
	"os/exec"
	"testing"
)

// Issue 14, bug 1: invalid UTF-8 in the SQL text and in TEXT values, as
// the issue gives it. Both scripts end with .dump.
var invalidUTF8Scripts = map[string]string{
	"cast": "CREATE TABLE l2(s); INSERT INTO l2 VALUES (CAST(x'e9' AS TEXT)); SELECT * FROM l2; SELECT 'after';\n.dump\n",
	"latin1": "CREATE TABLE l0(a);\nCREATE TABLE l1(s);\nINSERT INTO l1 VALUES ('caf\xe9');\nINSERT INTO l0 VALUES (1);\n" +
		"SELECT s, hex(s) FROM l1;\nSELECT s AS \"n\xe9\" FROM l1;\nSELECT * FROM \"t\xe9\";\nSELECT count(*) FROM l0;\n.dump\n",
}

// Invalid UTF-8 travels and prints back byte for byte, through one node
// and through a 3-node cluster (the REPL talks to a follower): stdout,
// stderr and the exit code are sqlite3's, .dump's text included, byte for
// byte.
func TestInvalidUTF8AsSQLite3(t *testing.T) {
	skipShort(t)
	cli := sqlite3Path(t)
	for _, n := range []int{1, 3} {
		nodes := startCluster(t, n)
		for name, script := range invalidUTF8Scripts {
			resetDatabase(t, nodes[0].addr)
			want := runCLI(t, cli, ".mode list\n"+script)
			got := runProgram(t, t.TempDir(), ".mode list\n"+script, "-connect", nodes[n-1].addr)
			if got.stdout != want.stdout || got.stderr != want.stderr || got.code != want.code {
				t.Errorf("%d node(s), %s: got (exit %d)\n%q\nstderr %q\nsqlite3 (exit %d)\n%q\nstderr %q",
					n, name, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
			}
		}
	}
}

// Binary junk on stdin gives sqlite3's errors, byte for byte: the input
// reaches the parser as the CLI reads it (a NUL byte ends the fgets chunk
// it is in) and a statement that fails ends its input group, so the
// program prints what sqlite3 prints (often one parse error), not one
// error per fragment.
func TestBinaryJunkOnStdinAsSQLite3(t *testing.T) {
	skipShort(t)
	cli := sqlite3Path(t)
	nodes := startCluster(t, 3)
	for seed := uint64(1); seed <= 6; seed++ {
		r := rand.New(rand.NewPCG(seed, 14))
		junk := make([]byte, 500+r.IntN(20000))
		for i := range junk {
			junk[i] = byte(r.Uint32())
		}
		resetDatabase(t, nodes[0].addr)
		want := runCLI(t, cli, string(junk))
		got := runProgram(t, t.TempDir(), string(junk), "-connect", nodes[int(seed)%3].addr)
		if got != want {
			t.Errorf("seed %d: got (exit %d)\n%q\nstderr %q\nsqlite3 (exit %d)\n%q\nstderr %q",
				seed, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
		}
	}
}

func sqlite3Path(t *testing.T) string {
	t.Helper()
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it); oracle comparison skipped")
	}
	return cli
}
