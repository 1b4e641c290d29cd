package raft

import "fmt"

// reconcileLog runs at start-up, before the core is built: it repairs a log
// that a crash left behind the state machine in the middle of installing a
// snapshot. The install restores the state machine, syncs it, and only
// then records the snapshot in the log (installSnapshot), so a crash in
// between leaves a state machine at the snapshot's index S with a log that
// still ends before S (NewCore would refuse: the applied index is past the
// last log index), or that holds a different entry at S, one the snapshot
// superseded. The state machine's state is committed (the leader sent it;
// Log Matching, paper §5.3, then says no entry of another term at S, nor
// any entry after it, is committed), so recording it as the log's snapshot
// (LogStore.ApplySnapshot with the applied index, the term of that entry
// and the configuration in force there) is what the install would have
// done. It needs a state machine that is an AppliedStateReporter and
// knows its term; otherwise the node is refused as before, with a message
// that says why.
//
// A state machine behind the log's snapshot (it lost what the snapshot
// covers) is left to NewCore's error: the log holds no data to rebuild it.
func reconcileLog(cfg NodeConfig) error {
	applied := cfg.StateMachine.AppliedIndex()
	snap, err := cfg.Storage.Snapshot()
	if err != nil {
		return fmt.Errorf("read snapshot: %w", err)
	}
	last, err := cfg.Storage.LastIndex()
	if err != nil {
		return fmt.Errorf("read last index: %w", err)
	}
	if applied <= snap.Index {
		return nil
	}
	r, ok := cfg.StateMachine.(AppliedStateReporter)
	if !ok {
		return nil
	}
	st, err := r.AppliedState()
	if err != nil {
		return fmt.Errorf("read the state machine's applied state: %w", err)
	}
	if st.Index != applied {
		return fmt.Errorf("state machine reports applied index %d and applied state at %d", applied, st.Index)
	}
	if applied <= last && !logDiffers(cfg.Storage, st) {
		return nil
	}
	if st.Term == 0 {
		return fmt.Errorf("state machine at applied index %d is ahead of the log (last index %d) and does not record the term of that entry (a data directory from before the term was recorded): restore it from a leader's snapshot or a backup", applied, last)
	}
	meta, err := appliedSnapshotMeta(cfg, st)
	if err != nil {
		return err
	}
	if err := cfg.Storage.ApplySnapshot(meta); err != nil {
		return fmt.Errorf("record the state machine's applied index %d as the log's snapshot: %w", applied, err)
	}
	cfg.Logger.Warn("log repaired: the state machine was ahead of it (a snapshot install was interrupted)",
		"node", uint64(cfg.ID), "index", meta.Index, "term", meta.Term, "previous_last", last)
	return nil
}

// logDiffers reports whether the log holds, at the state machine's applied
// index, an entry of another term than the one the state machine applied
// (when the state machine knows that term).
func logDiffers(s Storage, st AppliedState) bool {
	if st.Term == 0 {
		return false
	}
	t, err := s.Term(st.Index)
	return err == nil && t != st.Term
}

// appliedSnapshotMeta is the snapshot metadata of the state machine's
// applied state: the configuration it applied last, or the bootstrap one
// when it applied none.
func appliedSnapshotMeta(cfg NodeConfig, st AppliedState) (SnapshotMeta, error) {
	meta := SnapshotMeta{Index: st.Index, Term: st.Term, Config: st.Config.Clone()}
	if st.ConfigIndex == 0 {
		meta.Config = Configuration{Members: cfg.Bootstrap}.Clone()
	}
	if len(meta.Config.Members) == 0 {
		return SnapshotMeta{}, fmt.Errorf("state machine at applied index %d is ahead of the log and its configuration there is unknown (no configuration entry applied, no bootstrap members)", st.Index)
	}
	return meta, nil
}

// checkRestored checks, after Restore, that the state machine holds the
// snapshot meta describes: its applied index and, when it records it, the
// term of that entry. A mismatch means the snapshot data and its
// metadata disagree; installing it would record a log the state does not
// match.
func (n *Node) checkRestored(meta SnapshotMeta) error {
	r, ok := n.cfg.StateMachine.(AppliedStateReporter)
	if !ok {
		return nil
	}
	st, err := r.AppliedState()
	if err != nil {
		return err
	}
	if st.Index != meta.Index || (st.Term != 0 && st.Term != meta.Term) {
		return fmt.Errorf("restored state is at index %d term %d, the snapshot's metadata says index %d term %d",
			st.Index, st.Term, meta.Index, meta.Term)
	}
	return nil
}
