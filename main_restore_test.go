package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// sqlite3File builds a database file at path with the sqlite3 CLI (run in
// the repository, for .read data/…).
func sqlite3File(t *testing.T, cli, path, script string) {
	t.Helper()
	cmd := exec.Command(cli, "-batch", path)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("sqlite3 %s: %v\n%s", path, err, out)
	}
}

// digestAt returns the digest of the node at addr once it has applied
// index.
func digestAt(t *testing.T, addr string, index uint64) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Observe(index)
	d, err := c.Digest(ctx)
	if err != nil {
		t.Fatalf("digest of %s at %d: %v", addr, index, err)
	}
	return d.GetSha256()
}

// restartChild stops the node nd (SIGTERM) and starts it again with the
// same arguments; the new process is killed when the test ends.
func restartChild(t *testing.T, nd *serveChild) {
	t.Helper()
	nd.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-nd.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("node %s did not stop", nd.addr)
	}
	cmd := exec.Command(nd.cmd.Path, nd.cmd.Args[1:]...)
	cmd.Env = nd.cmd.Env
	nd.cmd, nd.exited = cmd, make(chan struct{})
	cmd.Stderr = nd.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := nd.exited
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGKILL); <-exited })
}

// restoredIndex reads the log index from restore's report.
func restoredIndex(t *testing.T, out string) uint64 {
	t.Helper()
	var index uint64
	i := strings.Index(out, "at log index ")
	if i < 0 {
		t.Fatalf("restore's report: %q", out)
	}
	if _, err := fmt.Sscanf(out[i:], "at log index %d", &index); err != nil {
		t.Fatalf("restore's report %q: %v", out, err)
	}
	return index
}

// Issue 17: `resqlite restore` of a plain SQLite file (made by the sqlite3
// CLI) into a 3-node cluster replaces its database through the log: every
// node has the same digest at the restore's index, the cluster's .dump is
// the file's, a restarted node keeps it. A file that is no SQLite
// database, or holds a reserved name or statistics, is refused before
// anything is sent and changes nothing.
func TestRestoreIntoThreeNodeCluster(t *testing.T) {
	skipShort(t)
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (scripts/install-test-deps.sh installs it)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	sqlite3File(t, cli, src, backupSetup)
	want := sqlite3On(t, cli, src, ".dump\n")

	nodes := startCluster(t, 3)
	if r := runProgram(t, ".", "CREATE TABLE before(x);\nINSERT INTO before VALUES (1);\n", "-connect", nodes[0].addr); r.code != 0 {
		t.Fatalf("setup: exit %d\n%s", r.code, r.stderr)
	}
	before := digest(t, nodes[0].addr)

	bad := map[string]string{
		"text.db":     "",
		"reserved.db": "CREATE TABLE _resqlite_x(a);",
		"stats.db":    "CREATE TABLE s(a); CREATE INDEX sa ON s(a); INSERT INTO s VALUES (1); ANALYZE;",
	}
	for name, script := range bad {
		path := filepath.Join(dir, name)
		if script == "" {
			if err := os.WriteFile(path, []byte("CREATE TABLE t(x);\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			sqlite3File(t, cli, path, script)
		}
		r := runProgram(t, ".", "", "restore", path, "-connect", nodes[1].addr) // FILE first works too
		if r.code != 1 || !strings.Contains(r.stderr, "nothing changed") {
			t.Errorf("restore %s: exit %d\nstdout %q\nstderr %q", name, r.code, r.stdout, r.stderr)
		}
	}
	if got := digest(t, nodes[0].addr); got != before {
		t.Fatalf("a refused restore changed the database")
	}

	r := runProgram(t, ".", "", "restore", "-connect", nodes[1].addr, src)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("restore: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	index := restoredIndex(t, r.stdout)
	sums := map[string]bool{}
	for _, nd := range nodes {
		sums[digestAt(t, nd.addr, index)] = true
	}
	if len(sums) != 1 || sums[before] {
		t.Fatalf("digests after the restore: %v (before: %s)", sums, before)
	}
	for i, nd := range nodes {
		got := runProgram(t, ".", ".dump\n", "-connect", nd.addr)
		if got.code != 0 || got.stdout != want {
			t.Errorf("node %d: .dump after the restore: exit %d %s\n%s", i+1, got.code, got.stderr, firstDifference(got.stdout, want))
		}
	}
	restartChild(t, nodes[2])
	for sum := range sums {
		if got := digestAt(t, nodes[2].addr, index); got != sum {
			t.Fatalf("restarted node's digest %s, want %s", got, sum)
		}
	}
	if w := runProgram(t, ".", "INSERT INTO log(what) VALUES ('after the restore');\n", "-connect", nodes[2].addr); w.code != 0 || w.stderr != "" {
		t.Fatalf("write after the restore: exit %d %s", w.code, w.stderr)
	}
}

// restore takes its FILE before or after its flags.
func TestSplitPositional(t *testing.T) {
	valued := map[string]bool{"connect": true}
	for _, c := range []struct {
		args         []string
		flags, files string
	}{
		{[]string{"-connect", "h:1", "f.db"}, "-connect h:1", "f.db"},
		{[]string{"f.db", "-connect", "h:1"}, "-connect h:1", "f.db"},
		{[]string{"--connect=h:1", "f.db"}, "--connect=h:1", "f.db"},
		{[]string{"-h"}, "-h", ""},
		{[]string{"-connect", "h:1", "--", "-odd.db"}, "-connect h:1", "-odd.db"},
		{[]string{"a.db", "b.db"}, "", "a.db b.db"},
	} {
		flags, files := splitPositional(c.args, valued)
		if strings.Join(flags, " ") != c.flags || strings.Join(files, " ") != c.files {
			t.Errorf("%q: flags %q files %q", c.args, flags, files)
		}
	}
}
