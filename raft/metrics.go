package raft

import (
	"io"
	"sync/atomic"
	"time"
)

// A Node keeps running totals of its work in atomic counters (Metrics
// reads them) and reports timings to an optional Observer. Package raft
// imports no metrics library: the node assembly adapts both to its
// exposition format, reading the totals and Status when it is scraped, so
// the hot path pays an atomic add and, with an Observer, a clock read.

// Metrics are a Node's running totals since it started.
type Metrics struct {
	// LeaderChanges counts the times this node saw a new leader (a
	// known leader other than the one it knew before).
	LeaderChanges uint64
	// Elections counts the elections this node started as a candidate
	// (paper §5.2; a pre-vote round, thesis §9.6, is not one).
	Elections uint64
	// ProposalsApplied and ProposalsFailed count the proposals made on
	// this node whose futures resolved applied, and with an error
	// (leadership lost, entry replaced, node stopped).
	ProposalsApplied uint64
	ProposalsFailed  uint64
	// ReadIndexRounds counts read requests handed to the core (thesis
	// §6.4), lease reads included: one per batch of concurrent ReadIndex
	// calls (node_read.go); a retried read counts once per try.
	ReadIndexRounds uint64
	// SnapshotsWritten counts snapshots of the state machine written
	// for a follower; SnapshotsInstalled those received and installed;
	// Compactions the snapshots recorded to compact the log.
	SnapshotsWritten   uint64
	SnapshotsInstalled uint64
	Compactions        uint64
}

// nodeCounters holds a Node's Metrics, updated with atomic adds.
type nodeCounters struct {
	leaderChanges, elections                          atomic.Uint64
	proposalsApplied, proposalsFailed                 atomic.Uint64
	readIndexRounds                                   atomic.Uint64
	snapshotsWritten, snapshotsInstalled, compactions atomic.Uint64
}

// Metrics returns the node's running totals.
func (n *Node) Metrics() Metrics {
	c := &n.counters
	return Metrics{
		LeaderChanges: c.leaderChanges.Load(), Elections: c.elections.Load(),
		ProposalsApplied: c.proposalsApplied.Load(), ProposalsFailed: c.proposalsFailed.Load(),
		ReadIndexRounds:  c.readIndexRounds.Load(),
		SnapshotsWritten: c.snapshotsWritten.Load(), SnapshotsInstalled: c.snapshotsInstalled.Load(),
		Compactions: c.compactions.Load(),
	}
}

// SnapshotKind names the snapshot work an Observer is told about.
type SnapshotKind string

// The snapshot work a Node reports.
const (
	// SnapshotWritten: the state machine written for a follower.
	SnapshotWritten SnapshotKind = "written"
	// SnapshotInstalled: a received snapshot installed.
	SnapshotInstalled SnapshotKind = "installed"
)

// Observer receives timings of a Node's work, for monitoring
// (NodeConfig.Observer). Its methods are called on the node's goroutines,
// some on the hot path: they must be quick, must not block and must not
// call the Node.
type Observer interface {
	// Persisted reports one Ready's entries (and hard state) made
	// durable by LogStore.Save in d.
	Persisted(d time.Duration, entries int)
	// Committed reports a proposal of this leader that committed d
	// after it was proposed (handed over for applying).
	Committed(d time.Duration)
	// Applied reports entries applied to the state machine in d.
	Applied(d time.Duration, entries int)
	// Snapshot reports snapshot work of kind done in d; size is its
	// data's size in bytes.
	Snapshot(kind SnapshotKind, d time.Duration, size int64)
}

// now reads the node's clock for an Observer's timings.
func (n *Node) now() time.Duration { return n.cfg.Clock.Now() }

// observeCommitted tells the Observer how long this leader's proposals
// among ents took to commit.
func (n *Node) observeCommitted(ents []Entry) {
	if n.cfg.Observer == nil || n.role != RoleLeader {
		return
	}
	now := n.now()
	n.propMu.Lock()
	defer n.propMu.Unlock()
	for _, e := range ents {
		if f, ok := n.proposals[e.Index]; ok && f.term == e.Term {
			n.cfg.Observer.Committed(now - f.proposed)
		}
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
