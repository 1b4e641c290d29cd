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

// TestLivenessAfterEachHeal: bursts of random faults, each followed by a
// heal (every node up, partitions gone, links reliable) under steady
// writes and reads. After each heal the checker requires a leader within
// 10 election timeouts and the first proposal placed after it committed
// within 20 (checker.checkLiveness), not only at the end of the run.
func TestLivenessAfterEachHeal(t *testing.T) {
	for _, seed := range seedsFor(t, 40, 3) {
		h := newHarness(t, seed, randomOptions(seed))
		stop := false
		h.startClients(&stop)
		h.startReaders(&stop)
		for range 4 {
			end := h.s.Now() + 2*time.Second
			for h.s.Now() < end {
				h.randomFault()
				h.run(50*time.Millisecond + h.randDur(300*time.Millisecond))
			}
			h.s.Heal()
			h.run(12 * time.Second)
		}
		stop = true
		h.mustOK()
	}
}
