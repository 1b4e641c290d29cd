package node_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/statemachine"
	_ "modernc.org/sqlite"
)

// A data directory written by a newer resqlite is refused before anything
// in it is touched, with a one-line error naming both versions.
func TestDataDirectoryOfNewerFormatIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, node.FormatFile), []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A listener of its own: the refusal must not depend on whether some
	// other process holds a fixed port.
	lis := listenLoopback(t)
	_, err := node.Start(context.Background(), node.Config{ID: 1, Peers: []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, DataDir: dir, Listener: lis})
	if !errors.Is(err, node.ErrConfig) || !strings.Contains(err.Error(), "format version 3") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("start on a format 3 directory: %v; want a one-line configuration error naming version 3", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the refused directory was written to: %v", entries)
	}
}

// A data directory of the first layout (no FORMAT file, no applied term in
// the state database) is upgraded in place: it keeps its data, gets
// FORMAT, and records the applied term from its next write on.
func TestDataDirectoryOfFormat1IsUpgraded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "node")
	n := startInProcess(t, dir)
	cl, ctx := inProcessClient(t, n)
	if _, err := cl.Exec(ctx, "CREATE TABLE t(x)", "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := readFormatFile(t, dir); got != "2" {
		t.Fatalf("a new directory has FORMAT %q, want 2", got)
	}
	makeFormat1(t, dir)

	// Restarted as a founding member without its member list: it takes
	// its address from the stored configuration.
	n, err := node.Start(context.Background(), node.Config{ID: 1, DataDir: dir})
	if err != nil {
		t.Fatalf("restart on a format 1 directory: %v", err)
	}
	defer n.Stop()
	if got := readFormatFile(t, dir); got != "2" {
		t.Fatalf("after the upgrade FORMAT holds %q, want 2", got)
	}
	cl, ctx = inProcessClient(t, n)
	if _, err := cl.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	rows, err := cl.Query(ctx, client.Linearizable, "SELECT (SELECT count(*) FROM t), applied_term FROM "+statemachine.MetaTable)
	if err != nil {
		t.Fatal(err)
	}
	if r := rows.Rows[0]; r[0].Int != 2 || r[1].Int == 0 {
		t.Fatalf("after the upgrade: %d rows, applied term %d; want 2 rows and a known term", r[0].Int, r[1].Int)
	}
}

// makeFormat1 turns a stopped node's data directory into the first
// layout: no FORMAT file, no applied_term column.
func makeFormat1(t *testing.T, dir string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, node.FormatFile)); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "state", statemachine.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("ALTER TABLE " + statemachine.MetaTable + " DROP COLUMN applied_term"); err != nil {
		t.Fatal(err)
	}
}

func readFormatFile(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, node.FormatFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// inProcessClient waits for n to lead and returns a client of it with a
// context bounded for the test.
func inProcessClient(t *testing.T, n *node.Node) (*client.Client, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	for deadline := time.Now().Add(10 * time.Second); !n.Raft().IsLeader(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no leader")
		}
	}
	cl, err := client.Dial(ctx, n.Addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl, ctx
}
