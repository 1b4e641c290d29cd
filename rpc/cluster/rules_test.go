package cluster_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/cluster"
	"github.com/resqlite/resqlite/statemachine"
	"go.uber.org/goleak"
	_ "modernc.org/sqlite"
)

// makeOldStateDatabase writes, in a node's data directory, the state
// database a binary older than rules versions would have made (so the
// node starts at rules version 1).
func makeOldStateDatabase(t *testing.T, dataDir string) {
	t.Helper()
	dir := filepath.Join(dataDir, "state")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, statemachine.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE ` + statemachine.MetaTable + ` (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		applied_index INTEGER NOT NULL,
		config_index INTEGER NOT NULL,
		config BLOB);
		INSERT INTO ` + statemachine.MetaTable + ` VALUES (1, 0, 0, NULL)`); err != nil {
		t.Fatal(err)
	}
}

// startInProcessCluster starts n nodes in the test process, each on the
// data directory dirs[i].
func startInProcessCluster(t *testing.T, dirs []string) []*cluster.Node {
	t.Helper()
	addrs := freePorts(t, len(dirs))
	var peers []raft.Member
	for i, a := range addrs {
		peers = append(peers, raft.Member{ID: raft.NodeID(i + 1), Addr: a})
	}
	nodes := make([]*cluster.Node, len(dirs))
	for i, dir := range dirs {
		n, err := cluster.Start(context.Background(), cluster.Config{
			ID: raft.NodeID(i + 1), Peers: peers, DataDir: dir, TickInterval: 10 * time.Millisecond,
		})
		if err != nil {
			for _, started := range nodes[:i] {
				started.Stop()
			}
			t.Fatal(err)
		}
		nodes[i] = n
	}
	return nodes
}

// TestClusterSwitchesToNewestRules: three nodes whose databases predate
// rules versions (version 1) end at the newest version, switched by the
// leader once every member reported it supports it, at the same log
// position on every node; a schema_version write is then refused.
func TestClusterSwitchesToNewestRules(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	root := t.TempDir()
	dirs := []string{filepath.Join(root, "n1"), filepath.Join(root, "n2"), filepath.Join(root, "n3")}
	for _, d := range dirs {
		makeOldStateDatabase(t, d)
	}
	nodes := startInProcessCluster(t, dirs)
	defer func() {
		for _, n := range nodes {
			n.Stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clients := make([]*client.Client, len(nodes))
	for i, n := range nodes {
		c, err := client.Dial(ctx, n.Addr(), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	want := uint32(statemachine.MaxRulesVersion)
	for i, c := range clients {
		for tick := time.NewTicker(20 * time.Millisecond); ; {
			st, err := c.Status(ctx)
			if err == nil && st.GetRulesVersion() == want && st.GetMaxRulesVersion() == want {
				tick.Stop()
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("node %d: rules version not %d before the deadline (last status %v, %v)", i+1, want, st, err)
			case <-tick.C:
			}
		}
	}
	res, err := clients[0].Execute(ctx, client.Statement{SQL: "CREATE TABLE t(x)"})
	if err != nil || res.Err != nil {
		t.Fatalf("create: %v %v", err, res)
	}
	res, err = clients[1].Execute(ctx, client.Statement{SQL: "INSERT INTO t SELECT * FROM pragma_schema_version"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Message, "schema_version") {
		t.Fatalf("schema_version write: %+v, want a rejection", res.Err)
	}
}
