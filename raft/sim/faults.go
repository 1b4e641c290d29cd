package sim

import (
	"fmt"
	"slices"

	"github.com/resqlite/resqlite/raft"
)

// Crash stops node id at once. Whatever its driver had not yet persisted
// (the Ready whose fsync is in flight, queued input) is lost; messages it
// already sent stay in flight.
func (s *Sim) Crash(id raft.NodeID) {
	n := s.node(id)
	if !n.up {
		return
	}
	s.tracef("crash %d", id)
	n.crash()
}

// Restart starts a crashed node again from its durable state.
func (s *Sim) Restart(id raft.NodeID) {
	n := s.node(id)
	if n.up || n.decommissioned {
		return
	}
	s.tracef("restart %d", id)
	if err := n.start(); err != nil {
		s.fail(err)
	}
}

// Decommission stops node id for good (it was removed from the cluster);
// Restart and Heal leave it down.
func (s *Sim) Decommission(id raft.NodeID) {
	s.Crash(id)
	s.tracef("decommission %d", id)
	s.node(id).decommissioned = true
}

// Decommissioned reports whether node id was decommissioned.
func (s *Sim) Decommissioned(id raft.NodeID) bool { return s.node(id).decommissioned }

// ProposeConfChange proposes a membership change at node id if it is up
// and believes it leads, and reports whether it did. The core may still
// refuse it (a change pending, no entry of its term committed yet).
func (s *Sim) ProposeConfChange(id raft.NodeID, cc raft.ConfChange) bool {
	n := s.node(id)
	if !n.up || n.core.Role() != raft.RoleLeader {
		return false
	}
	s.tracef("conf change %d %v %d", id, cc.Type, cc.Member.ID)
	n.input(func() error { _, _ = n.st.ProposeConfChange(cc); return nil })
	return true
}

// CommittedConfig returns the latest configuration applied by any node
// (the bootstrap one until a change commits).
func (s *Sim) CommittedConfig() raft.Configuration { return s.chk.committedConfig.Clone() }

// Up reports whether node id is running.
func (s *Sim) Up(id raft.NodeID) bool { return s.node(id).up }

// Disconnect cuts node id off from every other node, both ways (messages
// already in flight to or from it are lost too).
func (s *Sim) Disconnect(id raft.NodeID) {
	s.tracef("disconnect %d", id)
	s.net.connected[id-1] = false
}

// Connect undoes Disconnect.
func (s *Sim) Connect(id raft.NodeID) {
	s.tracef("connect %d", id)
	s.net.connected[id-1] = true
}

// Connected reports whether node id is connected (see Disconnect).
func (s *Sim) Connected(id raft.NodeID) bool { return s.net.connected[id-1] }

// Partition splits the cluster: nodes in different groups cannot reach
// each other; a node in no group is isolated. It replaces any earlier
// partition or cut link (Disconnect is separate).
func (s *Sim) Partition(groups ...[]raft.NodeID) {
	s.tracef("partition %v", groups)
	group := make([]int, len(s.nodes))
	for i := range group {
		group[i] = -1 - i // alone
	}
	for g, ids := range groups {
		for _, id := range ids {
			group[id-1] = g
		}
	}
	for i := range s.nodes {
		for j := range s.nodes {
			s.net.cut[i][j] = i != j && group[i] != group[j]
		}
	}
}

// CutLink stops messages from one node to another, in that direction only
// (an asymmetric partition).
func (s *Sim) CutLink(from, to raft.NodeID) {
	s.tracef("cut %d->%d", from, to)
	s.net.cut[from-1][to-1] = true
}

// RestoreLink undoes CutLink.
func (s *Sim) RestoreLink(from, to raft.NodeID) {
	s.tracef("restore %d->%d", from, to)
	s.net.cut[from-1][to-1] = false
}

