package raft

import (
	"context"
	"fmt"
)

// TakeSnapshot records a snapshot at the state machine's durably applied
// index now, whatever NodeConfig.SnapshotEntries says, and compacts the
// log up to CompactionMargin entries before it, as automatic compaction
// does. It returns the index the snapshot covers (the previous snapshot's
// when nothing was applied since). It waits for the entries handed to the
// apply goroutine before it to be applied. A failure to record it stops
// the node (see Err), as storage failures do.
func (n *Node) TakeSnapshot(ctx context.Context) (uint64, error) {
	reply := make(chan snapshotResult, 1)
	if err := n.do(ctx, func() { n.enqueue(applyJob{sync: true, reply: reply}) }); err != nil {
		return 0, err
	}
	select {
	case r := <-reply:
		return r.index, r.err
	case <-ctx.Done():
		return 0, fmt.Errorf("raft: take snapshot: %w", ctx.Err())
	case <-n.done:
		select {
		case r := <-reply:
			return r.index, r.err
		default:
			return 0, n.stoppedErr()
		}
	}
}

// maybeCompact asks the apply goroutine to sync the state machine, the
// first step of a compaction (compactAt), once SnapshotEntries entries
// were applied since the last snapshot. The state machine's own data is
// the snapshot's content: it is written out only when a follower needs
// it.
func (n *Node) maybeCompact() {
	if n.cfg.SnapshotEntries < 0 || n.compacting || n.parkedSnap != nil ||
		n.AppliedIndex() < n.lastSnap+uint64(n.cfg.SnapshotEntries) {
		return
	}
	n.compacting = true
	n.enqueue(applyJob{sync: true})
}

// compactAt records a snapshot at index, the state machine's applied
// index that the apply goroutine just made durable (syncErr says whether
// it could), and compacts the log before it, keeping CompactionMargin
// entries. It returns the index the current snapshot covers.
func (n *Node) compactAt(index uint64, syncErr error) (uint64, error) {
	if syncErr != nil {
		return 0, syncErr
	}
	if index <= n.lastSnap {
		return n.lastSnap, nil
	}
	meta, err := n.core.SnapshotMeta(index)
	if err != nil {
		return 0, fmt.Errorf("raft: node %d: snapshot metadata at %d: %w", n.cfg.ID, index, err)
	}
	if err := n.cfg.Storage.CreateSnapshot(meta); err != nil {
		return 0, fmt.Errorf("raft: node %d: record snapshot at %d: %w", n.cfg.ID, index, err)
	}
	n.lastSnap = index
	if index > uint64(n.cfg.CompactionMargin) {
		if err := n.cfg.Storage.Compact(index - uint64(n.cfg.CompactionMargin)); err != nil {
			return 0, fmt.Errorf("raft: node %d: compact log before %d: %w", n.cfg.ID, index-uint64(n.cfg.CompactionMargin), err)
		}
	}
	n.counters.compactions.Add(1)
	n.cfg.Logger.Info("snapshot taken", "node", uint64(n.cfg.ID), "index", index, "term", meta.Term,
		"compacted_to", index-min(index, uint64(n.cfg.CompactionMargin)))
	return index, nil
}
