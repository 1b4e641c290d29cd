// Command etcdraft compares ReSqlite's raft core (package raft) with
// etcd-io/raft (go.etcd.io/raft/v3) on the same workload: three nodes in
// one process, each engine's own in-memory storage, messages delivered
// in-process, proposals of 100 bytes kept a fixed number in flight, and
// the same handling of committed entries. It lives in a nested module so
// that the main module never depends on etcd's raft; see the README's
// Benchmarks section for how to run it.
package main

import (
	"fmt"
)

// cluster is one engine's three-node in-process cluster. Node 1 leads.
type cluster interface {
	// propose hands the leader k new entries carrying data, together:
	// each engine's way of proposing a batch.
	propose(k int, data []byte) error
	// round visits the nodes in order; each steps the messages queued
	// for it, then carries out its Readys until it has none (what it
	// sends is queued for the next visit of the recipient). It returns
	// how many proposed entries the leader applied.
	round() (int, error)
	// close releases what the cluster holds (temp directories).
	close() error
}

// workload is what one measurement runs.
type workload struct {
	// inflight is how many proposals are kept outstanding: the leader is
	// topped up to inflight uncommitted proposals before each round.
	inflight int
	// size is the payload of each proposal in bytes.
	size int
	// compactEvery and keep: every compactEvery applied entries, a node
	// records a snapshot at its applied index and compacts its storage,
	// keeping the last keep entries (as a server does).
	compactEvery, keep uint64
}

// run proposes n entries on c, keeping w.inflight outstanding, and waits
// until the leader applied them all.
func run(c cluster, w workload, n int) error {
	data := make([]byte, w.size)
	proposed, applied, idle := 0, 0, 0
	for applied < n {
		if k := min(w.inflight-(proposed-applied), n-proposed); k > 0 {
			if err := c.propose(k, data); err != nil {
				return fmt.Errorf("propose %d: %w", proposed, err)
			}
			proposed += k
		}
		k, err := c.round()
		if err != nil {
			return err
		}
		if idle = idle + 1; k > 0 {
			idle = 0
		}
		if idle > maxIdleRounds {
			return fmt.Errorf("stalled: %d of %d applied after %d rounds without progress", applied, n, idle)
		}
		applied += k
	}
	return nil
}

// maxIdleRounds is how many rounds in a row may apply nothing before run
// gives up (a commit takes two or three).
const maxIdleRounds = 100

// inbox is a node's queue of messages, double-buffered so that delivery
// allocates nothing once warm.
type inbox[M any] struct{ q, spare []M }

// take returns the queued messages and starts an empty queue; the slice
// is valid until the next take.
func (b *inbox[M]) take() []M {
	q := b.q
	b.q, b.spare = b.spare[:0], q
	return q
}

func (b *inbox[M]) put(m M) { b.q = append(b.q, m) }

// applySink is what committed entries are applied to: both engines hand
// each entry's payload to it, so neither can skip reading it.
type applySink struct {
	bytes   uint64
	entries uint64
}

func (s *applySink) apply(data []byte) {
	s.entries++
	s.bytes += uint64(len(data))
}

// nodeIDs are the members of every cluster.
var nodeIDs = []uint64{1, 2, 3}
