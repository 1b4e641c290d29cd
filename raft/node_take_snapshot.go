package raft

import (
	"context"
	"fmt"
)

// TakeSnapshot records a snapshot at the state machine's durably applied
// index now, whatever NodeConfig.SnapshotEntries says, and compacts the
// log up to CompactionMargin entries before it, as automatic compaction
// does. It returns the index the snapshot covers (the previous snapshot's
// when nothing was applied since). A failure to record it stops the node
// (see Err), as storage failures do.
func (n *Node) TakeSnapshot(ctx context.Context) (uint64, error) {
	var index uint64
	var err error
	if derr := n.do(ctx, func() { index, err = n.snapshotNow() }); derr != nil {
		return 0, derr
	}
	if err != nil {
		n.setErr(err)
		n.stopOnce.Do(func() { close(n.stopc) })
	}
	return index, err
}

// snapshotNow records a snapshot at the state machine's durable applied
// index and compacts the log before it, keeping CompactionMargin entries.
// The state machine's own data is the snapshot's content: it is written
// out only when a follower needs it.
func (n *Node) snapshotNow() (uint64, error) {
	index := n.cfg.StateMachine.AppliedIndex()
	if index <= n.lastSnap {
		return n.lastSnap, nil
	}
	meta, err := n.core.SnapshotMeta(index)
	if err != nil {
		return 0, fmt.Errorf("raft: node %d: snapshot metadata at %d: %w", n.cfg.ID, index, err)
	}
	if s, ok := n.cfg.StateMachine.(Syncer); ok {
		// The log behind index is about to go: what the state machine
		// built from it must be on disk first.
		if err := s.Sync(); err != nil {
			return 0, fmt.Errorf("raft: node %d: sync state machine before compacting at %d: %w", n.cfg.ID, index, err)
		}
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
	n.cfg.Logger.Debug("compacted log", "node", uint64(n.cfg.ID), "snapshot", index)
	return index, nil
}
