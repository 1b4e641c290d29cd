package raft

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// The node applies committed entries off its step function, on its
// Executor's LaneApply (under StartNode an apply goroutine of its own), as
// hashicorp/raft and etcd's raftexample do, so that a slow entry, a
// checkpoint or an fsync of the state machine never holds up heartbeats
// and votes on the Raft goroutine. The step function hands each Ready's
// committed entries over (after they are durable, in order, once) and
// calls Advance at once; the apply work applies them, publishes the
// applied index and resolves the proposals' futures, and its continuation
// (jobDone) tells the step function. The backlog of
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

// runJob runs job on LaneApply. After a job failed (the node stops), the
// ones queued behind it do nothing: no entry is applied past a gap.
func (n *Node) runJob(job applyJob) applyDone {
	if n.applyFailed.Load() {
		return applyDone{job: job, err: errApplyStopped}
	}
	var d applyDone
	if job.sync {
		index, err := n.syncStateMachine()
		d = applyDone{job: job, index: index, err: err}
	} else {
		d = applyDone{job: job, err: n.apply(job.ents)}
	}
	if d.err != nil {
		n.applyFailed.Store(true)
	}
	return d
}

// errApplyStopped answers apply work queued behind a failed job.
var errApplyStopped = errors.New("raft: apply stopped by an earlier failure")

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
	var start time.Duration
	if n.cfg.Observer != nil {
		start = n.now()
	}
	results, err := n.cfg.StateMachine.Apply(ents)
	if n.cfg.Observer != nil {
		n.cfg.Observer.Applied(n.now()-start, len(ents))
	}
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
			n.counters.proposalsFailed.Add(1)
			f.resolve(Result{}, fmt.Errorf("entry %d: %w", e.Index, ErrEntryReplaced))
			continue
		}
		n.counters.proposalsApplied.Add(1)
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
	n.observeCommitted(ents)
	n.enqueue(applyJob{ents: slices.Clone(ents), bytes: size})
	n.handedOver = ents[len(ents)-1].Index
}

// enqueue counts a job in the backlog and hands it to LaneApply; its
// report comes back to the step function (jobDone).
func (n *Node) enqueue(j applyJob) {
	n.backlog.jobs++
	n.backlog.entries += len(j.ents)
	n.backlog.bytes += j.bytes
	n.exec.Run(LaneApply, func() Continuation {
		d := n.runJob(j)
		return func() error { return n.jobDone(d) }
	})
}

// applyHeld reports whether the core must hold committed entries back:
// the backlog is full, or a received snapshot waits for it to drain.
func (n *Node) applyHeld() bool {
	return n.parkedSnap != nil || n.backlog.entries >= n.cfg.MaxApplyBacklogEntries ||
		n.backlog.bytes >= n.cfg.MaxApplyBacklogBytes
}

// applyRoom is how many more committed entries the backlog takes before
// it is full (NodeConfig.MaxApplyBacklogEntries; entries waiting in
// commitQ count), at least one.
func (n *Node) applyRoom() uint64 {
	return uint64(max(n.cfg.MaxApplyBacklogEntries-n.backlog.entries-len(n.commitQ.ents), 1))
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
			n.counters.proposalsFailed.Add(1)
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
