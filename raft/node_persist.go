package raft

import (
	"fmt"
	"time"
)

// The persistence step of the node goroutine. A Ready's HardState and
// entries are made durable with one Save (write and fsync) before the
// messages that depend on them leave and before its committed entries
// that were not durable yet are handed over. A leader whose store is an
// AsyncLogStore instead Appends its entries (written, not fsynced) and
// goes on: the fsync runs on LaneSync, one at a time, each covering every
// write made before it started (group commit across Readys), while the
// node steps acknowledgments and proposals and sends new entries to the
// followers (thesis §10.2.1). Until a Sync covers a write:
//   - the core keeps its entries unstable and does not count them as the
//     leader's own copy toward commit (Core.AdvanceWritten, Core.Durable):
//     an entry commits by the leader's vote only once that vote is
//     durable, or by enough followers, each of which acknowledges only
//     what it fsynced;
//   - the Ready's messages other than those a leader may send before
//     persisting wait (asyncLog.late);
//   - committed entries past the durable log wait (commitQueue): no
//     entry is applied here before it is durable here.
// A Ready that changes term, vote or role, installs a snapshot, appends
// outside this path or has messages to send first makes every write
// durable (syncNow) and takes the synchronous path.

// asyncLog is the node goroutine's record of the writes whose fsync is
// pending.
type asyncLog struct {
	// store is the store when it is an AsyncLogStore, or nil.
	store AsyncLogStore
	// written counts the Appends; synced is the count a completed Sync
	// covered.
	written, synced uint64
	// last is the last entry written; entries counts those written since
	// the last Sync started (for the Observer).
	last    entryID
	entries int
	// syncing is set while a Sync runs on LaneSync.
	syncing bool
	// late are the messages waiting for a write to be durable.
	late []heldMessages
}

// heldMessages are messages that leave once write number seq is durable.
type heldMessages struct {
	seq  uint64
	msgs []Message
}

// pending reports whether some write is not known durable.
func (a *asyncLog) pending() bool { return a.written > a.synced }

// commitQueue holds committed entries, in order, until they are durable
// on this node (Node.durableIndex).
type commitQueue struct{ ents []Entry }

func (q *commitQueue) add(ents []Entry) { q.ents = append(q.ents, ents...) }

// take removes and returns the queued entries up to index limit.
func (q *commitQueue) take(limit uint64) []Entry {
	i := 0
	for i < len(q.ents) && q.ents[i].Index <= limit {
		i++
	}
	out := q.ents[:i:i]
	if i == len(q.ents) {
		q.ents = nil
	} else {
		q.ents = q.ents[i:]
	}
	return out
}

// firstNew is the index of rd's first new entry, or 0.
func firstNew(rd Ready) uint64 {
	if len(rd.Entries) == 0 {
		return 0
	}
	return rd.Entries[0].Index
}

// handOverDurable hands the queued committed entries that are durable
// here to the apply work: up to durableIndex, and before first (the first
// entry the Ready being carried out replaces or adds) unless first is 0.
func (n *Node) handOverDurable(first uint64) {
	limit := n.durableIndex
	if first > 0 {
		limit = min(limit, first-1)
	}
	n.handOver(n.commitQ.take(limit))
}

// writesAsync reports whether rd is written without waiting for its
// fsync: this node is and stays the leader, and rd appends entries
// without changing term or vote or installing a snapshot.
func (n *Node) writesAsync(rd Ready) bool {
	return n.async.store != nil && n.role == RoleLeader && rd.SoftState == nil && len(rd.Entries) > 0 &&
		rd.Snapshot.IsEmpty() && !rd.termOrVoteChanged
}

// holdWrites reports whether the next Ready waits for the Sync that runs:
// the leader has new entries to write. The entries proposed meanwhile then
// go out in one Ready, one write and one round of messages, as when the
// node goroutine waited for the fsync itself; but acknowledgments and
// proposals are stepped while the fsync runs.
func (n *Node) holdWrites() bool {
	return n.async.syncing && n.role == RoleLeader && len(n.core.unwritten()) > 0
}

// mustDrain reports whether the synchronous path must first make the
// pending writes durable: rd appends, must be synced, installs a
// snapshot, changes role, or has messages that may promise what the
// pending writes hold.
func (n *Node) mustDrain(rd Ready, late []Message) bool {
	return n.async.pending() && (len(rd.Entries) > 0 || rd.MustSync || !rd.Snapshot.IsEmpty() ||
		rd.SoftState != nil || len(late) > 0)
}

