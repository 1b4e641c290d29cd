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
// until the WAL is fsynced). Before the node records a snapshot at the
// applied index and compacts the log behind it, it calls Sync, so no log
// entry is discarded while the state built from it could still be lost;
// it also calls it after Restore, before the log is replaced.
type Syncer interface {
	// Sync makes everything applied so far durable.
	Sync() error
}

// AppliedState is what a state machine durably records about the last
// entry it applied.
type AppliedState struct {
	// Index is the applied index (StateMachine.AppliedIndex).
	Index uint64
	// Term is the term of the entry at Index, recorded with it; 0 means
	// the state machine does not know it.
	Term uint64
	// ConfigIndex is the index of the last configuration entry applied,
	// and Config that configuration; 0 when none was applied (the
	// bootstrap configuration is then in force at Index).
	ConfigIndex uint64
	Config      Configuration
}

// AppliedStateReporter is implemented by a state machine that records the
// term and the configuration of its applied index. The node uses it at
// start-up to repair a log that a crash left behind the state machine
// while a snapshot was installed (the state machine is restored first):
// the applied state is then recorded as the log's snapshot (see
// node_reconcile.go). It also checks, after Restore, that the state
// machine holds what the snapshot's metadata describes.
type AppliedStateReporter interface {
	AppliedState() (AppliedState, error)
}
