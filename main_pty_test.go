package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/repl/ptytest"
)

// startOnPTY starts the program in dir with args on a pseudo-terminal,
// HOME in dir (for the history file); it is killed when the test ends.
func startOnPTY(t *testing.T, dir string, args ...string) *ptytest.Session {
	t.Helper()
	cmd := exec.Command(programPath, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=dumb")
	return ptytest.Start(t, cmd, 150)
}

// interactiveSession drives a prompt: a multi-line statement, a query
// drawn as a table, the cluster dot-commands, Ctrl-C on a line, with
// interrupt Ctrl-C on a running query, and Ctrl-D to leave (exit 0, or
// 1 after the interrupted statement).
func interactiveSession(t *testing.T, p *ptytest.Session, wantNodes int, interrupt bool) {
	p.Expect(" leader> ")
	p.Send("CREATE TABLE pets(\n")
	p.Expect("...> ")
	p.Send("  name TEXT, legs INTEGER);\n")
	p.Expect("> ")
	p.Send("INSERT INTO pets VALUES('cat', 4), ('bird', 2);\n")
	p.Expect("2 rows affected")
	p.Send("SELECT name, legs\n")
	p.Expect("...> ")
	p.Send("FROM pets ORDER BY legs;\n")
	p.Expect("| name | legs |")
	p.Expect("| bird | 2    |")
	p.Expect("| cat  | 4    |")
	p.Send("BEGIN;\n")
	p.Expect(" tx> ")
	p.Send("INSERT INTO pets VALUES('fish', 0);\n")
	p.Send("COMMIT;\n")
	p.Expect("1 row affected")
	p.Send(".nodes\n")
	p.Expect("| id |")
	for i := 1; i <= wantNodes; i++ {
		p.Expect("| yes ")
	}
	p.Send(".status\n")
	p.Expect("role:")
	p.Expect("applied index:")
	p.Send(".leader\n")
	p.Expect("127.0.0.1:")
	p.Send("SELECT 'never sent'")
	p.Send("\x03")
	p.Expect("^C")
	// Ctrl-C while a query runs interrupts it (the first ^C may reach
	// the line editor before the query starts, so repeat it).
	want := 0
	if interrupt {
		p.Send("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\n")
		p.SendUntil("\x03", "interrupted (9)", 500*time.Millisecond)
		want = 1
	}
	p.Send("SELECT count(*) AS n FROM pets;\n")
	p.Expect("| 3 |")
	p.Send("\x04")
	if code := p.Wait(); code != want {
		t.Fatalf("exit %d after Ctrl-D, want %d", code, want)
	}
}

// The prompt of the program on its own single node (no node flags but
// the port), on a pseudo-terminal.
func TestInteractiveOwnNode(t *testing.T) {
	dir := t.TempDir()
	p := startOnPTY(t, dir, "-peers", "1="+freeAddrs(t, 1)[0])
	interactiveSession(t, p, 1, false)
	if _, err := os.Stat(filepath.Join(dir, ".resqlite_history")); err != nil {
		t.Errorf("history file: %v", err)
	}
}

// The prompt of -connect to the leader of a 3-node cluster.
func TestInteractiveConnectToCluster(t *testing.T) {
	skipShort(t)
	nodes := startCluster(t, 3)
	// Connect to the leader first so that the prompt shows "leader".
	var leader string
	for _, nd := range nodes {
		r := runProgram(t, t.TempDir(), ".leader\n", "-connect", nd.addr)
		if r.code == 0 {
			leader = strings.Fields(r.stdout)[1]
			break
		}
	}
	if leader == "" {
		t.Fatal("no leader known")
	}
	p := startOnPTY(t, t.TempDir(), "-connect", leader)
	interactiveSession(t, p, 3, true)
}
