package raft

import "time"

// ProgressStatus is the leader's view of one member's replication.
type ProgressStatus struct {
	Match, Next     uint64
	State           ProgressState
	PendingSnapshot uint64
	RecentActive    bool
	Learner         bool
	Inflight        int
}

// Status is a snapshot of a node's state for monitoring and tests.
type Status struct {
	ID             NodeID
	Role           Role
	Term           uint64
	Vote           NodeID
	Lead           NodeID
	Commit         uint64
	Applied        uint64
	LastIndex      uint64
	LeadTransferee NodeID
	LeaseValid     bool
	Config         Configuration
	// Progress is set on the leader only.
	Progress map[NodeID]ProgressStatus
	// LastContact is how long ago a message from each peer arrived, by
	// the clock of the Node that drives the core (NodeConfig.Clock; the
	// core leaves it nil). A peer never heard from since the
	// node started is absent.
	LastContact map[NodeID]time.Duration
	// ApplyBacklog is what a Node handed to its apply goroutine and has
	// not applied yet (the core leaves it zero). Applied is then the
	// index the state machine has applied, Commit the one committed.
	ApplyBacklog ApplyBacklog
}

// ApplyBacklog describes the committed entries a Node handed over for
// applying that are not applied yet.
type ApplyBacklog struct {
	Entries int
	Bytes   uint64
	// Paused is set while the node hands out no more committed entries:
	// the backlog is full (NodeConfig.MaxApplyBacklogEntries, Bytes), or
	// a received snapshot waits for it to drain.
	Paused bool
}

// Status returns the node's current state.
func (c *Core) Status() Status {
	s := Status{
		ID: c.id, Role: c.role, Term: c.term, Vote: c.vote, Lead: c.lead,
		Commit: c.log.committed, Applied: c.log.applied, LastIndex: c.log.lastIndex(),
		LeadTransferee: c.leadTransferee, LeaseValid: c.LeaseValid(), Config: c.cfg.Clone(),
	}
	if c.role == RoleLeader {
		s.Progress = make(map[NodeID]ProgressStatus, len(c.prs))
		for id, pr := range c.prs {
			s.Progress[id] = ProgressStatus{
				Match: pr.match, Next: pr.next, State: pr.state, PendingSnapshot: pr.pendingSnapshot,
				RecentActive: pr.recentActive, Learner: pr.learner, Inflight: pr.inflights.count,
			}
		}
	}
	return s
}

// ID returns the node's id.
func (c *Core) ID() NodeID { return c.id }

// Role returns what the node currently is.
func (c *Core) Role() Role { return c.role }

// Term returns the current term.
func (c *Core) Term() uint64 { return c.term }

// Lead returns the known leader, or None.
func (c *Core) Lead() NodeID { return c.lead }

// Committed returns the commit index.
func (c *Core) Committed() uint64 { return c.log.committed }

// Applied returns the highest index reported applied through Advance.
func (c *Core) Applied() uint64 { return c.log.applied }

// LastIndex returns the index of the last entry of the log, durable or
// not.
func (c *Core) LastIndex() uint64 { return c.log.lastIndex() }

// Configuration returns the configuration in force (the latest in the
// log, committed or not).
func (c *Core) Configuration() Configuration { return c.cfg.Clone() }

// Err returns the storage failure that stopped the core, if any. Once it
// is set every method that can fail returns it and HasReady is false.
func (c *Core) Err() error { return c.log.err }
