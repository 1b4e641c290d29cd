package raft

// Tests for a server removed while it was cut off (thesis §4.2.2, §4.2.3):
// it learns of its removal only from a member's report (ReportRemoved) of
// a newer committed configuration that leaves it out.

import "testing"

// votesFrom counts the vote and pre-vote requests id sent.
func votesFrom(msgs []Message, id NodeID) int {
	n := 0
	for _, m := range msgs {
		if m.From == id && (m.Type == MsgVote || m.Type == MsgPreVote) {
			n++
		}
	}
	return n
}

func prodConfig(cfg *Config) { cfg.PreVote, cfg.CheckQuorum = true, true }

// A server removed while cut off keeps its old configuration and keeps
// campaigning, until a member reports a newer committed configuration
// without it: then it stops, as a follower, and stays stopped.
func TestRemovedWhileCutOffStopsCampaigning(t *testing.T) {
	nw := newTestNetwork(t, 3, prodConfig)
	nw.elect(1)
	nw.isolate(3)
	nw.confChange(1, ConfChange{Type: ConfRemove, Member: Member{ID: 3}})
	c1, c3 := nw.nodes[1].core, nw.nodes[3].core
	removal := c1.CommittedConfigIndex()
	if removal == 0 || c1.Configuration().IsVoter(3) || !c3.Configuration().IsVoter(3) {
		t.Fatalf("removal committed at %d; leader's configuration %+v, node 3's %+v", removal, c1.Configuration(), c3.Configuration())
	}
	nw.sent = nil
	nw.tickAll(30)
	if votesFrom(nw.sent, 3) == 0 {
		t.Fatal("cut-off removed server did not campaign before it learned of its removal")
	}
	c3.ReportRemoved(1, removal)
	if c3.Role() != RoleFollower || c3.promotable() {
		t.Fatalf("after ReportRemoved: role %v, promotable %v; want a follower that cannot campaign", c3.Role(), c3.promotable())
	}
	term := c3.Term()
	nw.heal()
	nw.sent = nil
	nw.tickAll(50)
	if n := votesFrom(nw.sent, 3); n != 0 || c3.Term() != term || c3.Role() != RoleFollower {
		t.Fatalf("removed server sent %d vote requests; term %d -> %d; role %v", n, term, c3.Term(), c3.Role())
	}
	if nw.leader() != 1 || c1.Term() != nw.nodes[2].core.Term() {
		t.Fatalf("survivors disturbed: leader %d, terms %d and %d", nw.leader(), c1.Term(), nw.nodes[2].core.Term())
	}
}

// A refusal from a member whose committed configuration is not newer than
// the node's own latest one proves nothing: a node just added may reach
// a member that has not received its addition yet.
func TestRemovalEvidenceNotNewerIgnored(t *testing.T) {
	nw := newTestNetwork(t, 3, prodConfig)
	nw.elect(1)
	nw.addNode(4, prodConfig)
	nw.confChange(1, ConfChange{Type: ConfAddVoter, Member: Member{ID: 4}})
	c4 := nw.nodes[4].core
	own := c4.latestConfigIndex()
	if own == 0 || !c4.Configuration().IsVoter(4) {
		t.Fatalf("node 4: latest configuration at %d: %+v", own, c4.Configuration())
	}
	c4.ReportRemoved(2, own-1)
	c4.ReportRemoved(2, own)
	if !c4.promotable() {
		t.Fatal("evidence not newer than the node's own configuration stopped it")
	}
	nw.isolate(4)
	nw.sent = nil
	nw.tickAll(30)
	if votesFrom(nw.sent, 4) == 0 {
		t.Fatal("node 4 did not campaign when cut off")
	}
}

// A removed server that was added back receives the log from the leader;
// a configuration newer than the reported removal that includes it lifts
// the mark.
func TestReAddedServerCampaignsAgain(t *testing.T) {
	nw := newTestNetwork(t, 3, prodConfig)
	nw.elect(1)
	nw.isolate(3)
	nw.confChange(1, ConfChange{Type: ConfRemove, Member: Member{ID: 3}})
	c3 := nw.nodes[3].core
	c3.ReportRemoved(1, nw.nodes[1].core.CommittedConfigIndex())
	if c3.promotable() {
		t.Fatal("removed server still promotable")
	}
	nw.heal()
	nw.confChange(1, ConfChange{Type: ConfAddVoter, Member: Member{ID: 3}})
	if !c3.Configuration().IsVoter(3) || !c3.promotable() {
		t.Fatalf("re-added server: configuration %+v, promotable %v", c3.Configuration(), c3.promotable())
	}
	nw.isolate(3)
	nw.sent = nil
	nw.tickAll(30)
	if votesFrom(nw.sent, 3) == 0 {
		t.Fatal("re-added server did not campaign when cut off")
	}
}

// The committed configuration is the latest one whose entry is committed,
// not the one in force.
func TestCommittedConfigIndexSkipsUncommitted(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	c1 := nw.nodes[1].core
	nw.drop = func(m Message) bool { return m.From == 1 }
	idx, _, err := c1.ProposeConfChange(ConfChange{Type: ConfRemove, Member: Member{ID: 3}})
	if err != nil {
		t.Fatal(err)
	}
	nw.stabilize()
	if got := c1.CommittedConfigIndex(); got != 0 {
		t.Fatalf("CommittedConfigIndex %d while the change at %d is uncommitted, want 0", got, idx)
	}
	nw.heal()
	nw.tickAll(2)
	got, cfg := c1.CommittedConfiguration()
	if got != idx || cfg.IsVoter(3) {
		t.Fatalf("CommittedConfiguration (%d, %+v) after the change committed, want (%d, without 3)", got, cfg, idx)
	}
}
