package raft

import (
	"context"
	"sync"
	"testing"
	"time"
)

// recordingObserver counts what an Observer is told.
type recordingObserver struct {
	mu                             sync.Mutex
	persisted, committed, applied  int
	appliedEntries, snapshotsTimed int
}

func (o *recordingObserver) Persisted(time.Duration, int) { o.mu.Lock(); o.persisted++; o.mu.Unlock() }
func (o *recordingObserver) Committed(time.Duration)      { o.mu.Lock(); o.committed++; o.mu.Unlock() }
func (o *recordingObserver) Applied(_ time.Duration, n int) {
	o.mu.Lock()
	o.applied++
	o.appliedEntries += n
	o.mu.Unlock()
}
func (o *recordingObserver) Snapshot(SnapshotKind, time.Duration, int64) {
	o.mu.Lock()
	o.snapshotsTimed++
	o.mu.Unlock()
}

func (o *recordingObserver) counts() (persisted, committed, appliedEntries int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.persisted, o.committed, o.appliedEntries
}

func TestNodeMetricsCountLeaderChangesProposalsAndReads(t *testing.T) {
	obs := map[NodeID]*recordingObserver{1: {}, 2: {}, 3: {}}
	c := newMemCluster(t, 3, func(cfg *NodeConfig) { cfg.Observer = obs[cfg.ID] })
	want := seq("a", 20)
	c.proposeAll(want)
	c.waitConverged(want)
	lead := c.leader()
	m := lead.Metrics()
	if m.ProposalsApplied != 20 || m.ProposalsFailed != 0 {
		t.Fatalf("leader's proposals: %d applied, %d failed; want 20, 0", m.ProposalsApplied, m.ProposalsFailed)
	}
	if m.LeaderChanges < 1 || m.Elections < 1 {
		t.Fatalf("leader saw %d leader changes, started %d elections; want at least 1 each", m.LeaderChanges, m.Elections)
	}
	if p, com, a := obs[lead.ID()].counts(); p == 0 || com < 20 || a < 20 {
		t.Fatalf("leader's observer: %d persists, %d commits, %d entries applied; want >0, >=20, >=20", p, com, a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := lead.ReadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got := lead.Metrics().ReadIndexRounds; got < 1 {
		t.Fatalf("read index rounds %d after a read, want at least 1", got)
	}

	var survivors []*Node
	for id, n := range c.started {
		if id != lead.ID() {
			survivors = append(survivors, n)
		}
	}
	before := map[NodeID]uint64{}
	for _, n := range survivors {
		before[n.ID()] = n.Metrics().LeaderChanges
	}
	c.stop(lead.ID())
	newLead := c.leader()
	for _, n := range survivors {
		deadline := time.Now().Add(20 * time.Second)
		for n.Leader() != newLead.ID() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := n.Metrics().LeaderChanges; got <= before[n.ID()] {
			t.Fatalf("node %d: leader changes %d after the leader stopped, was %d", n.ID(), got, before[n.ID()])
		}
	}
}

// A follower that catches up through a snapshot is counted on both sides:
// the leader wrote one and compacted, the follower installed one, and
// their observers were told the snapshots' sizes.
func TestNodeMetricsCountSnapshots(t *testing.T) {
	obs := map[NodeID]*recordingObserver{1: {}, 2: {}, 3: {}}
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		cfg.SnapshotEntries, cfg.CompactionMargin = 20, 5
		cfg.Observer = obs[cfg.ID]
	})
	c.proposeAll(seq("a", 10))
	l := c.leader()
	var down NodeID
	for id := range c.started {
		if id != l.ID() {
			down = id
			break
		}
	}
	c.stop(down)
	want := append(seq("a", 10), seq("b", 100)...)
	c.proposeAll(want[10:])
	c.start(down)
	c.waitConverged(want)
	if m := l.Metrics(); m.SnapshotsWritten < 1 || m.Compactions < 1 {
		t.Fatalf("leader: %d snapshots written, %d compactions", m.SnapshotsWritten, m.Compactions)
	}
	if m := c.started[down].Metrics(); m.SnapshotsInstalled != 1 {
		t.Fatalf("follower: %d snapshots installed, want 1", m.SnapshotsInstalled)
	}
	for _, id := range []NodeID{l.ID(), down} {
		obs[id].mu.Lock()
		n := obs[id].snapshotsTimed
		obs[id].mu.Unlock()
		if n < 1 {
			t.Fatalf("node %d: observer told of %d snapshots", id, n)
		}
	}
}