// writeAsync carries out rd (writesAsync) from the persistence step on:
// Append, then answer reads and Advance; the fsync is started or, if one
// runs, follows it.
func (n *Node) writeAsync(rd Ready, late []Message) error {
	n.commitQ.add(rd.CommittedEntries)
	n.handOverDurable(firstNew(rd))
	if err := n.async.store.Append(rd.HardState, rd.Entries); err != nil {
		return fmt.Errorf("raft: node %d: persist: %w", n.cfg.ID, err)
	}
	a := &n.async
	a.written++
	e := rd.Entries[len(rd.Entries)-1]
	a.last = entryID{e.Index, e.Term}
	a.entries += len(rd.Entries)
	if len(late) > 0 {
		a.late = append(a.late, heldMessages{seq: a.written, msgs: late})
	}
	n.answerReads(rd.ReadStates)
	n.core.AdvanceWritten(rd)
	n.startSync()
	if err := n.core.Err(); err != nil {
		return fmt.Errorf("raft: node %d: core: %w", n.cfg.ID, err)
	}
	return nil
}

// startSync runs a Sync on LaneSync covering every write made so far,
// unless one runs already (its continuation starts the next).
func (n *Node) startSync() {
	a := &n.async
	if a.syncing || !a.pending() {
		return
	}
	a.syncing = true
	seq, last, entries := a.written, a.last, a.entries
	a.entries = 0
	store := a.store
	n.exec.Run(LaneSync, func() Continuation {
		start := n.now()
		err := store.Sync()
		took := n.now() - start
		return func() error {
			a.syncing = false
			if err != nil {
				return fmt.Errorf("raft: node %d: persist: %w", n.cfg.ID, err)
			}
			if n.cfg.Observer != nil {
				n.cfg.Observer.Persisted(took, entries)
			}
			n.synced(seq, last)
			n.startSync()
			return nil
		}
	})
}

// syncNow makes every write durable before the synchronous path goes on.
// A Sync still running on LaneSync reports later what this one already
// covered.
func (n *Node) syncNow() error {
	if err := n.async.store.Sync(); err != nil {
		return fmt.Errorf("raft: node %d: persist: %w", n.cfg.ID, err)
	}
	n.async.entries = 0
	n.synced(n.async.written, n.async.last)
	return nil
}

// synced takes the news that writes up to number seq, whose last entry
// is last, are durable: the core may count them, the messages waiting
// for them leave, and the committed entries among them go to the apply
// work.
func (n *Node) synced(seq uint64, last entryID) {
	a := &n.async
	if seq <= a.synced {
		return
	}
	a.synced = seq
	n.durableIndex = max(n.durableIndex, last.index)
	n.core.Durable(last.index, last.term)
	i := 0
	for i < len(a.late) && a.late[i].seq <= seq {
		n.send(a.late[i].msgs)
		i++
	}
	a.late = a.late[i:]
	if len(a.late) == 0 {
		a.late = nil
	}
	n.handOverDurable(0)
}

// persist makes rd's HardState and Entries durable with one fsync, timing
// it for the Observer; a HardState whose only change is the commit index
// (rd.MustSync false) goes to a CommitSaver store without one (not timed:
// no fsync).
func (n *Node) persist(rd Ready) error {
	if rd.HardState.IsEmpty() && len(rd.Entries) == 0 {
		return nil
	}
	if cs, ok := n.cfg.Storage.(CommitSaver); ok && !rd.MustSync && len(rd.Entries) == 0 {
		if err := cs.SaveCommit(rd.HardState); err != nil {
			return fmt.Errorf("raft: node %d: persist: %w", n.cfg.ID, err)
		}
		return nil
	}
	var start time.Duration
	if n.cfg.Observer != nil {
		start = n.now()
	}
	if err := n.cfg.Storage.Save(rd.HardState, rd.Entries); err != nil {
		return fmt.Errorf("raft: node %d: persist: %w", n.cfg.ID, err)
	}
	if len(rd.Entries) > 0 {
		n.durableIndex = rd.Entries[len(rd.Entries)-1].Index
	}
	if n.cfg.Observer != nil {
		n.cfg.Observer.Persisted(n.now()-start, len(rd.Entries))
	}
	return nil
}