// HealPartitions restores every cut link and reconnects every node.
func (s *Sim) HealPartitions() {
	s.tracef("heal partitions")
	for i := range s.nodes {
		s.net.connected[i] = true
		for j := range s.nodes {
			s.net.cut[i][j] = false
		}
	}
}

// SetLinkFaults sets the faults of the link from→to.
func (s *Sim) SetLinkFaults(from, to raft.NodeID, f LinkFaults) {
	s.net.links[from-1][to-1] = f
}

// SetAllLinkFaults sets the faults of every link.
func (s *Sim) SetAllLinkFaults(f LinkFaults) {
	for i := range s.nodes {
		for j := range s.nodes {
			s.net.links[i][j] = f
		}
	}
}

// Heal ends every fault: crashed nodes restart, partitions heal, and every
// link becomes reliable.
func (s *Sim) Heal() {
	s.HealPartitions()
	s.SetAllLinkFaults(Reliable())
	for _, id := range s.IDs() {
		s.Restart(id)
	}
}

// Stats returns the traffic counters.
func (s *Sim) Stats() Stats {
	st := s.net.stats
	st.ByType = make(map[raft.MessageType]int, len(s.net.stats.ByType))
	for k, v := range s.net.stats.ByType {
		st.ByType[k] = v
	}
	return st
}

// Status is a node's view of itself, as its core reports it.
type Status struct {
	Role   raft.Role
	Term   uint64
	Lead   raft.NodeID
	Commit uint64
}

func statusOf(c *raft.Core) Status {
	return Status{Role: c.Role(), Term: c.Term(), Lead: c.Lead(), Commit: c.Committed()}
}

// Status returns node id's view of itself; ok is false if it is down.
func (s *Sim) Status(id raft.NodeID) (st Status, ok bool) {
	n := s.node(id)
	if !n.up {
		return Status{}, false
	}
	return statusOf(n.core), true
}

// CoreStatus returns the full status of node id's core (nil if down).
func (s *Sim) CoreStatus(id raft.NodeID) *raft.Status {
	n := s.node(id)
	if !n.up {
		return nil
	}
	st := n.core.Status()
	return &st
}

// Propose submits data to node id if it is up and believes it leads,
// and reports whether it did. Acceptance is no promise of commit.
func (s *Sim) Propose(id raft.NodeID, data []byte) bool {
	n := s.node(id)
	if !n.up || n.core.Role() != raft.RoleLeader {
		return false
	}
	s.tracef("propose %d %q", id, data)
	n.input(func() error { _, _ = n.st.Propose(data); return nil })
	return true
}

// Read issues a linearizable read (ReadIndex, always confirmed by a
// heartbeat round) at node id, if it is up. The simulator serves it once
// its ReadState arrives and the state machine has applied the read index,
// and checks that the state read is no older than the last write
// acknowledged before the request.
func (s *Sim) Read(id raft.NodeID) bool { return s.read(id, false) }

// ReadLease issues a lease read (ReadIndexLease) at node id, if it is up:
// with Options.LeaseRead a leader holding a lease answers it without a
// heartbeat round. It is served and checked like Read.
func (s *Sim) ReadLease(id raft.NodeID) bool { return s.read(id, true) }

func (s *Sim) read(id raft.NodeID, lease bool) bool {
	n := s.node(id)
	if !n.up {
		return false
	}
	s.reads++
	s.tracef("read %d #%d lease=%v", id, s.reads, lease)
	r := &readRequest{at: s.clk.now, minIndex: uint64(len(s.chk.applied))}
	n.reads = append(n.reads, r)
	n.input(func() error {
		ctx, err := n.st.ReadIndex(lease)
		if err != nil {
			// Refused (no leader known): the reader gives up.
			n.reads = slices.DeleteFunc(n.reads, func(x *readRequest) bool { return x == r })
			return nil
		}
		r.ctx = ctx
		n.issuedReads[string(ctx)] = true
		return nil
	})
	return true
}

// ReadsServed returns how many reads were served.
func (s *Sim) ReadsServed() int { return s.chk.readsServed }

