package raft

import "errors"

// ErrCompacted is returned by Storage when a requested index precedes the
// first index still held in the log (it was folded into a snapshot).
var ErrCompacted = errors.New("raft: requested index is compacted")

// ErrUnavailable is returned by Storage when a requested index is past the
// last index of the log.
var ErrUnavailable = errors.New("raft: requested entry is unavailable")

// ErrSnapshotOutOfDate is returned when a snapshot older than the current
// one is applied.
var ErrSnapshotOutOfDate = errors.New("raft: snapshot is older than the current one")

// Storage is the read side of a node's durable log, through which the core
// reads what it has stably stored. Everything Storage returns is durable.
// The core never writes through it: the driver persists what Ready hands
// it and then calls Advance.
type Storage interface {
	// InitialState returns the persisted HardState and the latest
	// configuration the log or snapshot holds.
	InitialState() (HardState, Configuration, error)
	// Entries returns the entries in [lo, hi), stopping early (but always
	// returning at least one entry when any is in range) once their total
	// payload size exceeds maxBytes.
	Entries(lo, hi, maxBytes uint64) ([]Entry, error)
	// Term returns the term of the entry at index i, which must be in
	// [FirstIndex()-1, LastIndex()] (the entry just before the first is
	// the snapshot's last included entry).
	Term(i uint64) (uint64, error)
	// FirstIndex returns the index of the first entry still in the log.
	FirstIndex() (uint64, error)
	// LastIndex returns the index of the last entry in the log.
	LastIndex() (uint64, error)
	// Snapshot returns the metadata of the most recent snapshot.
	Snapshot() (SnapshotMeta, error)
}

// LogStore is a Storage that the node driver also writes to. Every method
// that writes is durable when it returns (its data is fsynced).
type LogStore interface {
	Storage
	// Save durably records hs (unless empty) and appends ents; if
	// ents[0].Index is at or below the last index, the conflicting suffix
	// is truncated first. Group commit: one fsync per call.
	Save(hs HardState, ents []Entry) error
	// ApplySnapshot installs a snapshot received from the leader: it
	// discards the whole log and records meta as the current snapshot (the
	// log then starts after meta.Index).
	ApplySnapshot(meta SnapshotMeta) error
	// CreateSnapshot records meta as the current snapshot after the local
	// state machine wrote one at meta.Index; the log is kept, so that
	// Compact can then leave a tail of entries for slow followers. It
	// returns ErrSnapshotOutOfDate if meta is not newer than the current
	// snapshot.
	CreateSnapshot(meta SnapshotMeta) error
	// Compact discards entries before index, which must be covered by the
	// current snapshot.
	Compact(index uint64) error
	// Close releases the store.
	Close() error
}

// CommitSaver is a LogStore that can record a HardState differing from
// the stored one only in its commit index without an fsync of its own
// (Ready.MustSync false). The commit index is volatile state (paper
// Fig. 2: "Volatile state on all servers: commitIndex"); a node that
// loses it in a crash restarts from its applied index and learns the rest
// from the leader, as etcd-io/raft's MustSync reasoning has it. The record
// must become durable no later than the store's next fsync, and losing it
// must never damage what was durable before.
type CommitSaver interface {
	SaveCommit(hs HardState) error
}

// AsyncLogStore is a LogStore whose appends can be made durable apart
// from writing them, so that a leader's node goroutine goes on stepping
// messages and proposals, and sending entries to followers, while its own
// fsync runs (thesis §10.2.1). The node counts the leader's own log toward
// commit only up to what a completed Sync covered (Core.Durable).
type AsyncLogStore interface {
	LogStore
	// Append records hs and appends ents as Save does, without an fsync:
	// readable at once, durable after the next Sync.
	Append(hs HardState, ents []Entry) error
	// Sync makes every write made before the call durable. It may run on
	// another goroutine than the writes, and concurrently with them.
	Sync() error
}
