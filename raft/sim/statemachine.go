package sim

import (
	"fmt"

	"github.com/resqlite/resqlite/raft"
)

// stateMachine is a node's simulated application state: the sequence of
// entries applied so far. It is durable (it survives a crash), as the
// SQLite state machine records its applied index with the data.
type stateMachine struct {
	// applied[i-1] is the entry applied at index i. After a snapshot is
	// restored, the prefix it covers is shared with the snapshot's copy;
	// the slice is only ever appended to after a full-capacity cut, so
	// the sharing is safe.
	applied []raft.Entry
}

func (sm *stateMachine) appliedIndex() uint64 { return uint64(len(sm.applied)) }

// apply applies one committed entry, which must come right after the
// last one applied.
func (sm *stateMachine) apply(e raft.Entry) error {
	if e.Index != sm.appliedIndex()+1 {
		return fmt.Errorf("applied index %d after %d: not in order", e.Index, sm.appliedIndex())
	}
	sm.applied = append(sm.applied, e)
	return nil
}

// entryAt returns the entry applied at index i, if any.
func (sm *stateMachine) entryAt(i uint64) (raft.Entry, bool) {
	if i == 0 || i > sm.appliedIndex() {
		return raft.Entry{}, false
	}
	return sm.applied[i-1], true
}

// snapshot returns an immutable copy of the state up to index.
func (sm *stateMachine) snapshot(index uint64) []raft.Entry {
	if index > sm.appliedIndex() {
		index = sm.appliedIndex()
	}
	return sm.applied[:index:index]
}

// restore replaces the state with a snapshot's.
func (sm *stateMachine) restore(data []raft.Entry) {
	sm.applied = data[:len(data):len(data)]
}
