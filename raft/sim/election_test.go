package sim

import (
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// labOptions are the options of the lab-suite scenarios: PreVote and
// CheckQuorum on, reliable FIFO links.
func labOptions(nodes int) Options {
	return Options{Nodes: nodes, PreVote: true, CheckQuorum: true}
}

// TestInitialElection: a leader is elected within 5 s of virtual time,
// and with no failure the term stays put.
func TestInitialElection(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		h.checkOneLeader()
		if h.s.Now() > 5e9 {
			h.fatalf("first leader elected only at %v", h.s.Now())
		}
		h.run(50e6)
		term1 := h.checkTerms()
		if term1 < 1 {
			h.fatalf("term is %d, but a leader was elected", term1)
		}
		h.run(2 * electionTimeout)
		if term2 := h.checkTerms(); term2 != term1 {
			h.fatalf("term changed from %d to %d with no failure", term1, term2)
		}
		h.checkOneLeader()
	})
}

// TestReElection: a new leader is elected when the leader is cut off;
// the old one rejoining does not disturb it; without a quorum no leader
// is elected, and one is once a quorum returns.
func TestReElection(t *testing.T) {
	forEachSeed(t, 300, 5, labOptions(3), func(h *harness) {
		leader1 := h.checkOneLeader()
		h.s.Disconnect(leader1)
		h.checkOneLeader()

		h.s.Connect(leader1)
		leader2 := h.checkOneLeader()

		h.s.Disconnect(leader2)
		h.s.Disconnect(h.nth(leader2, 1))
		h.run(2 * electionTimeout)
		h.checkNoLeader()

		h.s.Connect(h.nth(leader2, 1))
		h.checkOneLeader()

		h.s.Connect(leader2)
		h.checkOneLeader()
	})
}

// TestNoLeaderWithoutQuorum: in a 5-node cluster, a minority keeps no
// leader however long it waits, while the majority elects one.
func TestNoLeaderWithoutQuorum(t *testing.T) {
	forEachSeed(t, 200, 5, labOptions(5), func(h *harness) {
		leader := h.checkOneLeader()
		minority := []raft.NodeID{leader, h.nth(leader, 1)}
		majority := []raft.NodeID{h.nth(leader, 2), h.nth(leader, 3), h.nth(leader, 4)}
		h.s.Partition(minority, majority)
		h.run(5 * electionTimeout)
		for _, id := range minority {
			if st, _ := h.s.Status(id); st.Role == raft.RoleLeader {
				h.fatalf("node %d of the minority %v leads term %d", id, minority, st.Term)
			}
		}
		var leaders int
		for _, id := range majority {
			if st, _ := h.s.Status(id); st.Role == raft.RoleLeader {
				leaders++
			}
		}
		if leaders != 1 {
			h.fatalf("majority %v has %d leaders, want 1", majority, leaders)
		}
		h.s.HealPartitions()
		h.checkOneLeader()
	})
}

// TestManyElections: seven nodes, ten rounds of disconnecting three at
// random; the remaining four always elect a leader.
func TestManyElections(t *testing.T) {
	forEachSeed(t, 100, 3, labOptions(7), func(h *harness) {
		h.checkOneLeader()
		for range 10 {
			i1, i2, i3 := h.randNode(), h.randNode(), h.randNode()
			h.s.Disconnect(i1)
			h.s.Disconnect(i2)
			h.s.Disconnect(i3)
			// Either the current leader is still alive, or the
			// remaining four elect a new one.
			h.checkOneLeader()
			h.s.Connect(i1)
			h.s.Connect(i2)
			h.s.Connect(i3)
		}
		h.checkOneLeader()
	})
}
