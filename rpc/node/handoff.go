package node

import (
	"context"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// handoffTimeout bounds how long Stop waits for another voter to take
// over leadership before it shuts the node down anyway.
const handoffTimeout = 2 * time.Second

// handOffLeadership, on a leader with other voters, transfers leadership
// to the most up-to-date voter that was heard from recently (thesis §3.10)
// and waits, up to handoffTimeout, until a leader other than this node is
// known. A routine restart of the leader then costs the cluster no
// election timeout without a leader. It reports whether another node took
// over.
func (n *Node) handOffLeadership() bool {
	r := n.raft
	if r == nil || !r.IsLeader() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), handoffTimeout)
	defer cancel()
	st, err := r.Status(ctx)
	if err != nil {
		return false
	}
	to := successor(st, n.cfg.ID)
	if to == raft.None {
		return false
	}
	n.log.Info("stopping: handing leadership over", "to", uint64(to))
	if err := r.TransferLeadership(ctx, to); err != nil {
		n.log.Warn("leadership handoff not started", "to", uint64(to), "err", err)
		return false
	}
	for ctx.Err() == nil {
		if lead := r.Leader(); lead != raft.None && lead != n.cfg.ID {
			n.log.Info("leadership handed over", "to", uint64(lead))
			return true
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
	}
	n.log.Warn("leadership handoff did not finish; stopping anyway", "to", uint64(to), "waited", handoffTimeout)
	return false
}

// successor picks, from a leader's status, the voter other than self with
// the highest match index among those recently active; None if there is
// none.
func successor(st raft.Status, self raft.NodeID) raft.NodeID {
	best, bestMatch := raft.None, uint64(0)
	for _, id := range st.Config.Voters() {
		pr, ok := st.Progress[id]
		if id == self || !ok || !pr.RecentActive {
			continue
		}
		if best == raft.None || pr.Match > bestMatch {
			best, bestMatch = id, pr.Match
		}
	}
	return best
}