// Transfer asks node id, if it is up, to hand leadership to node to.
func (s *Sim) Transfer(id, to raft.NodeID) {
	n := s.node(id)
	if !n.up {
		return
	}
	s.tracef("transfer %d->%d", id, to)
	n.input(func() error { _ = n.st.TransferLeadership(to); return nil })
}

// Placed returns where a proposal (by its data) was last appended to a
// leader's log, if it was.
func (s *Sim) Placed(data []byte) (Placement, bool) {
	p, ok := s.placed[string(data)]
	return p, ok
}

// Applied returns the entry node id's state machine applied at index, if
// any (crashed nodes keep their durable state).
func (s *Sim) Applied(id raft.NodeID, index uint64) (raft.Entry, bool) {
	return s.node(id).sm.entryAt(index)
}

// AppliedIndex returns node id's applied index.
func (s *Sim) AppliedIndex(id raft.NodeID) uint64 { return s.node(id).sm.appliedIndex() }

// LastIndex returns the last index of node id's log (as its core sees it
// if up, as stored if down).
func (s *Sim) LastIndex(id raft.NodeID) uint64 {
	n := s.node(id)
	if !n.up {
		return n.store.lastIndex()
	}
	return n.lastIndex()
}

// AckedProposals returns every normal entry payload that some node has
// applied, in index order: the proposals a client has been told committed.
func (s *Sim) AckedProposals() []raft.Entry { return s.chk.acked() }

// String describes the cluster state, for failure messages.
func (s *Sim) String() string {
	out := fmt.Sprintf("t=%v", s.clk.now)
	for _, n := range s.nodes {
		if !n.up {
			out += fmt.Sprintf(" | %d down applied=%d last=%d", n.id, n.sm.appliedIndex(), n.store.lastIndex())
			continue
		}
		st := statusOf(n.core)
		conn := ""
		if !s.net.connected[n.id-1] {
			conn = " disconnected"
		}
		cfg := n.core.Configuration()
		out += fmt.Sprintf(" | %d %s t%d lead=%d commit=%d applied=%d last=%d snap=%d voters=%v learners=%v%s", n.id, st.Role, st.Term, st.Lead, st.Commit, n.sm.appliedIndex(), n.lastIndex(), n.store.snap.Index, cfg.Voters(), learnersOf(cfg), conn)
		if st.Role == raft.RoleLeader {
			full := n.core.Status()
			for _, id := range full.Config.IDs() {
				if pr, ok := full.Progress[id]; ok {
					out += fmt.Sprintf(" [%d: %v match=%d next=%d inflight=%d pendingSnap=%d active=%v]", id, pr.State, pr.Match, pr.Next, pr.Inflight, pr.PendingSnapshot, pr.RecentActive)
				}
			}
		}
	}
	return out
}

func learnersOf(cfg raft.Configuration) []raft.NodeID {
	var out []raft.NodeID
	for _, m := range cfg.Members {
		if m.Learner {
			out = append(out, m.ID)
		}
	}
	return out
}

// healthy reports whether every node that is not decommissioned is up
// and running, connected, and reachable over links that lose and hold
// back nothing.
func (s *Sim) healthy() bool {
	for _, n := range s.nodes {
		if n.decommissioned {
			continue
		}
		if !n.up || n.paused || !s.net.connected[n.id-1] {
			return false
		}
		for _, m := range s.nodes {
			f := s.net.links[n.id-1][m.id-1]
			if n != m && !m.decommissioned && (s.net.cut[n.id-1][m.id-1] || f.DropRate > 0 || f.LongDelayRate > 0) {
				return false
			}
		}
	}
	return true
}

// hasLeader reports whether some node that is up leads.
func (s *Sim) hasLeader() bool {
	for _, n := range s.nodes {
		if n.up && n.core.Role() == raft.RoleLeader {
			return true
		}
	}
	return false
}
