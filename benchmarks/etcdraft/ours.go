package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/wal"
)

// oursNode is one node of ReSqlite's raft: the core and its log store.
type oursNode struct {
	core    *raft.Core
	store   raft.LogStore
	in      inbox[raft.Message]
	sink    applySink
	applied uint64 // index of the last entry applied
	snapAt  uint64 // index of the last snapshot recorded
}

// oursCluster drives three raft.Core nodes with the driver's Ready loop
// (raft.Node's processReady without goroutines, clock or transport).
type oursCluster struct {
	nodes []*oursNode
	w     workload
	dir   string // the WAL directories' parent, "" in memory
}

// newOurs builds and elects a cluster; withWAL puts each node's log in
// a raft/wal store (fsync per Save) under a temp directory instead of a
// raft.MemoryStorage.
func newOurs(w workload, withWAL bool) (_ *oursCluster, err error) {
	c := &oursCluster{w: w}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.close())
		}
	}()
	if withWAL {
		if c.dir, err = os.MkdirTemp("", "etcdraft-wal-"); err != nil {
			return nil, fmt.Errorf("ours: %w", err)
		}
	}
	peers := make([]raft.Member, len(nodeIDs))
	for i, id := range nodeIDs {
		peers[i] = raft.Member{ID: raft.NodeID(id)}
	}
	for _, id := range nodeIDs {
		n, err := c.newNode(raft.NodeID(id), peers)
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, n)
	}
	return c, c.elect()
}

func (c *oursCluster) newNode(id raft.NodeID, peers []raft.Member) (*oursNode, error) {
	var store raft.LogStore = raft.NewMemoryStorage()
	if c.dir != "" {
		s, err := wal.Open(fmt.Sprintf("%s/%d", c.dir, id), wal.Options{})
		if err != nil {
			return nil, fmt.Errorf("ours: open wal of node %d: %w", id, err)
		}
		store = s
	}
	core, err := raft.NewCore(raft.Config{
		ID:            id,
		ElectionTick:  electionTick,
		HeartbeatTick: heartbeatTick,
		Rand:          rand.New(rand.NewPCG(uint64(id), 1)),
		Storage:       store,
		Peers:         peers,
		PreVote:       true,
		CheckQuorum:   true,
		MaxSizePerMsg: maxSizePerMsg, MaxInflightMsgs: maxInflightMsgs,
		MaxCommittedSizePerReady: maxCommittedSizePerReady,
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("ours: node %d: %w", id, err), store.Close())
	}
	return &oursNode{core: core, store: store}, nil
}

// elect ticks node 1 until it campaigns and wins.
func (c *oursCluster) elect() error {
	lead := c.nodes[0].core
	for range 10 * electionTick {
		lead.Tick()
		if _, err := c.round(); err != nil {
			return err
		}
		if _, err := c.round(); err != nil {
			return err
		}
		if lead.Role() == raft.RoleLeader {
			_, err := c.round()
			return err
		}
	}
	return fmt.Errorf("ours: node 1 is %v after %d ticks", lead.Role(), 10*electionTick)
}

// propose calls Core.Propose k times: the core defers replication to the
// next Ready, so proposals made together leave in one MsgApp per
// follower (the driver's proposal batching relies on it).
func (c *oursCluster) propose(k int, data []byte) error {
	for range k {
		if _, _, err := c.nodes[0].core.Propose(data); err != nil {
			return err
		}
	}
	return nil
}

func (c *oursCluster) round() (int, error) {
	lead := c.nodes[0]
	before := lead.sink.entries
	for _, n := range c.nodes {
		for _, m := range n.in.take() {
			if err := n.core.Step(m); err != nil {
				return 0, fmt.Errorf("ours: node %d: step %v: %w", n.core.ID(), m, err)
			}
		}
		for n.core.HasReady() {
			if err := c.handleReady(n); err != nil {
				return 0, err
			}
		}
	}
	return int(lead.sink.entries - before), nil
}

// handleReady carries out one Ready as raft.Node does: persist (a
// commit-only change to a CommitSaver without fsync), send, apply,
// advance.
func (c *oursCluster) handleReady(n *oursNode) error {
	rd := n.core.Ready()
	if err := persist(n.store, rd); err != nil {
		return fmt.Errorf("ours: node %d: %w", n.core.ID(), err)
	}
	for _, m := range rd.Messages {
		c.nodes[m.To-1].in.put(m)
	}
	for _, e := range rd.CommittedEntries {
		if e.Type == raft.EntryNormal && len(e.Data) > 0 {
			n.sink.apply(e.Data)
		}
		n.applied = e.Index
	}
	n.core.Advance(rd)
	if err := n.core.Err(); err != nil {
		return fmt.Errorf("ours: node %d: %w", n.core.ID(), err)
	}
	return c.maybeCompact(n)
}

func persist(store raft.LogStore, rd raft.Ready) error {
	if rd.HardState.IsEmpty() && len(rd.Entries) == 0 {
		return nil
	}
	if cs, ok := store.(raft.CommitSaver); ok && !rd.MustSync && len(rd.Entries) == 0 {
		return cs.SaveCommit(rd.HardState)
	}
	return store.Save(rd.HardState, rd.Entries)
}

// maybeCompact records a snapshot at the applied index and compacts the
// log every compactEvery applied entries, keeping the last keep.
func (c *oursCluster) maybeCompact(n *oursNode) error {
	if c.w.compactEvery == 0 || n.applied < n.snapAt+c.w.compactEvery {
		return nil
	}
	meta, err := n.core.SnapshotMeta(n.applied)
	if err != nil {
		return err
	}
	if err := n.store.CreateSnapshot(meta); err != nil {
		return fmt.Errorf("ours: node %d: snapshot: %w", n.core.ID(), err)
	}
	n.snapAt = n.applied
	if n.applied > c.w.keep {
		if err := n.store.Compact(n.applied - c.w.keep); err != nil {
			return fmt.Errorf("ours: node %d: compact: %w", n.core.ID(), err)
		}
	}
	return nil
}

func (c *oursCluster) close() error {
	var errs []error
	for _, n := range c.nodes {
		errs = append(errs, n.store.Close())
	}
	if c.dir != "" {
		errs = append(errs, os.RemoveAll(c.dir))
	}
	return errors.Join(errs...)
}
