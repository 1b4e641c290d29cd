package sim

import (
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestCount counts RPCs as the labs do (a request and its reply are one):
// an election takes at most 30, eleven proposals at consecutive indices
// commit within proposalBudget, and an idle second costs at most 60, with
// each follower hearing at most ten heartbeats.
func TestCount(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		h.checkOneLeader()
		if total := h.s.Stats().RPCs; total > 30 || total < 1 {
			h.fatalf("election used %d RPCs, want 1..30", total)
		}

		var total1, total2 int
		success := false
		for try := 0; try < 5 && !success; try++ {
			if try > 0 {
				h.run(3 * electionTimeout)
			}
			leader := h.checkOneLeader()
			total1 = h.s.Stats().RPCs

			const iters = 10
			starti, term, ok := h.start(leader, h.cmd())
			if !ok {
				continue
			}
			var cmds [][]byte
			failed := false
			for i := uint64(1); i <= iters; i++ {
				c := h.cmd()
				cmds = append(cmds, c)
				index1, term1, ok := h.start(leader, c)
				if !ok || term1 != term {
					failed = true
					break
				}
				if index1 != starti+i {
					h.fatalf("proposal %d landed at %d, want %d", i, index1, starti+i)
				}
			}
			if failed {
				continue
			}
			for i := uint64(1); i <= iters; i++ {
				got := h.wait(starti+i, 3, term)
				if got == nil {
					failed = true
					break
				}
				if string(got) != string(cmds[i-1]) {
					h.fatalf("index %d holds %q, want %q", starti+i, got, cmds[i-1])
				}
			}
			if failed {
				continue
			}
			for _, id := range h.s.IDs() {
				if st, _ := h.s.Status(id); st.Term != term {
					failed = true
				}
			}
			if failed {
				continue
			}
			total2 = h.s.Stats().RPCs
			if budget := proposalBudget(iters + 1); total2-total1 > budget {
				h.fatalf("%d RPCs for %d proposals, want at most %d", total2-total1, iters+1, budget)
			}
			success = true
		}
		if !success {
			h.fatalf("term changed too often")
		}

		beats := h.s.Stats().ByType[raft.MsgHeartbeat]
		h.run(electionTimeout)
		st := h.s.Stats()
		if idle := st.RPCs - total2; idle > 3*20 {
			h.fatalf("%d RPCs in an idle second, want at most 60", idle)
		}
		// Two followers, at most ten heartbeats a second each.
		if hb := st.ByType[raft.MsgHeartbeat] - beats; hb > 2*10 {
			h.fatalf("%d heartbeats in an idle second to 2 followers, want at most 20", hb)
		}
	})
}

// proposalBudget bounds the RPCs that n proposals made one after another
// at a 3-node leader may take: per proposal and follower one MsgApp and
// one commit notice (the leader tells followers of each commit advance at
// once, as etcd-io/raft's does; the lab's (n+3)*3 predates that), plus
// three rounds of slack for heartbeats, as the lab allows.
func proposalBudget(n int) int { return 2*2*n + 3*3 }
