package raft

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// Random single-server membership changes (thesis §4.1) under message
// loss and crash-restarts, checking Election Safety and State Machine
// Safety after every step and that the final configuration makes progress
// once faults stop. (The simulator in raft/sim covers the other faults.)
// RESQLITE_SEEDS=N runs N seeds (1000 pass).
func TestRandomMembershipChanges(t *testing.T) {
	seeds := 30
	if testing.Short() {
		seeds = 10
	}
	if n, err := strconv.Atoi(os.Getenv("RESQLITE_SEEDS")); err == nil && n > 0 {
		seeds = n
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { randomMembership(t, seed) })
	}
}

func randomMembership(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	opt := func(cfg *Config) { cfg.PreVote = true; cfg.CheckQuorum = true }
	nw := newTestNetwork(t, 3, opt)
	nextID := NodeID(4)
	leaders := map[uint64]NodeID{}
	applied := map[uint64]Entry{}
	check := func(step int) {
		for _, id := range nw.ids {
			c := nw.nodes[id].core
			if c.Role() == RoleLeader {
				if other, ok := leaders[c.Term()]; ok && other != id {
					t.Fatalf("step %d: two leaders in term %d: %d and %d", step, c.Term(), other, id)
				}
				leaders[c.Term()] = id
			}
			for _, e := range nw.nodes[id].applied {
				if prev, ok := applied[e.Index]; ok && (prev.Term != e.Term || string(prev.Data) != string(e.Data)) {
					t.Fatalf("step %d: node %d applied %+v at %d, another node %+v", step, id, e, e.Index, prev)
				}
				applied[e.Index] = e
			}
		}
	}
	changes := 0
	for step := range 600 {
		nw.drop = func(Message) bool { return r.IntN(10) == 0 }
		switch k := r.IntN(20); {
		case k < 10:
			for _, id := range nw.ids {
				nw.nodes[id].core.Tick()
			}
		case k < 14:
			if lead := nw.leader(); lead != None {
				nw.nodes[lead].core.Propose([]byte(fmt.Sprint(step)))
			}
		case k < 18:
			lead := nw.leader()
			if lead == None {
				break
			}
			c := nw.nodes[lead].core
			cfg := c.Configuration()
			var cc ConfChange
			switch r.IntN(3) {
			case 0:
				if len(cfg.Members) >= 6 {
					continue
				}
				nw.addNode(nextID, opt)
				cc = ConfChange{Type: ConfAddLearner, Member: Member{ID: nextID, Addr: fmt.Sprint("n", nextID)}}
				nextID++
			case 1:
				var learners []NodeID
				for _, m := range cfg.Members {
					if m.Learner {
						learners = append(learners, m.ID)
					}
				}
				if len(learners) == 0 {
					continue
				}
				cc = ConfChange{Type: ConfAddVoter, Member: Member{ID: learners[r.IntN(len(learners))]}}
			case 2:
				if len(cfg.Voters()) <= 2 {
					continue
				}
				ids := cfg.IDs()
				cc = ConfChange{Type: ConfRemove, Member: Member{ID: ids[r.IntN(len(ids))]}}
			}
			if _, _, err := c.ProposeConfChange(cc); err == nil {
				changes++
			}
		default:
			id := nw.ids[r.IntN(len(nw.ids))]
			nw.restart(id, opt)
		}
		nw.stabilize()
		check(step)
	}
	nw.drop = nil
	nw.tickAll(60)
	lead := nw.leader()
	if lead == None {
		t.Fatalf("no leader after faults stopped (%d changes made)", changes)
	}
	idx := nw.propose(lead, "final")
	nw.stabilize()
	nw.tickAll(3)
	check(-1)
	for _, id := range nw.nodes[lead].core.Configuration().IDs() {
		if nw.nodes[id].core.Applied() < idx {
			t.Fatalf("member %d applied %d, want %d (configuration %+v)", id, nw.nodes[id].core.Applied(), idx, nw.nodes[lead].core.Configuration())
		}
	}
	if changes == 0 {
		t.Fatal("no membership change was accepted")
	}
	t.Logf("%d changes, final configuration %v, commit %d", changes, nw.nodes[lead].core.Configuration().Members, nw.nodes[lead].core.Committed())
}
