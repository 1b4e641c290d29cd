package sqldriver_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	_ "github.com/resqlite/resqlite/rpc/client/sqldriver"
	"github.com/resqlite/resqlite/rpc/node"
)

// testCluster is three nodes started in the test process, each serving
// on a listener bound to port 0 before any starts (no port probing).
type testCluster struct {
	nodes  []*node.Node
	leader int // index in nodes
}

// startCluster starts a 3-node cluster (with resqlite_test_sleep, for slow
// entries), waits up to 20s for a leader, and stops it when the test
// ends.
func startCluster(t *testing.T) *testCluster {
	t.Helper()
	var lis []net.Listener
	var peers []raft.Member
	for i := range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lis = append(lis, l)
		peers = append(peers, raft.Member{ID: raft.NodeID(i + 1), Addr: l.Addr().String()})
	}
	c := &testCluster{leader: -1}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.Stop()
		}
	})
	dir := t.TempDir()
	for i, l := range lis {
		n, err := node.Start(context.Background(), node.Config{
			ID: peers[i].ID, Peers: peers, DataDir: filepath.Join(dir, fmt.Sprintf("node-%d", i+1)),
			Listener: l, TestSleepFunc: true,
		})
		if err != nil {
			for _, rest := range lis[i+1:] {
				rest.Close()
			}
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, n)
	}
	for deadline := time.Now().Add(20 * time.Second); c.leader < 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no leader within 20s")
		}
		for i, n := range c.nodes {
			if n.Raft().IsLeader() {
				c.leader = i
			}
		}
	}
	return c
}

// follower returns the address of a node that was not the leader.
func (c *testCluster) follower() string { return c.nodes[(c.leader+1)%len(c.nodes)].Addr() }

// open opens a sql.DB on dsn, closed when the test ends.
func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("resqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// testCtx is a context bounded for one test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// count returns the number of rows of table.
func count(t *testing.T, ctx context.Context, db *sql.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// mustExec runs a statement and returns its result.
func mustExec(t *testing.T, ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, args ...any) sql.Result {
	t.Helper()
	r, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return r
}
