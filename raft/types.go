package raft

import "fmt"

// NodeID identifies a member of the cluster. Zero means "no node".
type NodeID uint64

// None is the NodeID that names no node (no vote cast, no known leader).
const None NodeID = 0

// EntryType tells what an Entry's Data holds.
type EntryType uint8

const (
	// EntryNormal carries an opaque payload handed to Propose.
	EntryNormal EntryType = iota
	// EntryNoop is appended by a new leader at the start of its term
	// (Raft paper §5.4.2, thesis §6.4); it has no payload.
	EntryNoop
	// EntryConfig carries an encoded Configuration change (thesis §4.1).
	EntryConfig
)

func (t EntryType) String() string {
	switch t {
	case EntryNormal:
		return "Normal"
	case EntryNoop:
		return "Noop"
	case EntryConfig:
		return "Config"
	}
	return fmt.Sprintf("EntryType(%d)", uint8(t))
}

// Entry is one record of the replicated log. Indexes start at 1.
type Entry struct {
	Index uint64
	Term  uint64
	Type  EntryType
	Data  []byte
}

// HardState is the part of a node's state that must survive a crash before
// the node acts on it: the current term, the vote cast in it, and the
// highest index known to be committed.
type HardState struct {
	Term   uint64
	Vote   NodeID
	Commit uint64
}

// IsEmpty reports whether h is the zero HardState.
func (h HardState) IsEmpty() bool { return h == HardState{} }

// Member is one server of a configuration: its id, the network address the
// transport reaches it at, and whether it is a non-voting learner.
type Member struct {
	ID      NodeID
	Addr    string
	Learner bool
}

// Configuration is the cluster membership as of some log index.
type Configuration struct {
	Members []Member
}

// SnapshotMeta describes a snapshot: the last log index and term it covers
// and the configuration in force at that index. The snapshot's data travels
// separately (written by the StateMachine, streamed by the Transport).
type SnapshotMeta struct {
	Index  uint64
	Term   uint64
	Config Configuration
}

// IsEmpty reports whether m describes no snapshot.
func (m SnapshotMeta) IsEmpty() bool { return m.Index == 0 }
