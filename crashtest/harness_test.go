package crashtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
	"github.com/resqlite/resqlite/raft/wal"
	"github.com/resqlite/resqlite/statemachine"
)

// network delivers messages between the nodes of one test in memory.
type network struct {
	mu    sync.Mutex
	nodes map[raft.NodeID]*raft.Node
}

func (nw *network) node(id raft.NodeID) *raft.Node {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return nw.nodes[id]
}

func (nw *network) set(id raft.NodeID, n *raft.Node) {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if n == nil {
		delete(nw.nodes, id)
		return
	}
	nw.nodes[id] = n
}

// transport is one node's raft.Transport on a network. A message to a
// node that is down or whose inbox stays full is dropped, as Raft
// tolerates.
type transport struct {
	net  *network
	from raft.NodeID
}

func (t transport) Send(msgs []raft.Message) {
	for _, m := range msgs {
		n := t.net.node(m.To)
		if n == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		n.Step(ctx, m)
		cancel()
	}
}

func (t transport) SendSnapshot(ctx context.Context, m raft.Message, data io.Reader) error {
	n := t.net.node(m.To)
	if n == nil {
		return fmt.Errorf("node %d is down", m.To)
	}
	return n.ReceiveSnapshot(ctx, m, data)
}

func (transport) SetMembers(raft.Configuration) {}

func (transport) SetCommittedConfiguration(uint64, raft.Configuration) {}

// member is one node with its durable stores.
type member struct {
	id    raft.NodeID
	dir   string
	store *wal.Store
	sm    *statemachine.StateMachine
	node  *raft.Node
}

// cluster is a set of members on a network.
type cluster struct {
	t       *testing.T
	net     *network
	peers   []raft.Member
	members map[raft.NodeID]*member
}

func newCluster(t *testing.T, size int) *cluster {
	c := &cluster{t: t, net: &network{nodes: map[raft.NodeID]*raft.Node{}}, members: map[raft.NodeID]*member{}}
	for i := 1; i <= size; i++ {
		id := raft.NodeID(i)
		c.peers = append(c.peers, raft.Member{ID: id, Addr: fmt.Sprintf("node-%d", i)})
		c.members[id] = &member{id: id, dir: filepath.Join(t.TempDir(), fmt.Sprint(i))}
	}
	t.Cleanup(func() {
		for _, m := range c.members {
			c.stop(m.id)
		}
	})
	return c
}

// open opens member id's stores.
func (c *cluster) open(id raft.NodeID) *member {
	c.t.Helper()
	m := c.members[id]
	var err error
	if m.store, err = wal.Open(filepath.Join(m.dir, "raft"), wal.Options{}); err != nil {
		c.t.Fatal(err)
	}
	if m.sm, err = statemachine.Open(filepath.Join(m.dir, "state"), statemachine.Options{ReadConns: 1}); err != nil {
		c.t.Fatal(err)
	}
	return m
}

// start starts member id's node on sm and log: its open stores, or test
// doubles wrapping them.
func (c *cluster) start(id raft.NodeID, sm raft.StateMachine, log raft.LogStore) error {
	m := c.members[id]
	n, err := raft.StartNode(raft.NodeConfig{
		ID: id, Bootstrap: c.peers, Storage: log, StateMachine: sm, Transport: transport{c.net, id},
		TickInterval: 10 * time.Millisecond, SnapshotEntries: 20, CompactionMargin: 5,
		SnapshotSpool: snap.TempSpool{Dir: c.t.TempDir()},
	})
	if err != nil {
		return err
	}
	m.node = n
	c.net.set(id, n)
	return nil
}

// stop stops member id's node and closes its stores, as a crash would
// leave them (an SQLite commit survives a process crash).
func (c *cluster) stop(id raft.NodeID) {
	m := c.members[id]
	c.net.set(id, nil)
	if m.node != nil {
		m.node.Stop()
		m.node = nil
	}
	if m.sm != nil {
		m.sm.Close()
		m.sm = nil
	}
	if m.store != nil {
		m.store.Close()
		m.store = nil
	}
}

// leader waits for a leader among the running members.
func (c *cluster) leader() *member {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range c.members {
			if m.node != nil && m.node.IsLeader() {
				return m
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.t.Fatal("no leader within 20s")
	return nil
}

// exec proposes each SQL text as one entry at the leader, retrying when
// leadership moves, and waits for each to apply there.
func (c *cluster) exec(sqls ...string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, sql := range sqls {
		data := statemachine.EncodeCommand(statemachine.Command{Statements: []statemachine.Statement{{SQL: sql}}})
		for {
			f, err := c.leader().node.Propose(ctx, data)
			var res raft.Result
			if err == nil {
				res, err = f.Wait(ctx)
			}
			if err == nil {
				if r := res.Value.(*statemachine.Result); r.Err != nil {
					c.t.Fatalf("%s: %v", sql, r.Err)
				}
				break
			}
			if ctx.Err() != nil {
				c.t.Fatalf("%s: %v", sql, err)
			}
		}
	}
}

// waitConverged waits until every running member has applied what the
// leader has, and checks that their databases have the same digest.
func (c *cluster) waitConverged() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lead := c.leader()
	want, err := lead.sm.Digest(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, m := range c.members {
		if m.node == nil || m == lead {
			continue
		}
		if err := m.sm.WaitApplied(ctx, want.Index); err != nil {
			c.t.Fatalf("node %d: %v", m.id, err)
		}
		got, err := m.sm.Digest(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		if got != want {
			c.t.Fatalf("node %d has digest %v, leader %d has %v", m.id, got, lead.id, want)
		}
	}
}

// waitStopped waits for member id's node to stop by itself and returns
// the error it stopped with.
func (c *cluster) waitStopped(id raft.NodeID) error {
	c.t.Helper()
	n := c.members[id].node
	select {
	case <-n.Done():
		return n.Err()
	case <-time.After(30 * time.Second):
		c.t.Fatalf("node %d did not stop within 30s", id)
		return nil
	}
}

var errCrash = errors.New("simulated crash")
