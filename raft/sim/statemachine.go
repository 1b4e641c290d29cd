package sim

import (
	"encoding/gob"
	"fmt"
	"hash/fnv"
	"io"

	"github.com/resqlite/resqlite/raft"
)

// stateMachine is a node's simulated application state: the sequence of
// entries applied so far. It implements raft.StateMachine, Syncer and
// AppliedStateReporter for the node's driver. It is durable (it survives a
// crash) up to what was synced, and by default all of it, as the SQLite
// state machine keeps a committed transaction across a process crash;
// Options.VolatileStateMachine and StateMachineLosesTail make a crash
// roll it back (crash).
type stateMachine struct {
	n *node
	// applied[i-1] is the entry applied at index i. After a snapshot is
	// restored, the prefix it covers is shared with the snapshot's copy;
	// the slice is only ever appended to after a full-capacity cut, so
	// the sharing is safe.
	applied []raft.Entry
	// hashes[i-1] hashes the state after index i (a running hash).
	hashes []uint64
	// synced is the applied index the last Sync made durable.
	synced uint64
}

var (
	_ raft.StateMachine         = (*stateMachine)(nil)
	_ raft.Syncer               = (*stateMachine)(nil)
	_ raft.AppliedStateReporter = (*stateMachine)(nil)
)

func (sm *stateMachine) appliedIndex() uint64 { return uint64(len(sm.applied)) }

// Apply implements raft.StateMachine: the entries must follow the last
// one applied. Each normal entry's result is a hash of the whole state
// after it, so nodes that diverged return different results (the
// checker compares them).
func (sm *stateMachine) Apply(ents []raft.Entry) ([]any, error) {
	results := make([]any, len(ents))
	for i, e := range ents {
		if e.Index != sm.appliedIndex()+1 {
			return nil, fmt.Errorf("applied index %d after %d: not in order", e.Index, sm.appliedIndex())
		}
		sm.applied = append(sm.applied, e)
		sm.hashes = append(sm.hashes, nextHash(sm.lastHash(), e))
		results[i] = sm.lastHash()
		sm.n.s.chk.onApply(sm.n, e, results[i])
	}
	sm.n.serveReads()
	return results, nil
}

// lastHash is the hash of the state (0 when empty).
func (sm *stateMachine) lastHash() uint64 {
	if len(sm.hashes) == 0 {
		return 0
	}
	return sm.hashes[len(sm.hashes)-1]
}

// nextHash hashes the state prev with entry e applied.
func nextHash(prev uint64, e raft.Entry) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%x/%d/%d/%d/%q", prev, e.Index, e.Term, e.Type, e.Data)
	return h.Sum64()
}

// truncate keeps the first k entries applied.
func (sm *stateMachine) truncate(k uint64) {
	sm.applied = sm.applied[:k:k]
	sm.hashes = sm.hashes[:k:k]
}

// AppliedIndex implements raft.StateMachine.
func (sm *stateMachine) AppliedIndex() uint64 { return sm.appliedIndex() }

// Snapshot implements raft.StateMachine: the applied entries, gob-encoded.
func (sm *stateMachine) Snapshot(w io.Writer) (uint64, error) {
	data := sm.applied[:len(sm.applied):len(sm.applied)]
	if err := gob.NewEncoder(w).Encode(data); err != nil {
		return 0, fmt.Errorf("sim state machine: snapshot: %w", err)
	}
	return uint64(len(data)), nil
}

// Restore implements raft.StateMachine.
func (sm *stateMachine) Restore(r io.Reader) error {
	var data []raft.Entry
	if err := gob.NewDecoder(r).Decode(&data); err != nil {
		return fmt.Errorf("sim state machine: restore: %w", err)
	}
	for i, e := range data {
		if e.Index != uint64(i+1) {
			return fmt.Errorf("sim state machine: restore: entry %d at position %d", e.Index, i+1)
		}
	}
	sm.applied = data[:len(data):len(data)]
	sm.hashes = make([]uint64, len(data))
	prev := uint64(0)
	for i, e := range data {
		prev = nextHash(prev, e)
		sm.hashes[i] = prev
	}
	sm.n.s.chk.onRestore(sm.n, uint64(len(data)))
	sm.n.serveReads()
	return nil
}

// Sync implements raft.Syncer.
func (sm *stateMachine) Sync() error {
	sm.synced = sm.appliedIndex()
	return nil
}

// AppliedState implements raft.AppliedStateReporter.
func (sm *stateMachine) AppliedState() (raft.AppliedState, error) {
	st := raft.AppliedState{Index: sm.appliedIndex()}
	if st.Index == 0 {
		return st, nil
	}
	st.Term = sm.applied[st.Index-1].Term
	for i := len(sm.applied) - 1; i >= 0; i-- {
		if e := sm.applied[i]; e.Type == raft.EntryConfig {
			cfg, err := raft.DecodeConfiguration(e.Data)
			if err != nil {
				return raft.AppliedState{}, fmt.Errorf("sim state machine: configuration entry %d: %w", e.Index, err)
			}
			st.ConfigIndex, st.Config = e.Index, cfg
			break
		}
	}
	return st, nil
}

// crash rolls the state back as the options say a crash does.
func (sm *stateMachine) crash() {
	o := sm.n.s.opts
	switch {
	case o.VolatileStateMachine:
		sm.truncate(min(sm.synced, sm.appliedIndex()))
	case o.StateMachineLosesTail:
		applied := sm.appliedIndex()
		keep := max(applied-min(applied, uint64(sm.n.s.rng.IntN(4))), sm.synced)
		sm.truncate(keep)
	}
}

// entryAt returns the entry applied at index i, if any.
func (sm *stateMachine) entryAt(i uint64) (raft.Entry, bool) {
	if i == 0 || i > sm.appliedIndex() {
		return raft.Entry{}, false
	}
	return sm.applied[i-1], true
}
