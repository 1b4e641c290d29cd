package sim

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// TestLeaderTransfer: leadership moves to the chosen follower at once
// (thesis §3.10), with no committed entry lost, while clients write.
func TestLeaderTransfer(t *testing.T) {
	forEachSeed(t, 200, 3, labOptions(5), func(h *harness) {
		stop := false
		h.startClients(&stop)
		for range 5 {
			leader := h.checkOneLeader()
			h.one(h.cmd(), 5, true)
			target := h.nth(leader, 1+h.s.Rand().IntN(4))
			st, _ := h.s.Status(leader)
			h.s.Transfer(leader, target)
			ok := h.runUntil(electionTimeout/2, func() bool {
				ts, up := h.s.Status(target)
				return up && ts.Role == raft.RoleLeader && ts.Term > st.Term
			})
			if !ok {
				h.fatalf("transfer from %d to %d did not complete within %v", leader, target, electionTimeout/2)
			}
		}
		stop = true
		h.checkLiveness()
	})
}

// TestLeaderTransferAborts: a transfer to a cut-off follower aborts after
// an election timeout; the leader then leads on and accepts proposals.
func TestLeaderTransferAborts(t *testing.T) {
	forEachSeed(t, 200, 3, labOptions(3), func(h *harness) {
		leader := h.checkOneLeader()
		h.one(h.cmd(), 3, true)
		target := h.nth(leader, 1)
		h.s.Disconnect(target)
		h.s.Propose(leader, h.cmd()) // the target lags: the transfer must wait
		h.s.Transfer(leader, target)
		h.run(10 * time.Millisecond)
		if st := h.s.CoreStatus(leader); st == nil || st.LeadTransferee != target {
			h.fatalf("leader %d is not transferring to %d", leader, target)
		}
		if _, _, ok := h.start(leader, h.cmd()); ok {
			h.fatalf("leader %d accepted a proposal during a transfer", leader)
		}
		h.run(2 * electionTimeout)
		st, _ := h.s.Status(leader)
		if st.Role != raft.RoleLeader {
			h.fatalf("node %d lost leadership after an aborted transfer", leader)
		}
		if cs := h.s.CoreStatus(leader); cs.LeadTransferee != raft.None {
			h.fatalf("transfer to %d still pending after %v", cs.LeadTransferee, 2*electionTimeout)
		}
		h.one(h.cmd(), 2, false)
		h.s.Connect(target)
		h.one(h.cmd(), 3, true)
	})
}
