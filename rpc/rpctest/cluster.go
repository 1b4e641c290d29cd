package rpctest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/wal"
	"github.com/resqlite/resqlite/rpc/node"
)

// Options configures a Cluster.
type Options struct {
	// Size is the number of founding members. Default 3.
	Size int
	// Tweak adjusts every node's configuration before it starts.
	Tweak func(*raft.NodeConfig)
	// OpenStore opens the durable store of a node in dir. Nil keeps each
	// node's raft.MemoryStorage (and Machine) in memory across restarts,
	// as if they were durable.
	OpenStore func(dir string) (raft.LogStore, error)
	// Logger receives node and transport events; nil discards them.
	Logger *slog.Logger
}

// Cluster is N nodes in this process, talking over real gRPC on loopback
// ports fixed before the first node starts.
type Cluster struct {
	t         testing.TB
	opts      Options
	ClusterID uint64
	// Members is the founding member list.
	Members []raft.Member

	mu       sync.Mutex
	addrs    map[raft.NodeID]string
	servers  map[raft.NodeID]*Server
	stores   map[raft.NodeID]raft.LogStore
	machines map[raft.NodeID]*Machine
	dirs     map[raft.NodeID]string
	joined   map[raft.NodeID]bool
}

// NewCluster starts a cluster of opts.Size nodes with ids 1..Size; they
// are stopped when the test ends.
func NewCluster(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if opts.Size <= 0 {
		opts.Size = 3
	}
	lis, err := ReserveListeners(opts.Size)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{
		t: t, opts: opts, addrs: map[raft.NodeID]string{}, servers: map[raft.NodeID]*Server{},
		stores: map[raft.NodeID]raft.LogStore{}, machines: map[raft.NodeID]*Machine{},
		dirs: map[raft.NodeID]string{}, joined: map[raft.NodeID]bool{},
	}
	for i, l := range lis {
		id := raft.NodeID(i + 1)
		c.addrs[id] = l.Addr().String()
		c.Members = append(c.Members, raft.Member{ID: id, Addr: l.Addr().String()})
	}
	c.ClusterID = node.ClusterID(c.Members)
	t.Cleanup(c.StopAll)
	for i, l := range lis {
		c.start(raft.NodeID(i+1), l)
	}
	return c
}

// Addr returns the address of node id.
func (c *Cluster) Addr(id raft.NodeID) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addrs[id]
}

// Server returns the running server of node id, or nil.
func (c *Cluster) Server(id raft.NodeID) *Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.servers[id]
}

// Running returns the running servers, by id.
func (c *Cluster) Running() []*Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*Server
	for _, s := range c.servers {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Server) int { return int(a.ID) - int(b.ID) })
	return out
}

// Machine returns node id's state machine (kept across restarts).
func (c *Cluster) Machine(id raft.NodeID) *Machine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.machines[id]
}

