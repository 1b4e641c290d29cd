package raft

import "io"

// StateMachine is what committed entries are applied to. The node driver
// calls it from one goroutine, in log order.
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
