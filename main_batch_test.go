package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

const errorScript = `CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT UNIQUE);
INSERT INTO t VALUES(1, 'x');
INSERT INTO t VALUES(2, 'x');
SELECT * frm t;
INSERT INTO t VALUES(3, 'y'); INSERT INTO t VALUES(4, 'y'); INSERT INTO t VALUES(5, 'z');
SELECT a, b FROM t ORDER BY a;
`

// A single node started with no node flags keeps its data in
// resqlite-data/node-1 of the working directory: a batch file runs,
// errors print with their line numbers, a failing statement ends its line
// (as in sqlite3: 5|z is not inserted) and the next line runs, the exit
// status says whether anything failed, and a second run finds the data.
func TestBatchOnOwnNode(t *testing.T) {
	dir := t.TempDir()
	peers := "1=" + freeAddrs(t, 1)[0]
	os.WriteFile(filepath.Join(dir, "script.sql"), []byte(errorScript), 0o644)

	r := runProgram(t, dir, "", "-peers", peers, "-mode", "list", "-batch", "script.sql")
	wantErr := "Runtime error near line 3: UNIQUE constraint failed: t.b (19)\n" +
		"Parse error near line 4: near \"frm\": syntax error\n" +
		"  SELECT * frm t;\n           ^--- error here\n" +
		"Runtime error near line 5: UNIQUE constraint failed: t.b (19)\n"
	if r.code != 1 || r.stdout != "1|x\n3|y\n" || r.stderr != wantErr {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "resqlite-data", "node-1")); err != nil {
		t.Fatalf("data directory: %v", err)
	}

	// Stdin that is not a terminal is a batch; the data is still there.
	r = runProgram(t, dir, "SELECT count(*) FROM t;\n", "-peers", peers, "-mode", "csv")
	if r.code != 0 || r.stdout != "2\r\n" || r.stderr != "" {
		t.Fatalf("second run: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	// The default mode is table, also in batch; a write prints nothing
	// unless .changes is on, as in sqlite3.
	r = runProgram(t, dir, "SELECT a FROM t WHERE a = 1;\nUPDATE t SET b = b WHERE a < 4;\n.changes on\nUPDATE t SET b = b WHERE a < 2;\n", "-peers", peers)
	if want := "+---+\n| a |\n+---+\n| 1 |\n+---+\nchanges: 1   total_changes: 3\n"; r.code != 0 || r.stdout != want {
		t.Fatalf("table mode: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	// A batch file that cannot be read fails with exit 1.
	r = runProgram(t, dir, "", "-peers", peers, "-batch", "nosuch.sql")
	if r.code != 1 || !strings.Contains(r.stderr, "nosuch.sql") {
		t.Fatalf("missing file: exit %d stderr %q", r.code, r.stderr)
	}
	// Bad REPL flags are flag errors: one line, exit 2.
	for _, args := range [][]string{{"-mode", "fancy"}, {"-consistency", "eventual"}, {"-connect", "127.0.0.1:1", "-serve"}} {
		r = runProgram(t, dir, "", args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d stderr %q", args, r.code, r.stderr)
		}
	}
}

// -connect to an address where nothing listens: one line, exit 1.
func TestConnectToDeadAddress(t *testing.T) {
	addr := freeAddrs(t, 1)[0]
	start := time.Now()
	r := runProgram(t, t.TempDir(), "SELECT 1;\n", "-connect", addr)
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "resqlite: cannot connect to "+addr) || r.stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	t.Logf("failed after %v: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.stderr))
}

// -serve with -batch runs the file, then keeps serving until SIGTERM.
func TestServeWithBatchKeepsServing(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddrs(t, 1)[0]
	os.WriteFile(filepath.Join(dir, "load.sql"), []byte("CREATE TABLE k(v);\nINSERT INTO k VALUES(42);\n"), 0o644)
	cmd := newCmd(dir, "-serve", "-peers", "1="+addr, "-batch", "load.sql")
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() { cmd.Process.Signal(syscall.SIGKILL); <-exited }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, client.Options{ConnectTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for {
		rows, err := c.Query(ctx, client.Linearizable, "SELECT v FROM k")
		if err == nil && len(rows.Rows) == 1 && rows.Rows[0][0].Int == 42 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("batch result never visible: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case <-exited:
		t.Fatal("the node exited after its batch")
	case <-time.After(300 * time.Millisecond):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}
