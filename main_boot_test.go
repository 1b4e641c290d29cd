package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// startChild starts the program with args as a node process, killed when
// the test ends.
func startChild(t *testing.T, addr string, args ...string) *serveChild {
	t.Helper()
	cmd := exec.Command(programPath, args...)
	nd := &serveChild{addr: addr, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = nd.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := nd.exited
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGKILL); <-exited })
	return nd
}

// makeDB creates an SQLite file at path with the statements sqls.
func makeDB(t *testing.T, path string, sqls ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range sqls {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Issue 17: -boot FILE starts a new single node whose database is the
// file's; a node that joins it gets the same database. A file that fails
// restore's checks is refused before any node starts (exit 2, no data
// directory).
func TestBootFromFileAndJoin(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "seed.db")
	makeDB(t, file, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)",
		"WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 500) INSERT INTO t(b) SELECT 'row ' || v FROM n",
		"CREATE INDEX tb ON t(b)")

	bad := filepath.Join(dir, "bad.db")
	makeDB(t, bad, "CREATE TABLE _resqlite_mine(x)")
	r := runProgram(t, dir, "", "-boot", bad, "-data", filepath.Join(dir, "bad-node"), "-batch", "/dev/null")
	if r.code != 2 || !strings.Contains(r.stderr, "_resqlite_mine is reserved") {
		t.Fatalf("-boot of a file with a reserved name: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad-node")); err == nil {
		t.Fatal("a refused -boot created its data directory")
	}

	addrs := freeAddrs(t, 2)
	first := startChild(t, addrs[0], "-serve", "-id", "1", "-peers", "1="+addrs[0], "-data", filepath.Join(dir, "node-1"), "-boot", file)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(first.stderr.String(), "booted from") {
		select {
		case <-first.exited:
			t.Fatalf("the booting node exited:\n%s", first.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no boot report:\n%s", first.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	index := restoredIndex(t, first.stderr.String())
	got := runProgram(t, dir, "SELECT count(*), max(b) FROM t;\n", "-connect", addrs[0], "-mode", "list")
	if got.code != 0 || got.stdout != "500|row 99\n" {
		t.Fatalf("booted node: exit %d stdout %q stderr %q", got.code, got.stdout, got.stderr)
	}
	startChild(t, addrs[1], "-serve", "-id", "2", "-listen", addrs[1], "-join", addrs[0], "-data", filepath.Join(dir, "node-2"))
	if a, b := digestAt(t, addrs[0], index), digestAt(t, addrs[1], index); a != b {
		t.Fatalf("joined node's digest %s, booted node's %s", b, a)
	}
}
