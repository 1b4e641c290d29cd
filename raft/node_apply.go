package raft

import (
	"fmt"
	"slices"
	"sync"
)

// The node applies committed entries on its own apply goroutine, as
// hashicorp/raft and etcd's raftexample do, so that a slow entry, a
// checkpoint or an fsync of the state machine never holds up heartbeats
// and votes on the Raft goroutine. The Raft goroutine hands each Ready's
// committed entries over (after they are durable, in order, once) and
// calls Advance at once; the apply goroutine applies them, publishes the
// applied index and resolves the proposals' futures. The backlog of
// handed-over, unapplied entries is bounded: while it is full the node
// pauses the core's hand-out of committed entries (Core.PauseApply),
// which leaves every message flowing.

// applyJob is one piece of work for the apply goroutine: committed
// entries to apply, or (sync) making the applied state durable before the
// log behind it is compacted.
type applyJob struct {
	ents  []Entry
	bytes uint64
	sync  bool
	// reply receives the outcome of a compaction TakeSnapshot asked for.
	reply chan snapshotResult
}

// applyDone is the apply goroutine's report of a finished job.
type applyDone struct {
	job applyJob
	// index is, for a sync job, the state machine's applied index that
	// the sync made durable.
	index uint64
	err   error
}

// snapshotResult is the outcome of a TakeSnapshot.
type snapshotResult struct {
	index uint64
	err   error
}

// applyBacklog counts what the Raft goroutine handed to the apply
// goroutine and has not heard back about.
type applyBacklog struct {
	jobs    int
	entries int
	bytes   uint64
}

// applyQueue is the FIFO between the Raft goroutine, which never blocks
// on it, and the apply goroutine. Its length is bounded by the node
// (NodeConfig.MaxApplyBacklogEntries and MaxApplyBacklogBytes).
type applyQueue struct {
	mu   sync.Mutex
	jobs []applyJob
	wake chan struct{}
}

func newApplyQueue() *applyQueue { return &applyQueue{wake: make(chan struct{}, 1)} }

