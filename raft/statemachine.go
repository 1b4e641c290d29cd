package raft

import "io"

// StateMachine is what committed entries are applied to. A Node calls
// Apply, AppliedIndex and Sync from its apply goroutine, in log order, and
// Restore from its Raft goroutine only while the apply goroutine is idle;
// Snapshot (an outgoing snapshot) runs on a goroutine of its own,
// concurrently with Apply, and must write a consistent copy.
type StateMachine interface {
	// Apply applies committed entries in order and returns one result per
	// entry (nil for entries that carry no result, such as EntryNoop). An
	// error means the node's environment failed (disk full, I/O): the
	// entries were not applied and the node stops; errors caused by an
	// entry's content are that entry's result instead.
	Apply(entries []Entry) ([]any, error)
	// AppliedIndex returns the index of the last applied entry, as
	// durably recorded by the state machine.
	AppliedIndex() uint64
	// Snapshot writes a consistent copy of the state to w and returns the
	// applied index it reflects.
	Snapshot(w io.Writer) (index uint64, err error)
	// Restore replaces the whole state with the snapshot read from r.
	Restore(r io.Reader) error
}

// Syncer is implemented by a state machine whose applied state can trail
// what a power loss leaves on disk (SQLite at synchronous=NORMAL keeps a
// committed transaction across a process crash, not across a power loss,
// until its next checkpoint). Before the node records a snapshot at the
// applied index and compacts the log behind it, it calls Sync, so no log
// entry is discarded while the state built from it could still be lost.
type Syncer interface {
	// Sync makes everything applied so far durable.
	Sync() error
}
