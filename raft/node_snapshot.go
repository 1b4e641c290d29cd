package raft

import (
	"errors"
	"fmt"
	"io"
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

// errSnapshotSuperseded answers a received snapshot that waited for the
// apply backlog to drain when a newer one arrived.
var errSnapshotSuperseded = errors.New("raft: received snapshot superseded by a newer one before it could be installed")

// snapshotArrived takes a snapshot received from the leader. Installing it
// replaces the state machine, which must not race the apply goroutine: if
// entries handed over are still being applied, the snapshot waits (and
// the core hands out no more) until the backlog drains (jobDone).
func (n *Node) snapshotArrived(in *incomingSnapshot) error {
	if n.backlog.jobs == 0 {
		return n.receiveSnapshot(in)
	}
	if n.parkedSnap != nil {
		n.parkedSnap.done <- errSnapshotSuperseded
	}
	n.parkedSnap = in
	return nil
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
// meta.Index, a normal start. The apply goroutine is idle (snapshotArrived
// waited for it).
func (n *Node) installSnapshot(meta SnapshotMeta) error {
	in := n.installing
	if in == nil || in.msg.Snapshot.Index != meta.Index {
		return fmt.Errorf("raft: node %d: core installs snapshot at %d but no data for it was received", n.cfg.ID, meta.Index)
	}
	if n.backlog.jobs != 0 {
		return fmt.Errorf("raft: node %d: snapshot at %d would race %d apply jobs", n.cfg.ID, meta.Index, n.backlog.jobs)
	}
	n.installing = nil
	start := n.now()
	data := &countingReader{r: in.data}
	if err := n.restoreStateMachine(data, meta); err != nil {
		in.done <- err
		return err
	}
	if err := n.cfg.Storage.ApplySnapshot(meta); err != nil {
		err = fmt.Errorf("raft: node %d: record snapshot at %d: %w", n.cfg.ID, meta.Index, err)
		in.done <- err
		return err
	}
	n.lastSnap = meta.Index
	n.handedOver = meta.Index
	n.setApplied(meta.Index)
	in.done <- nil
	n.counters.snapshotsInstalled.Add(1)
	if n.cfg.Observer != nil {
		n.cfg.Observer.Snapshot(SnapshotInstalled, n.now()-start, data.n)
	}
	n.cfg.Logger.Info("installed snapshot", "node", uint64(n.cfg.ID), "index", meta.Index, "term", meta.Term,
		"from", uint64(in.msg.From), "bytes", data.n)
	return nil
}

// restoreStateMachine replaces the state machine's state with data and
// makes it durable before the log it replaces goes.
func (n *Node) restoreStateMachine(data io.Reader, meta SnapshotMeta) error {
	if err := n.cfg.StateMachine.Restore(data); err != nil {
		return fmt.Errorf("raft: node %d: restore snapshot at %d: %w", n.cfg.ID, meta.Index, err)
	}
	if err := n.checkRestored(meta); err != nil {
		return fmt.Errorf("raft: node %d: restore snapshot at %d: %w", n.cfg.ID, meta.Index, err)
	}
	if s, ok := n.cfg.StateMachine.(Syncer); ok {
		if err := s.Sync(); err != nil {
			return fmt.Errorf("raft: node %d: sync restored snapshot at %d: %w", n.cfg.ID, meta.Index, err)
		}
	}
	return nil
}

// sendSnapshot starts a transfer of the state machine's current state to
// m.To (at most one per follower) in three steps: LaneSnapshot work
// writes it to a spool (NodeConfig.SnapshotSpool); the step function
// looks up the metadata of the index written, which is at or past the
// index the core asked for; LaneSnapshot work streams the spool. The
// outcome goes back to the core (ReportSnapshot).
func (n *Node) sendSnapshot(m Message) {
	if n.sendingSnap[m.To] {
		return
	}
	n.sendingSnap[m.To] = true
	n.exec.Run(LaneSnapshot, func() Continuation {
		spool, index, err := n.writeSnapshot()
		return func() error {
			if err != nil {
				n.snapshotSent(snapshotReport{to: m.To, err: err})
				return nil
			}
			n.streamSnapshot(m, spool, index)
			return nil
		}
	})
}

// writeSnapshot writes the state machine into a new spool, off the step
// function, and returns the applied index it reflects.
func (n *Node) writeSnapshot() (Spool, uint64, error) {
	spool, err := n.cfg.SnapshotSpool.Create()
	if err != nil {
		return nil, 0, fmt.Errorf("create snapshot spool: %w", err)
	}
	n.spools.add(spool)
	start := n.now()
	w := &countingWriter{w: spool}
	index, err := n.cfg.StateMachine.Snapshot(w)
	if err != nil {
		n.discardSpool(spool)
		return nil, 0, fmt.Errorf("snapshot state machine: %w", err)
	}
	n.counters.snapshotsWritten.Add(1)
	if n.cfg.Observer != nil {
		n.cfg.Observer.Snapshot(SnapshotWritten, n.now()-start, w.n)
	}
	n.cfg.Logger.Info("snapshot written for a follower", "node", uint64(n.cfg.ID), "index", index, "bytes", w.n)
	return spool, index, nil
}

// streamSnapshot, on the step function, gives the written spool the
// metadata of index and hands its streaming to LaneSnapshot.
func (n *Node) streamSnapshot(m Message, spool Spool, index uint64) {
	meta, err := n.core.SnapshotMeta(index)
	if err != nil {
		n.discardSpool(spool)
		n.snapshotSent(snapshotReport{to: m.To, err: fmt.Errorf("snapshot metadata at %d: %w", index, err)})
		return
	}
	m.Snapshot = &meta
	n.exec.Run(LaneSnapshot, func() Continuation {
		err := n.sendSpool(m, spool)
		return func() error {
			n.snapshotSent(snapshotReport{to: m.To, err: err})
			return nil
		}
	})
}

// sendSpool streams spool to m.To and discards it, off the step function.
func (n *Node) sendSpool(m Message, spool Spool) error {
	defer n.discardSpool(spool)
	data, err := spool.Reader()
	if err != nil {
		return err
	}
	return n.cfg.Transport.SendSnapshot(n.snapCtx, m, data)
}

func (n *Node) discardSpool(s Spool) {
	if n.spools.remove(s) {
		if err := s.Discard(); err != nil {
			n.cfg.Logger.Warn("cannot discard snapshot spool", "node", uint64(n.cfg.ID), "err", err)
		}
	}
}

// snapshotSent reports a finished snapshot transfer to the core.
func (n *Node) snapshotSent(r snapshotReport) {
	delete(n.sendingSnap, r.to)
	if r.err != nil {
		n.cfg.Logger.Info("snapshot transfer failed", "node", uint64(n.cfg.ID), "to", uint64(r.to), "err", r.err)
	}
	n.core.ReportSnapshot(r.to, r.err != nil)
}
