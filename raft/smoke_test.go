package raft

import "testing"

func TestSmokeElectReplicate(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.tickAll(30)
	lead := nw.leader()
	if lead == None {
		t.Fatal("no leader after 30 ticks")
	}
	nw.propose(lead, "a")
	nw.propose(lead, "b")
	nw.stabilize()
	nw.tickAll(2)
	nw.checkApplied("a", "b")
}
