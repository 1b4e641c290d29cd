package raft

import "fmt"

// SnapshotMeta returns the metadata of a snapshot of the state machine at
// applied index: its index, the term of that entry and the configuration
// in force there. The driver calls it after StateMachine.Snapshot reported
// index, records the result with LogStore.CreateSnapshot, and may then
// LogStore.Compact the log (see the package documentation).
func (c *Core) SnapshotMeta(index uint64) (SnapshotMeta, error) {
	if index == 0 || index > c.log.applied {
		return SnapshotMeta{}, fmt.Errorf("raft: snapshot at %d: not applied yet (applied %d)", index, c.log.applied)
	}
	term, err := c.log.term(index)
	if err != nil {
		return SnapshotMeta{}, fmt.Errorf("raft: snapshot at %d: %w", index, err)
	}
	return SnapshotMeta{Index: index, Term: term, Config: c.configAtIndex(index).Clone()}, nil
}

// ReportSnapshot tells the leader how sending a snapshot to a follower
// ended. On failure the leader probes the follower again at the next
// heartbeat (and sends a new snapshot if still needed); on success it
// waits for the follower's acknowledgment. The driver should report every
// MsgSnap it was handed; an unreported snapshot is given up after one to
// two election timeouts and the follower probed again.
func (c *Core) ReportSnapshot(to NodeID, failed bool) {
	pr := c.prs[to]
	if c.role != RoleLeader || pr == nil || pr.state != StateSnapshot {
		return
	}
	if failed {
		pr.pendingSnapshot = 0
	}
	pr.becomeProbe()
	pr.probeSent = true
}

// ReportUnreachable tells the leader that a message to a member could not
// be delivered; replication to it falls back to probing.
func (c *Core) ReportUnreachable(id NodeID) {
	if pr := c.prs[id]; c.role == RoleLeader && pr != nil && pr.state == StateReplicate {
		pr.becomeProbe()
	}
}
