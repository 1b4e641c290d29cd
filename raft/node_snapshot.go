package raft

import (
	"fmt"
	"io"
	"os"
)

// incomingSnapshot is a snapshot received from the leader, waiting for the
// core to accept it.
type incomingSnapshot struct {
	msg  Message
	data io.Reader
	done chan error
}

// snapshotReport is how streaming a snapshot to a follower ended.
type snapshotReport struct {
	to  NodeID
	err error
}

// receiveSnapshot steps a received MsgSnap and carries out the Ready that
// installs it. If the core does not install it (the node already has
// what it covers), it is answered without error: the core's reply tells
// the leader where this node stands.
func (n *Node) receiveSnapshot(in *incomingSnapshot) error {
	n.installing = in
	n.step(in.msg)
	err := n.processReady()
	if n.installing != nil {
		n.installing.done <- err
		n.installing = nil
	}
	return err
}

// installSnapshot restores the state machine from the received snapshot
// data for meta, syncs it (when it is a Syncer), then replaces the log
// with it: in that order, so that a crash in between leaves a state
// machine ahead of its log rather than a log whose prefix is lost. Such a
// state machine (at meta.Index, with a log that ends before it or holds
// another term there) is repaired at the next start by reconcileLog, which
// records its applied index, term and configuration as the log's snapshot
// (it needs an AppliedStateReporter that knows its term; otherwise the node
// refuses to start). A crash after ApplySnapshot leaves both at
// meta.Index, a normal start.
func (n *Node) installSnapshot(meta SnapshotMeta) error {
	in := n.installing
	if in == nil || in.msg.Snapshot.Index != meta.Index {
		return fmt.Errorf("raft: node %d: core installs snapshot at %d but no data for it was received", n.cfg.ID, meta.Index)
	}
	n.installing = nil
	if err := n.cfg.StateMachine.Restore(in.data); err != nil {
		err = fmt.Errorf("raft: node %d: restore snapshot at %d: %w", n.cfg.ID, meta.Index, err)
		in.done <- err
		return err
	}
	if err := n.checkRestored(meta); err != nil {
		err = fmt.Errorf("raft: node %d: restore snapshot at %d: %w", n.cfg.ID, meta.Index, err)
		in.done <- err
		return err
	}
	if s, ok := n.cfg.StateMachine.(Syncer); ok {
		// The restored state must be on disk before the log goes.
		if err := s.Sync(); err != nil {
			err = fmt.Errorf("raft: node %d: sync restored snapshot at %d: %w", n.cfg.ID, meta.Index, err)
			in.done <- err
			return err
		}
	}
	if err := n.cfg.Storage.ApplySnapshot(meta); err != nil {
		err = fmt.Errorf("raft: node %d: record snapshot at %d: %w", n.cfg.ID, meta.Index, err)
		in.done <- err
		return err
	}
	n.lastSnap = meta.Index
	n.setApplied(meta.Index)
	in.done <- nil
	n.cfg.Logger.Info("installed snapshot", "node", uint64(n.cfg.ID), "index", meta.Index, "term", meta.Term)
	return nil
}

// sendSnapshot writes the state machine's current state to a spool file
// and streams it to m.To in its own goroutine. The metadata is that of the
// state written (its applied index), which is at or past the index the
// core asked for. The outcome goes back to the core (ReportSnapshot).
func (n *Node) sendSnapshot(m Message) {
	to := m.To
	if n.sendingSnap[to] {
		return
	}
	fail := func(err error) {
		n.cfg.Logger.Warn("cannot send snapshot", "node", uint64(n.cfg.ID), "to", uint64(to), "err", err)
		select {
		case n.snapDone <- snapshotReport{to: to, err: err}:
		default: // reports pile up only if many fail at once; the core re-probes anyway
		}
	}
	f, err := os.CreateTemp(n.cfg.SnapshotDir, "resqlite-outgoing-snapshot-*")
	if err != nil {
		fail(fmt.Errorf("create spool file: %w", err))
		return
	}
	index, err := n.cfg.StateMachine.Snapshot(f)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	var meta SnapshotMeta
	if err == nil {
		meta, err = n.core.SnapshotMeta(index)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		fail(fmt.Errorf("snapshot state machine: %w", err))
		return
	}
	m.Snapshot = &meta
	n.sendingSnap[to] = true
	n.snapshots.Add(1)
	go func() {
		defer n.snapshots.Done()
		defer os.Remove(f.Name())
		defer f.Close()
		err := n.cfg.Transport.SendSnapshot(n.snapCtx, m, f)
		select {
		case n.snapDone <- snapshotReport{to: to, err: err}:
		case <-n.snapCtx.Done():
		}
	}()
}

// snapshotSent reports a finished snapshot transfer to the core.
func (n *Node) snapshotSent(r snapshotReport) {
	delete(n.sendingSnap, r.to)
	if r.err != nil {
		n.cfg.Logger.Info("snapshot transfer failed", "node", uint64(n.cfg.ID), "to", uint64(r.to), "err", r.err)
	}
	n.core.ReportSnapshot(r.to, r.err != nil)
}

// maybeCompact records a snapshot at the state machine's durable applied
// index once SnapshotEntries entries were applied since the last one, and
// compacts the log up to CompactionMargin entries before it. The state
// machine's own data is the snapshot's content: it is written out only
// when a follower needs it.
func (n *Node) maybeCompact() error {
	if n.cfg.SnapshotEntries < 0 || n.applied < n.lastSnap+uint64(n.cfg.SnapshotEntries) {
		return nil
	}
	_, err := n.snapshotNow()
	return err
}
