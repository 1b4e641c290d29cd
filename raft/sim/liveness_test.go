package sim

import (
	"testing"
	"time"
)

// TestCatchUpAfterLostAppends: a follower whose appends were all lost
// (the link from the leader dropped them) catches up once the link heals,
// even if no new proposal arrives: the leader must notice through the
// heartbeat replies that the follower lags and resend.
func TestCatchUpAfterLostAppends(t *testing.T) {
	forEachSeed(t, 100, 3, labOptions(3), func(h *harness) {
		leader := h.checkOneLeader()
		h.one(h.cmd(), 3, true)
		victim := h.nth(leader, 1)
		// Appends to the victim are lost; its replies and everything else
		// still flow, and the leader's heartbeats reach it again after.
		h.s.CutLink(leader, victim)
		for range 5 {
			h.s.Propose(leader, h.cmd())
		}
		h.run(20 * time.Millisecond)
		h.s.RestoreLink(leader, victim)
		want, _ := h.s.Status(leader)
		if !h.runUntil(5*time.Second, func() bool { return h.s.AppliedIndex(victim) >= want.Commit }) {
			h.fatalf("follower %d stuck at applied %d; the leader committed %d and no new proposal came", victim, h.s.AppliedIndex(victim), want.Commit)
		}
	})
}
