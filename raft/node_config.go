package raft

import (
	"fmt"
	"log/slog"
	"time"
)

// Default timings of a Node. With them a leader is elected about a second
// after a cluster starts (the election timeout is randomized in
// [ElectionTicks, 2*ElectionTicks) ticks), and a follower waits at least
// 800ms without hearing from its leader before it campaigns: eight missed
// heartbeats, which a busy 2-core machine running -race does not cause.
const (
	DefaultTickInterval   = 50 * time.Millisecond
	DefaultHeartbeatTicks = 2
	DefaultElectionTicks  = 16
)

// Default log compaction thresholds of a Node.
const (
	DefaultSnapshotEntries  = 10000
	DefaultCompactionMargin = 1000
)

// Default bounds of a Node's apply backlog.
const (
	DefaultMaxApplyBacklogEntries = 4096
	DefaultMaxApplyBacklogBytes   = 64 << 20
)

// NodeConfig is what a Node is started with. Zero values take the defaults
// named on each field.
type NodeConfig struct {
	// ID is this node's id. Required.
	ID NodeID
	// Bootstrap is the member list of a brand-new cluster, this node
	// included; every founding member is started with the same list. It
	// is ignored once Storage holds a configuration (the stored one
	// wins; rpc/node.ResolveClusterID reports a disagreeing list).
	// A node joining an existing cluster starts with none.
	Bootstrap []Member
	// Storage is the node's durable log. Required. The node does not
	// close it.
	Storage LogStore
	// StateMachine receives committed entries. Required.
	StateMachine StateMachine
	// Transport carries messages to peers. Required. The node does not
	// close it.
	Transport Transport

	// TickInterval is the length of one tick. Default 50ms.
	TickInterval time.Duration
	// HeartbeatTicks is the number of ticks between heartbeats. Default 2.
	HeartbeatTicks int
	// ElectionTicks is the minimum election timeout in ticks. Default 16.
	ElectionTicks int
	// DisablePreVote and DisableCheckQuorum turn off PreVote (thesis
	// §9.6) and CheckQuorum (thesis §6.2), both on by default.
	DisablePreVote     bool
	DisableCheckQuorum bool
	// LeaseRead lets the leader answer ReadIndexLease from its lease
	// (thesis §6.4.1); ReadIndex always does a heartbeat round. Needs
	// CheckQuorum.
	LeaseRead bool
	// EagerCommit adds a heartbeat round at each Ready that commits
	// something (see Config.EagerCommit).
	EagerCommit bool
	// MaxSizePerMsg and MaxInflightMsgs tune replication; zero takes the
	// core's defaults.
	MaxSizePerMsg   uint64
	MaxInflightMsgs int

	// SnapshotEntries is how many applied entries past the last snapshot
	// make the node snapshot its state machine and compact its log.
	// Default 10000; negative disables automatic compaction.
	SnapshotEntries int
	// CompactionMargin is how many entries before the snapshot index stay
	// in the log, so slightly lagging followers need no snapshot.
	// Default 1000.
	CompactionMargin int
	// SnapshotSpool holds outgoing snapshots while they stream to a
	// follower. Default: in memory (the node assembly passes a
	// snap.TempSpool).
	SnapshotSpool SnapshotSpool

	// MaxApplyBacklogEntries and MaxApplyBacklogBytes bound the committed
	// entries handed to the apply goroutine and not yet applied (and
	// their payload bytes): at either bound the node hands out no more
	// until the backlog shrinks, while messages keep flowing. A Ready
	// hands out no more entries than the room left (at least one); its
	// last entry may overshoot the byte bound. Defaults 4096 and 64 MiB.
	MaxApplyBacklogEntries int
	MaxApplyBacklogBytes   uint64

	// Clock is the monotonic clock leases and leader contact are measured
	// with. Default SystemClock().
	Clock Clock

	// Seed seeds the randomized election timeout and the nonce that marks
	// this run's read requests; 0 picks one from the node id and the
	// clock. A seed set by hand must differ between starts of a node.
	Seed uint64
	// Logger receives node events; nil discards them.
	Logger *slog.Logger
	// Observer receives timings of the node's work for monitoring; nil
	// takes none (Node.Metrics has the running totals either way).
	Observer Observer
}

func (c *NodeConfig) setDefaults() error {
	switch {
	case c.ID == None:
		return fmt.Errorf("raft: node config: ID must not be zero")
	case c.Storage == nil:
		return fmt.Errorf("raft: node config: Storage is required")
	case c.StateMachine == nil:
		return fmt.Errorf("raft: node config: StateMachine is required")
	case c.Transport == nil:
		return fmt.Errorf("raft: node config: Transport is required")
	}
	if c.TickInterval <= 0 {
		c.TickInterval = DefaultTickInterval
	}
	if c.HeartbeatTicks <= 0 {
		c.HeartbeatTicks = DefaultHeartbeatTicks
	}
	if c.ElectionTicks <= 0 {
		c.ElectionTicks = DefaultElectionTicks
	}
	if c.SnapshotEntries == 0 {
		c.SnapshotEntries = DefaultSnapshotEntries
	}
	if c.SnapshotSpool == nil {
		c.SnapshotSpool = memorySpool{}
	}
	if c.MaxApplyBacklogEntries <= 0 {
		c.MaxApplyBacklogEntries = DefaultMaxApplyBacklogEntries
	}
	if c.MaxApplyBacklogBytes == 0 {
		c.MaxApplyBacklogBytes = DefaultMaxApplyBacklogBytes
	}
	if c.CompactionMargin <= 0 {
		c.CompactionMargin = DefaultCompactionMargin
	}
	if c.Clock == nil {
		c.Clock = SystemClock()
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano()) ^ uint64(c.ID)<<32
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