func (q *applyQueue) push(j applyJob) {
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop waits for the next job; false once stop is closed.
func (q *applyQueue) pop(stop <-chan struct{}) (applyJob, bool) {
	for {
		q.mu.Lock()
		if len(q.jobs) > 0 {
			j := q.jobs[0]
			q.jobs[0] = applyJob{}
			q.jobs = q.jobs[1:]
			q.mu.Unlock()
			return j, true
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-stop:
			return applyJob{}, false
		}
	}
}

// runApply is the apply goroutine: it runs the jobs in order and reports
// each back to the Raft goroutine. It stops at the first error (the node
// stops too) or when the node exits.
func (n *Node) runApply() {
	defer n.applyWG.Done()
	for {
		job, ok := n.applyq.pop(n.applyStop)
		if !ok {
			return
		}
		d := n.runJob(job)
		select {
		case n.applyDonec <- d:
		case <-n.applyStop:
			return
		}
		if d.err != nil {
			return
		}
	}
}

func (n *Node) runJob(job applyJob) applyDone {
	if job.sync {
		index, err := n.syncStateMachine()
		return applyDone{job: job, index: index, err: err}
	}
	return applyDone{job: job, err: n.apply(job.ents)}
}

// syncStateMachine makes the state machine's applied state durable (when
// it is a Syncer) and returns the applied index it covers.
func (n *Node) syncStateMachine() (uint64, error) {
	index := n.cfg.StateMachine.AppliedIndex()
	if s, ok := n.cfg.StateMachine.(Syncer); ok {
		// The log behind index is about to go: what the state machine
		// built from it must be on disk first.
		if err := s.Sync(); err != nil {
			return 0, fmt.Errorf("raft: node %d: sync state machine before compacting at %d: %w", n.cfg.ID, index, err)
		}
	}
	return index, nil
}

// apply applies committed entries to the state machine, on the apply
// goroutine, and resolves the proposals among them. Entries the state
// machine already holds (it restored a snapshot, or recorded them before
// a crash) are skipped.
func (n *Node) apply(ents []Entry) error {
	applied := n.AppliedIndex()
	for len(ents) > 0 && ents[0].Index <= applied {
		ents = ents[1:]
	}
	if len(ents) == 0 {
		return nil
	}
	results, err := n.cfg.StateMachine.Apply(ents)
	if err != nil {
		return fmt.Errorf("raft: node %d: apply entries %d-%d: %w", n.cfg.ID, ents[0].Index, ents[len(ents)-1].Index, err)
	}
	if len(results) != len(ents) {
		return fmt.Errorf("raft: node %d: state machine returned %d results for %d entries", n.cfg.ID, len(results), len(ents))
	}
	for i, e := range ents {
		f := n.takeProposal(e.Index)
		if f == nil {
			continue
		}
		if e.Term != f.term {
			f.resolve(Result{}, fmt.Errorf("entry %d: %w", e.Index, ErrEntryReplaced))
			continue
		}
		f.resolve(Result{Index: e.Index, Value: results[i]}, nil)
	}
	n.setApplied(ents[len(ents)-1].Index)
	return nil
}

// handOver gives committed entries (durable, in order) to the apply
// goroutine.
func (n *Node) handOver(ents []Entry) {
	if len(ents) == 0 {
		return
	}
	var size uint64
	for _, e := range ents {
		size += uint64(len(e.Data))
	}
	n.enqueue(applyJob{ents: slices.Clone(ents), bytes: size})
	n.handedOver = ents[len(ents)-1].Index
}

// enqueue queues a job for the apply goroutine and counts it.
func (n *Node) enqueue(j applyJob) {
	n.backlog.jobs++
	n.backlog.entries += len(j.ents)
	n.backlog.bytes += j.bytes
	n.applyq.push(j)
}

// applyHeld reports whether the core must hold committed entries back:
// the backlog is full, or a received snapshot waits for it to drain.
func (n *Node) applyHeld() bool {
	return n.parkedSnap != nil || n.backlog.entries >= n.cfg.MaxApplyBacklogEntries ||
		n.backlog.bytes >= n.cfg.MaxApplyBacklogBytes
}

// jobDone takes the apply goroutine's report of a job on the Raft
// goroutine: the backlog shrinks, a sync is followed by the compaction it
// prepared, and a snapshot waiting for the backlog to drain is installed.
func (n *Node) jobDone(d applyDone) error {
	n.backlog.jobs--
	n.backlog.entries -= len(d.job.ents)
	n.backlog.bytes -= d.job.bytes
	if d.job.sync {
		n.compacting = false
		index, err := n.compactAt(d.index, d.err)
		if d.job.reply != nil {
			d.job.reply <- snapshotResult{index: index, err: err}
		}
		if err != nil {
			return err
		}
	} else if d.err != nil {
		return d.err
	}
	n.maybeCompact()
	if n.parkedSnap != nil && n.backlog.jobs == 0 {
		in := n.parkedSnap
		n.parkedSnap = nil
		return n.receiveSnapshot(in)
	}
	return nil
}

// takeProposal removes and returns the future of the proposal at index.
func (n *Node) takeProposal(index uint64) *Future {
	n.propMu.Lock()
	defer n.propMu.Unlock()
	f, ok := n.proposals[index]
	if !ok {
		return nil
	}
	delete(n.proposals, index)
	return f
}

// addProposal records the future of the proposal at index.
func (n *Node) addProposal(f *Future) {
	n.propMu.Lock()
	defer n.propMu.Unlock()
	n.proposals[f.index] = f
}

// dropProposals resolves with err every pending proposal past index.
func (n *Node) dropProposals(after uint64, err func(index uint64) error) {
	n.propMu.Lock()
	defer n.propMu.Unlock()
	for idx, f := range n.proposals {
		if idx > after {
			f.resolve(Result{}, err(idx))
			delete(n.proposals, idx)
		}
	}
}

// setApplied publishes a new applied index to WaitApplied callers.
func (n *Node) setApplied(index uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.applied = index
	close(n.appliedCh)
	n.appliedCh = make(chan struct{})
}
