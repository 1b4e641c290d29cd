package sim

import (
	"fmt"
	"slices"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestBasicAgree: entries commit on every node at consecutive indices
// counted from 1. Index 1 holds the first leader's no-op (paper §5.4.2),
// so proposals land at 2, 3, 4.
func TestBasicAgree(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		h.checkOneLeader()
		for want := uint64(2); want <= 4; want++ {
			if n, _ := h.nCommitted(want); n > 0 {
				h.fatalf("index %d committed before its proposal", want)
			}
			if got := h.one(h.cmd(), 3, false); got != want {
				h.fatalf("proposal landed at index %d, want %d", got, want)
			}
		}
		for _, id := range h.s.IDs() {
			e, ok := h.s.Applied(id, 1)
			if !ok || e.Type != raft.EntryNoop {
				h.fatalf("node %d: index 1 holds %v (applied %v), want the leader's no-op", id, e, ok)
			}
		}
	})
}

// TestFailAgree: agreement continues with a follower disconnected, and
// the follower catches up when it returns.
func TestFailAgree(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		h.one(h.cmd(), 3, false)
		leader := h.checkOneLeader()
		h.s.Disconnect(h.nth(leader, 1))

		h.one(h.cmd(), 2, false)
		h.one(h.cmd(), 2, false)
		h.run(electionTimeout)
		h.one(h.cmd(), 2, false)
		h.one(h.cmd(), 2, false)

		h.s.Connect(h.nth(leader, 1))
		h.one(h.cmd(), 3, true)
		h.run(electionTimeout)
		h.one(h.cmd(), 3, true)
	})
}

// TestFailNoAgree: with three of five nodes disconnected nothing commits;
// once they return, agreement resumes.
func TestFailNoAgree(t *testing.T) {
	forEachSeed(t, 200, 5, labOptions(5), func(h *harness) {
		first := h.one(h.cmd(), 5, false)
		leader := h.checkOneLeader()
		h.s.Disconnect(h.nth(leader, 1))
		h.s.Disconnect(h.nth(leader, 2))
		h.s.Disconnect(h.nth(leader, 3))

		index, _, ok := h.start(leader, h.cmd())
		if !ok {
			h.fatalf("leader %d rejected a proposal", leader)
		}
		if index != first+1 {
			h.fatalf("proposal landed at index %d, want %d", index, first+1)
		}
		h.run(2 * electionTimeout)
		if n, _ := h.nCommitted(index); n > 0 {
			h.fatalf("%d nodes applied index %d without a majority", n, index)
		}

		h.s.Connect(h.nth(leader, 1))
		h.s.Connect(h.nth(leader, 2))
		h.s.Connect(h.nth(leader, 3))

		leader2 := h.checkOneLeader()
		index2, _, ok := h.start(leader2, h.cmd())
		if !ok {
			h.fatalf("leader %d rejected a proposal", leader2)
		}
		// The new leader's no-op comes first; the uncommitted entry at
		// first+1 may survive or be overwritten.
		if index2 < first+2 || index2 > first+3 {
			h.fatalf("proposal landed at index %d, want %d..%d", index2, first+2, first+3)
		}
		h.one(h.cmd(), 5, true)
	})
}

// TestConcurrentStarts: five proposals submitted at once to one leader in
// one term all commit.
func TestConcurrentStarts(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		for try := 0; ; try++ {
			if try == 5 {
				h.fatalf("term changed too often")
			}
			if try > 0 {
				h.run(3 * electionTimeout)
			}
			leader := h.checkOneLeader()
			_, term, ok := h.start(leader, h.cmd())
			if !ok {
				continue
			}
			var cmds [][]byte
			for range 5 {
				c := h.cmd()
				if !h.s.Propose(leader, c) {
					h.fatalf("leader %d rejected a proposal", leader)
				}
				cmds = append(cmds, c)
			}
			var indexes []uint64
			h.runUntil(electionTimeout, func() bool {
				indexes = indexes[:0]
				for _, c := range cmds {
					p, ok := h.s.Placed(c)
					if !ok {
						return false
					}
					indexes = append(indexes, p.Index)
				}
				return true
			})
			if len(indexes) != len(cmds) {
				continue // leadership changed before they were appended
			}
			changed := false
			var got []string
			for _, index := range indexes {
				data := h.wait(index, 3, term)
				if data == nil {
					changed = true
					break
				}
				got = append(got, string(data))
			}
			if changed {
				continue
			}
			var want []string
			for _, c := range cmds {
				want = append(want, string(c))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				h.fatalf("committed %v, want %v", got, want)
			}
			return
		}
	})
}

// TestRejoin: a leader cut off with uncommitted entries rejoins after
// others moved on; its entries are overwritten, never applied.
func TestRejoin(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		h.one(h.cmd(), 3, true)
		leader1 := h.checkOneLeader()
		h.s.Disconnect(leader1)

		var stale [][]byte
		for i := range 3 {
			c := []byte(fmt.Sprintf("stale%d", i))
			h.s.Propose(leader1, c)
			stale = append(stale, c)
		}
		h.one(h.cmd(), 2, true)

		leader2 := h.checkOneLeader()
		h.s.Disconnect(leader2)
		h.s.Connect(leader1)
		h.one(h.cmd(), 2, true)

		h.s.Connect(leader2)
		h.one(h.cmd(), 3, true)

		for _, e := range h.s.AckedProposals() {
			for _, c := range stale {
				if string(e.Data) == string(c) {
					h.fatalf("the cut-off leader's uncommitted %q was applied at %d", c, e.Index)
				}
			}
		}
	})
}

// TestBackup: leaders with 50 divergent uncommitted entries each, swapped
// between partitions; the logs are repaired quickly (fast backtracking).
func TestBackup(t *testing.T) {
	forEachSeed(t, 100, 2, labOptions(5), func(h *harness) {
		h.one(h.cmd(), 5, true)

		// Put the leader and one follower in a partition.
		leader1 := h.checkOneLeader()
		h.s.Disconnect(h.nth(leader1, 2))
		h.s.Disconnect(h.nth(leader1, 3))
		h.s.Disconnect(h.nth(leader1, 4))

		// Lots of proposals that won't commit.
		for range 50 {
			h.s.Propose(leader1, h.cmd())
		}
		h.run(electionTimeout / 2)

		h.s.Disconnect(leader1)
		h.s.Disconnect(h.nth(leader1, 1))

		// Allow the other partition to recover.
		h.s.Connect(h.nth(leader1, 2))
		h.s.Connect(h.nth(leader1, 3))
		h.s.Connect(h.nth(leader1, 4))

		// Lots of successful commands to the new group.
		for range 50 {
			h.one(h.cmd(), 3, true)
		}

		// Now another partitioned leader and one follower.
		leader2 := h.checkOneLeader()
		other := h.nth(leader1, 2)
		if leader2 == other {
			other = h.nth(leader2, 1)
		}
		h.s.Disconnect(other)

		// Lots more proposals that won't commit.
		for range 50 {
			h.s.Propose(leader2, h.cmd())
		}
		h.run(electionTimeout / 2)

		// Bring the original leader back to life.
		for _, id := range h.s.IDs() {
			h.s.Disconnect(id)
		}
		h.s.Connect(leader1)
		h.s.Connect(h.nth(leader1, 1))
		h.s.Connect(other)

		// Lots of successful commands to the new group.
		for range 50 {
			h.one(h.cmd(), 3, true)
		}

		// Now everyone.
		for _, id := range h.s.IDs() {
			h.s.Connect(id)
		}
		h.one(h.cmd(), 5, true)
	})
}