// Start (re)starts node id on its address.
func (c *Cluster) Start(id raft.NodeID) *Server {
	c.t.Helper()
	l, err := Listen(c.Addr(id), 10*time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.start(id, l)
}

func (c *Cluster) start(id raft.NodeID, l net.Listener) *Server {
	c.t.Helper()
	dir := c.dir(id)
	c.mu.Lock()
	store, m := c.stores[id], c.machines[id]
	bootstrap, joinID := c.Members, uint64(0)
	if c.joined[id] {
		bootstrap, joinID = nil, c.ClusterID
	}
	c.mu.Unlock()
	fail := func(err error) {
		l.Close()
		c.t.Fatal(err)
	}
	clusterID, err := node.ResolveClusterID(dir, bootstrap, joinID)
	if err != nil {
		fail(err)
	}
	if c.opts.OpenStore != nil {
		if store, err = c.opts.OpenStore(filepath.Join(dir, "raft")); err != nil {
			fail(err)
		}
		if m, err = OpenMachine(filepath.Join(dir, "machine.jsonl")); err != nil {
			store.Close()
			fail(err)
		}
	} else if store == nil {
		store, m = raft.NewMemoryStorage(), NewMachine()
	}
	s, err := StartServer(ServerConfig{
		ID: id, ClusterID: clusterID, Bootstrap: bootstrap, Listener: l, Store: store, Machine: m,
		SnapshotDir: dir, Tweak: c.opts.Tweak, Logger: c.opts.Logger, Peers: c.knownMembers(),
	})
	if err != nil {
		fail(err)
	}
	c.mu.Lock()
	c.servers[id], c.stores[id], c.machines[id] = s, store, m
	c.mu.Unlock()
	return s
}

// knownMembers returns every node the cluster has started, for a joining
// node's transport to reach before it receives a configuration.
func (c *Cluster) knownMembers() []raft.Member {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []raft.Member
	for id, a := range c.addrs {
		out = append(out, raft.Member{ID: id, Addr: a})
	}
	return out
}

// AddNode starts a new, empty node with id on a fresh port, as a node
// joining the cluster: it has no bootstrap list and waits for the leader
// to add it (ProposeConfChange) and send it the log.
func (c *Cluster) AddNode(id raft.NodeID) *Server {
	c.t.Helper()
	lis, err := ReserveListeners(1)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.addrs[id] = lis[0].Addr().String()
	c.joined[id] = true
	c.mu.Unlock()
	return c.start(id, lis[0])
}

// Stop stops node id cleanly; its store and machine are kept for Start.
func (c *Cluster) Stop(id raft.NodeID) {
	c.mu.Lock()
	s := c.servers[id]
	delete(c.servers, id)
	c.mu.Unlock()
	if s == nil {
		return
	}
	s.Stop()
	if c.opts.OpenStore != nil {
		s.Store.Close()
		s.Machine.Close()
	}
}

// StopAll stops every running node.
func (c *Cluster) StopAll() {
	for _, s := range c.Running() {
		c.Stop(s.ID)
	}
}

// Leader waits up to timeout for a running node that leads in the
// highest term any running node is in, and returns it.
func (c *Cluster) Leader(timeout time.Duration) *Server {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var leader *Server
		var maxTerm, leaderTerm uint64
		for _, s := range c.Running() {
			term := s.Node.Term()
			maxTerm = max(maxTerm, term)
			if s.Node.IsLeader() && term >= leaderTerm {
				leader, leaderTerm = s, term
			}
		}
		if leader != nil && leaderTerm == maxTerm {
			return leader
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("rpctest: no leader within %v", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Propose proposes data at the leader, retrying while no node leads or
// the proposal reaches a node that is not the leader (it was then not
// appended), and waits for the result. Any other error, including an
// unknown outcome, is returned: retrying could apply the data twice.
func (c *Cluster) Propose(ctx context.Context, data []byte) (raft.Result, error) {
	for {
		for _, s := range c.Running() {
			if !s.Node.IsLeader() {
				continue
			}
			f, err := s.Node.Propose(ctx, data)
			var nle *raft.NotLeaderError
			if errors.As(err, &nle) || errors.Is(err, raft.ErrStopped) {
				continue
			}
			if err != nil {
				return raft.Result{}, err
			}
			return f.Wait(ctx)
		}
		select {
		case <-ctx.Done():
			return raft.Result{}, fmt.Errorf("rpctest: no leader took the proposal: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// WaitConverged waits up to timeout until every running node applied
// exactly want (in that order), and fails the test otherwise.
func (c *Cluster) WaitConverged(timeout time.Duration, want []string) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for _, s := range c.Running() {
		for {
			got := s.Machine.Entries()
			if sameData(got, want) {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("rpctest: node %d applied %d entries, want %d; first difference: %s", s.ID, len(got), len(want), firstDifference(got, want))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func sameData(got []Applied, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Data != want[i] {
			return false
		}
	}
	return true
}

func firstDifference(got []Applied, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i].Data != want[i] {
			return fmt.Sprintf("entry %d is %q at index %d, want %q", i, got[i].Data, got[i].Index, want[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(got), len(want))
}

// dir returns node id's data directory, creating it on first use.
func (c *Cluster) dir(id raft.NodeID) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.dirs[id]; ok {
		return d
	}
	d := filepath.Join(c.t.TempDir(), fmt.Sprintf("node-%d", id))
	c.dirs[id] = d
	return d
}

// OpenWAL opens a raft/wal store in dir: the Options.OpenStore of a
// cluster whose nodes keep their log on disk.
func OpenWAL(dir string) (raft.LogStore, error) {
	return wal.Open(dir, wal.Options{})
}
