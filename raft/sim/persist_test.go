package sim

import (
	"testing"
)

// TestPersist1: the cluster keeps its log and agreement across crashes of
// every node, of the leader, and of a follower.
func TestPersist1(t *testing.T) {
	forEachSeed(t, 200, 5, labOptions(3), func(h *harness) {
		h.one(h.cmd(), 3, true)

		// Crash and restart all of them.
		for _, id := range h.s.IDs() {
			h.s.Crash(id)
		}
		for _, id := range h.s.IDs() {
			h.s.Restart(id)
		}
		h.one(h.cmd(), 3, true)

		leader1 := h.checkOneLeader()
		h.s.Crash(leader1)
		h.s.Restart(leader1)
		h.one(h.cmd(), 3, true)

		leader2 := h.checkOneLeader()
		h.s.Crash(leader2)
		index := h.one(h.cmd(), 2, true)
		h.s.Restart(leader2)
		h.wait(index, 3, 0) // the restarted node catches up

		i3 := h.nth(h.checkOneLeader(), 1)
		h.s.Crash(i3)
		h.one(h.cmd(), 2, true)
		h.s.Restart(i3)
		h.one(h.cmd(), 3, true)
	})
}

// TestPersist2: five nodes, rounds of crashing and restarting majorities
// and minorities in turn.
func TestPersist2(t *testing.T) {
	forEachSeed(t, 100, 3, labOptions(5), func(h *harness) {
		for range 5 {
			h.one(h.cmd(), 5, true)

			leader1 := h.checkOneLeader()
			h.s.Crash(h.nth(leader1, 1))
			h.s.Crash(h.nth(leader1, 2))
			h.one(h.cmd(), 3, true)

			h.s.Crash(leader1)
			h.s.Crash(h.nth(leader1, 3))
			h.s.Crash(h.nth(leader1, 4))

			h.s.Restart(h.nth(leader1, 1))
			h.s.Restart(h.nth(leader1, 2))
			h.run(electionTimeout)
			h.s.Restart(h.nth(leader1, 3))
			h.one(h.cmd(), 3, true)

			h.s.Restart(leader1)
			h.s.Restart(h.nth(leader1, 4))
		}
		h.one(h.cmd(), 5, true)
	})
}

// TestPersist3: a partitioned leader and one follower crash, then the
// leader restarts.
func TestPersist3(t *testing.T) {
	forEachSeed(t, 200, 5, labOptions(3), func(h *harness) {
		h.one(h.cmd(), 3, true)
		leader := h.checkOneLeader()
		h.s.Disconnect(h.nth(leader, 2))
		h.one(h.cmd(), 2, true)

		h.s.Crash(leader)
		h.s.Crash(h.nth(leader, 1))
		h.s.Connect(h.nth(leader, 2))
		h.s.Restart(leader)
		h.one(h.cmd(), 2, true)

		h.s.Restart(h.nth(leader, 1))
		h.one(h.cmd(), 3, true)
	})
}
