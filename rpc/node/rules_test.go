package node_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
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
// data directory dirs[i] and a listener of its own.
func startInProcessCluster(t *testing.T, dirs []string) []*node.Node {
	t.Helper()
	lis := make([]net.Listener, len(dirs))
	addrs := make([]string, len(dirs))
	for i := range dirs {
		lis[i] = listenLoopback(t)
		addrs[i] = lis[i].Addr().String()
	}
	peers := peerList(addrs)
	nodes := make([]*node.Node, len(dirs))
	for i, dir := range dirs {
		n, err := startMember(peers, i, dir, nil, lis[i])
		if err != nil {
			for _, started := range nodes[:i] {
				started.Stop()
			}
			for _, l := range lis[i+1:] {
				l.Close()
			}
			t.Fatal(err)
		}
		nodes[i] = n
	}
	return nodes
}

// peerList numbers addrs as members 1, 2, ….
func peerList(addrs []string) []raft.Member {
	var peers []raft.Member
	for i, a := range addrs {
		peers = append(peers, raft.Member{ID: raft.NodeID(i + 1), Addr: a})
	}
	return peers
}

// startMember starts member i of peers (fast ticks) on dir, serving on lis
// (nil: on its address in peers).
func startMember(peers []raft.Member, i int, dir string, log *slog.Logger, lis net.Listener) (*node.Node, error) {
	return node.Start(context.Background(), node.Config{
		ID: peers[i].ID, Peers: peers, DataDir: dir, TickInterval: 10 * time.Millisecond, Logger: log, Listener: lis,
	})
}

// waitRules waits until every client's node reports rules version want.
func waitRules(t *testing.T, ctx context.Context, clients []*client.Client, want uint32) {
	t.Helper()
	for i, c := range clients {
		for tick := time.NewTicker(20 * time.Millisecond); ; {
			st, err := c.Status(ctx)
			if err == nil && st.GetRulesVersion() == want {
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
}

// dialAll connects a client to every node; the caller closes them.
func dialAll(t *testing.T, ctx context.Context, nodes []*node.Node) []*client.Client {
	t.Helper()
	clients := make([]*client.Client, len(nodes))
	for i, n := range nodes {
		c, err := client.Dial(ctx, n.Addr(), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = c
	}
	return clients
}

func closeAll(clients []*client.Client) {
	for _, c := range clients {
		c.Close()
	}
}

// TestClusterSwitchesToNewestRules: three nodes whose databases predate
// rules versions (version 1) end at the newest version, switched by the
// leader once every member reported it supports it; a schema_version
// write is then refused, and so is a write to an fts5 shadow table.
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
	clients := dialAll(t, ctx, nodes)
	defer closeAll(clients)
	waitRules(t, ctx, clients, uint32(statemachine.MaxRulesVersion))
	for i, c := range clients {
		st, err := c.Status(ctx)
		if err != nil || st.GetMaxRulesVersion() != uint32(statemachine.MaxRulesVersion) || st.GetInitialRulesVersion() != 1 {
			t.Fatalf("node %d status %v, %v", i+1, st, err)
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
	// Rules version 6: shadow tables are read-only, and the cluster goes on.
	for _, sql := range []string{"CREATE VIRTUAL TABLE ft USING fts5(x)", "INSERT INTO ft VALUES ('a b c')"} {
		if res, err := clients[2].Execute(ctx, client.Statement{SQL: sql}); err != nil || res.Err != nil {
			t.Fatalf("%s: %v %v", sql, err, res)
		}
	}
	res, err = clients[1].Execute(ctx, client.Statement{SQL: "DELETE FROM ft_data WHERE id = 1"})
	if err != nil || res.Err == nil || !strings.Contains(res.Err.Message, "may not be modified") {
		t.Fatalf("shadow table write: %v %+v, want a rejection", err, res)
	}
	if res, err := clients[0].Execute(ctx, client.Statement{SQL: "INSERT INTO ft VALUES ('d')"}); err != nil || res.Err != nil {
		t.Fatalf("insert after the refused write: %v %v", err, res)
	}
}

// oldMember is a member whose binary predates rules versions: its Status
// carries no max_rules_version (and it serves nothing else).
type oldMember struct {
	resqlitepb.UnimplementedReSqliteServer
}

func (oldMember) Status(context.Context, *resqlitepb.StatusRequest) (*resqlitepb.StatusResponse, error) {
	return &resqlitepb.StatusResponse{Role: "follower"}, nil
}

// TestClusterWaitsForEveryMemberBeforeSwitching: while one member runs a
// binary that does not report support for the newest rules, the leader
// does not switch; once that member runs the new binary, it does.
func TestClusterWaitsForEveryMemberBeforeSwitching(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	root := t.TempDir()
	dirs := []string{filepath.Join(root, "n1"), filepath.Join(root, "n2"), filepath.Join(root, "n3")}
	for _, d := range dirs {
		makeOldStateDatabase(t, d)
	}
	lis := []net.Listener{listenLoopback(t), listenLoopback(t), listenLoopback(t)}
	peers := peerList([]string{lis[0].Addr().String(), lis[1].Addr().String(), lis[2].Addr().String()})
	// Member 3 first runs the old binary (it takes no part in Raft; the
	// other two are a quorum).
	old := grpc.NewServer()
	resqlitepb.RegisterReSqliteServer(old, oldMember{})
	served := make(chan struct{})
	go func() { defer close(served); old.Serve(lis[2]) }()
	stopOld := func() { old.Stop(); <-served }
	defer stopOld()

	logs := &lockedWriter{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var nodes []*node.Node
	defer func() {
		for _, n := range nodes {
			n.Stop()
		}
	}()
	for i := range 2 {
		n, err := startMember(peers, i, dirs[i], logger, lis[i])
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for tick := time.NewTicker(20 * time.Millisecond); !strings.Contains(logs.String(), "member 3 supports rules up to version 0"); {
		select {
		case <-ctx.Done():
			t.Fatalf("the leader never found member 3 behind; logs:\n%s", logs.String())
		case <-tick.C:
		}
	}
	clients := dialAll(t, ctx, nodes)
	defer func() { closeAll(clients) }()
	for i, c := range clients {
		if st, err := c.Status(ctx); err != nil || st.GetRulesVersion() != 1 {
			t.Fatalf("node %d switched while member 3 is old: %v %v", i+1, st, err)
		}
	}
	// Member 3 is upgraded: the new binary binds the address the old one
	// served on.
	stopOld()
	n3, err := startMember(peers, 2, dirs[2], logger, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes = append(nodes, n3)
	clients = append(clients, dialAll(t, ctx, nodes[2:])...)
	waitRules(t, ctx, clients, uint32(statemachine.MaxRulesVersion))
}
