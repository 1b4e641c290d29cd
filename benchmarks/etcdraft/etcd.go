package main

import (
	"fmt"
	"io"
	"log"

	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// etcdNode is one node of etcd-io/raft: a RawNode and its MemoryStorage.
type etcdNode struct {
	rn      *etcdraft.RawNode
	store   *etcdraft.MemoryStorage
	in      inbox[pb.Message]
	sink    applySink
	id      uint64
	applied uint64 // index of the last entry applied
	snapAt  uint64 // index of the last snapshot recorded
	conf    pb.ConfState
}

// etcdCluster drives three RawNodes with the Ready loop etcd's
// documentation gives for synchronous storage writes (doc.go: persist
// entries and hard state, send, apply, Advance).
type etcdCluster struct {
	nodes []*etcdNode
	w     workload
	// single proposes one entry per call (RawNode.Propose, what
	// raft.Node.Propose does); otherwise a batch is one MsgProp.
	single bool
	ents   []pb.Entry
}

func newEtcd(w workload, single bool) (*etcdCluster, error) {
	c := &etcdCluster{w: w, single: single}
	logger := &etcdraft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}
	conf := pb.ConfState{Voters: nodeIDs}
	for _, id := range nodeIDs {
		store := etcdraft.NewMemoryStorage()
		// The bootstrap configuration, as etcd's own tests give it: a
		// snapshot at index 1 naming the voters.
		if err := store.ApplySnapshot(pb.Snapshot{Metadata: pb.SnapshotMetadata{Index: 1, Term: 1, ConfState: conf}}); err != nil {
			return nil, fmt.Errorf("etcd: node %d: %w", id, err)
		}
		rn, err := etcdraft.NewRawNode(&etcdraft.Config{
			ID:                       id,
			ElectionTick:             electionTick,
			HeartbeatTick:            heartbeatTick,
			Storage:                  store,
			PreVote:                  true,
			CheckQuorum:              true,
			MaxSizePerMsg:            maxSizePerMsg,
			MaxInflightMsgs:          maxInflightMsgs,
			MaxCommittedSizePerReady: maxCommittedSizePerReady,
			Logger:                   logger,
		})
		if err != nil {
			return nil, fmt.Errorf("etcd: node %d: %w", id, err)
		}
		c.nodes = append(c.nodes, &etcdNode{rn: rn, store: store, id: id, applied: 1, snapAt: 1, conf: conf})
	}
	return c, c.elect()
}

// elect has node 1 campaign until it wins.
func (c *etcdCluster) elect() error {
	lead := c.nodes[0].rn
	if err := lead.Campaign(); err != nil {
		return fmt.Errorf("etcd: campaign: %w", err)
	}
	for range 10 {
		if _, err := c.round(); err != nil {
			return err
		}
	}
	if st := lead.BasicStatus(); st.RaftState != etcdraft.StateLeader {
		return fmt.Errorf("etcd: node 1 is %v after campaigning", st.RaftState)
	}
	return nil
}

// propose steps one MsgProp carrying k entries into the leader (etcd's
// way to propose a batch: its leader sends a MsgApp at every proposal
// step), or with single calls RawNode.Propose k times.
func (c *etcdCluster) propose(k int, data []byte) error {
	lead := c.nodes[0].rn
	if c.single {
		for range k {
			if err := lead.Propose(data); err != nil {
				return err
			}
		}
		return nil
	}
	// The entries are copied into the leader's log: one slice serves
	// every batch.
	c.ents = c.ents[:0]
	for range k {
		c.ents = append(c.ents, pb.Entry{Data: data})
	}
	return lead.Step(pb.Message{Type: pb.MsgProp, From: c.nodes[0].id, Entries: c.ents})
}

func (c *etcdCluster) round() (int, error) {
	lead := c.nodes[0]
	before := lead.sink.entries
	for _, n := range c.nodes {
		for _, m := range n.in.take() {
			if err := n.rn.Step(m); err != nil {
				return 0, fmt.Errorf("etcd: node %d: step %v: %w", n.id, m.Type, err)
			}
		}
		for n.rn.HasReady() {
			if err := c.handleReady(n); err != nil {
				return 0, err
			}
		}
	}
	return int(lead.sink.entries - before), nil
}

func (c *etcdCluster) handleReady(n *etcdNode) error {
	rd := n.rn.Ready()
	if !etcdraft.IsEmptySnap(rd.Snapshot) {
		if err := n.store.ApplySnapshot(rd.Snapshot); err != nil {
			return fmt.Errorf("etcd: node %d: %w", n.id, err)
		}
	}
	if err := n.store.Append(rd.Entries); err != nil {
		return fmt.Errorf("etcd: node %d: append: %w", n.id, err)
	}
	if !etcdraft.IsEmptyHardState(rd.HardState) {
		if err := n.store.SetHardState(rd.HardState); err != nil {
			return fmt.Errorf("etcd: node %d: %w", n.id, err)
		}
	}
	for _, m := range rd.Messages {
		c.nodes[m.To-1].in.put(m)
	}
	for _, e := range rd.CommittedEntries {
		if e.Type == pb.EntryNormal && len(e.Data) > 0 {
			n.sink.apply(e.Data)
		}
		n.applied = e.Index
	}
	n.rn.Advance(rd)
	return c.maybeCompact(n)
}

// maybeCompact records a snapshot at the applied index and compacts the
// log every compactEvery applied entries, keeping the last keep.
func (c *etcdCluster) maybeCompact(n *etcdNode) error {
	if c.w.compactEvery == 0 || n.applied < n.snapAt+c.w.compactEvery {
		return nil
	}
	if _, err := n.store.CreateSnapshot(n.applied, &n.conf, nil); err != nil {
		return fmt.Errorf("etcd: node %d: snapshot: %w", n.id, err)
	}
	n.snapAt = n.applied
	if n.applied > c.w.keep {
		if err := n.store.Compact(n.applied - c.w.keep); err != nil {
			return fmt.Errorf("etcd: node %d: compact: %w", n.id, err)
		}
	}
	return nil
}

func (c *etcdCluster) close() error { return nil }
