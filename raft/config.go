package raft

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Defaults applied by NewCore to zero-valued Config fields.
const (
	DefaultMaxSizePerMsg            = 1 << 20
	DefaultMaxInflightMsgs          = 256
	DefaultMaxCommittedSizePerReady = 16 << 20
)

// Config holds what a Core is built from. The core keeps no reference to
// anything else: every source of nondeterminism (the clock, randomness,
// stored state) comes in through here or through Tick and Step.
type Config struct {
	// ID is this node's id; it must not be None.
	ID NodeID
	// ElectionTick is the election timeout in ticks. A follower that hears
	// from no leader for a random number of ticks in [ElectionTick,
	// 2*ElectionTick) campaigns (paper §5.2). It must exceed HeartbeatTick.
	ElectionTick int
	// HeartbeatTick is the number of ticks between a leader's heartbeats.
	HeartbeatTick int
	// TickInterval is the nominal length of one tick. With Clock it turns
	// the election timeout into time: ElectionTick*TickInterval is how
	// long a voter refuses votes after hearing from a leader, and what
	// the lease is measured against. Zero means one millisecond.
	TickInterval time.Duration
	// Clock is the monotonic clock that leases and leader contact are
	// measured with (thesis §4.2.3, §6.4.1), so that ticks a stalled
	// driver misses never stretch a lease. Nil counts time in ticks
	// (ticks*TickInterval): only for tests that drive Tick by hand; a
	// driver must inject a real clock.
	Clock Clock
	// Rand is the seeded source of the randomized election timeouts. The
	// core draws from nothing else, so a seed fixes its behavior.
	Rand *rand.Rand
	// Storage is the read side of the node's durable log.
	Storage Storage
	// Applied is the index of the last entry the state machine has applied
	// (StateMachine.AppliedIndex) when the node restarts; 0 for a new node.
	// The core resumes delivering committed entries after it, and takes
	// max(stored commit, Applied) as its commit index.
	Applied uint64
	// Peers is the bootstrap configuration of a brand-new cluster: every
	// founding member passes the same list, on every start. It is used
	// only while Storage holds no configuration (no snapshot and no
	// configuration entry); once the log or a snapshot holds one, that one
	// is used and Peers is ignored. A node that joins an existing cluster
	// passes no Peers: it never campaigns until the leader's log (or
	// snapshot) gives it a configuration that makes it a voter.
	Peers []Member
	// PreVote enables the pre-vote phase (thesis §9.6): a node first asks
	// whether it could win before it disturbs the cluster with a new term.
	PreVote bool
	// CheckQuorum makes a leader step down when it has not heard from a
	// quorum for an election timeout, and makes voters that heard from a
	// leader within the last election timeout ignore vote requests (thesis
	// §4.2.3, §6.2).
	CheckQuorum bool
	// LeaseRead lets a leader answer ReadIndex from its lease, without a
	// heartbeat round (thesis §6.4.1). It requires CheckQuorum. See doc.go
	// for the lease length and the clock-drift margin it assumes.
	LeaseRead bool
	// EagerCommit makes a leader also start a heartbeat round at the next
	// Ready that commits something (one more message per follower). The
	// leader tells followers of a new commit index at the next Ready
	// without it (an empty MsgApp when it has no entries to send), so this
	// only adds the round's read confirmation.
	EagerCommit bool
	// MaxSizePerMsg bounds the payload bytes of the entries of one MsgApp
	// (a message carries at least one entry). 0 means
	// DefaultMaxSizePerMsg.
	MaxSizePerMsg uint64
	// MaxInflightMsgs bounds the MsgApp messages in flight to one follower
	// in the replicate state. 0 means DefaultMaxInflightMsgs.
	MaxInflightMsgs int
	// MaxCommittedSizePerReady bounds the payload bytes of the committed
	// entries of one Ready. 0 means DefaultMaxCommittedSizePerReady.
	MaxCommittedSizePerReady uint64
	// Logger receives the core's debug and info events; nil discards them.
	Logger *slog.Logger
}

func (c *Config) validate() error {
	switch {
	case c.ID == None:
		return fmt.Errorf("raft: config: ID must not be zero")
	case c.HeartbeatTick <= 0:
		return fmt.Errorf("raft: config: HeartbeatTick must be positive, got %d", c.HeartbeatTick)
	case c.ElectionTick <= c.HeartbeatTick:
		return fmt.Errorf("raft: config: ElectionTick (%d) must exceed HeartbeatTick (%d)", c.ElectionTick, c.HeartbeatTick)
	case c.Rand == nil:
		return fmt.Errorf("raft: config: Rand must be set (the core has no randomness of its own)")
	case c.Storage == nil:
		return fmt.Errorf("raft: config: Storage must be set")
	case c.LeaseRead && !c.CheckQuorum:
		return fmt.Errorf("raft: config: LeaseRead requires CheckQuorum")
	case c.TickInterval < 0:
		return fmt.Errorf("raft: config: TickInterval must not be negative")
	case c.MaxInflightMsgs < 0:
		return fmt.Errorf("raft: config: MaxInflightMsgs must not be negative")
	}
	if err := validateMembers(c.Peers); err != nil {
		return fmt.Errorf("raft: config: Peers: %w", err)
	}
	return nil
}

// MaxClockDrift bounds how far the rate of any node's monotonic clock may
// stray from real time (0.1: each runs between 0.9 and 1.1 times as fast)
// for leases to be safe. See LeaseDuration.
const MaxClockDrift = 0.1

// LeaseDuration is how long a leader's lease lasts after the heartbeat
// round that confirmed it was sent, measured on the leader's clock, for an
// election timeout of electionTimeout (thesis §6.4.1). A voter that
// acknowledged the round refuses votes for electionTimeout on its own
// clock from when it received it, which is after the round was sent: at
// least electionTimeout/(1+MaxClockDrift) of real time. The lease lasts at
// most LeaseDuration/(1-MaxClockDrift) of real time, so with
// LeaseDuration = electionTimeout*(1-MaxClockDrift)/(1+MaxClockDrift)
// (about 0.82 of it) no other leader can be elected while it holds.
func LeaseDuration(electionTimeout time.Duration) time.Duration {
	return time.Duration(float64(electionTimeout) * (1 - MaxClockDrift) / (1 + MaxClockDrift))
}
