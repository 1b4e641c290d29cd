package raft

// Tests for single-server membership changes (thesis §4.1-§4.2, with the
// 2015 correction), learners (§4.2.1) and leader self-removal (§4.2.2).

import (
	"errors"
	"fmt"
	"testing"
)

// addNode adds a blank node (no Peers, empty storage) to the network, as
// a server joining an existing cluster starts.
func (nw *network) addNode(id NodeID, opt func(*Config)) {
	nw.t.Helper()
	store := NewMemoryStorage()
	cfg := testConfig(id, nil, store)
	if opt != nil {
		opt(&cfg)
	}
	c, err := NewCore(cfg)
	if err != nil {
		nw.t.Fatal(err)
	}
	nw.nodes[id] = &testNode{core: c, store: store}
	nw.ids = append(nw.ids, id)
}

func (nw *network) confChange(lead NodeID, cc ConfChange) {
	nw.t.Helper()
	if _, _, err := nw.nodes[lead].core.ProposeConfChange(cc); err != nil {
		nw.t.Fatalf("ProposeConfChange(%+v): %v", cc, err)
	}
	nw.stabilize()
	nw.tickAll(2)
}

// Thesis §4.1: a server is added with a configuration entry; the new
// configuration takes effect on each server as soon as it is in its log,
// and the entry carries the member's address.
func TestAddVoter(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	nw.addNode(4, nil)
	nw.confChange(1, ConfChange{Type: ConfAddVoter, Member: Member{ID: 4, Addr: "addr4"}})
	for _, id := range nw.ids {
		cfg := nw.nodes[id].core.Configuration()
		if !cfg.IsVoter(4) || len(cfg.Voters()) != 4 {
			t.Fatalf("node %d configuration %+v", id, cfg)
		}
		if m, _ := cfg.Member(4); m.Addr != "addr4" {
			t.Fatalf("node %d: member 4 address %q", id, m.Addr)
		}
	}
	// The quorum is now 3 of 4: with two nodes cut off nothing commits.
	nw.drop = func(m Message) bool { return m.To == 3 || m.To == 4 }
	commit := nw.nodes[1].core.Committed()
	nw.propose(1, "b")
	nw.stabilize()
	if nw.nodes[1].core.Committed() != commit {
		t.Fatal("committed with 2 of 4 voters")
	}
	nw.heal()
	nw.tickAll(2)
	nw.checkApplied("a", "b")
}

// Thesis §4.1 with the 2015 correction: a leader proposes a configuration
// change only after committing an entry of its own term, and only one
// change may be uncommitted at a time.
func TestConfChangeOneAtATimeAfterCommitInTerm(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	_, _, err := c.ProposeConfChange(ConfChange{Type: ConfAddVoter, Member: Member{ID: 4}})
	if !errors.Is(err, ErrConfChangePending) {
		t.Fatalf("change before the first commit of the term: %v", err)
	}
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	if _, _, err := c.ProposeConfChange(ConfChange{Type: ConfAddVoter, Member: Member{ID: 4}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ProposeConfChange(ConfChange{Type: ConfAddVoter, Member: Member{ID: 5}})
	if !errors.Is(err, ErrConfChangePending) {
		t.Fatalf("second change while the first is uncommitted: %v", err)
	}
	persistAll(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 2})
	mustStep(t, c, Message{Type: MsgAppResp, From: 3, Term: 1, Index: 2})
	if c.Committed() != 2 {
		t.Fatalf("commit %d, want 2", c.Committed())
	}
	if _, _, err := c.ProposeConfChange(ConfChange{Type: ConfAddVoter, Member: Member{ID: 5}}); err != nil {
		t.Fatalf("change after the previous one committed: %v", err)
	}
	// Invalid changes are refused and change nothing.
	last := c.LastIndex()
	for _, cc := range []ConfChange{
		{Type: ConfAddVoter, Member: Member{ID: 2}},
		{Type: ConfAddLearner, Member: Member{ID: 2}},
		{Type: ConfRemove, Member: Member{ID: 9}},
		{Type: ConfAddVoter, Member: Member{ID: None}},
		{Type: ConfChangeType(9), Member: Member{ID: 7}},
	} {
		if _, _, err := c.ProposeConfChange(cc); err == nil {
			t.Fatalf("invalid change %+v accepted", cc)
		}
	}
	if c.LastIndex() != last {
		t.Fatal("a refused change was appended")
	}
	f := newTestCore(t, 2, ids(3), nil, nil)
	if _, _, err := f.ProposeConfChange(ConfChange{Type: ConfAddVoter, Member: Member{ID: 4}}); err != ErrProposalDropped {
		t.Fatalf("follower: %v", err)
	}
}

// Thesis §4.2.1: a new server joins as a non-voting learner that receives
// the log but counts for no quorum and never campaigns; it is promoted
// once it has caught up.
func TestLearnerCatchesUpThenPromoted(t *testing.T) {
	nw := newTestNetwork(t, 1, nil)
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	nw.addNode(2, nil)
	// Cut the learner off: commits continue without it.
	nw.isolate(2)
	if _, _, err := nw.nodes[1].core.ProposeConfChange(ConfChange{Type: ConfAddLearner, Member: Member{ID: 2, Addr: "l"}}); err != nil {
		t.Fatal(err)
	}
	nw.stabilize()
	nw.propose(1, "b")
	nw.stabilize()
	if nw.nodes[1].core.Committed() != nw.nodes[1].core.LastIndex() {
		t.Fatal("a learner held up commit")
	}
	_, _, err := nw.nodes[1].core.ProposeConfChange(ConfChange{Type: ConfAddVoter, Member: Member{ID: 2}})
	if !errors.Is(err, ErrLearnerNotCaughtUp) {
		t.Fatalf("promotion of a lagging learner: %v", err)
	}
	nw.heal()
	nw.tickAll(5)
	if nw.nodes[2].core.Role() != RoleFollower || nw.nodes[2].core.Term() != 1 {
		t.Fatalf("learner role %v term %d", nw.nodes[2].core.Role(), nw.nodes[2].core.Term())
	}
	nw.confChange(1, ConfChange{Type: ConfAddVoter, Member: Member{ID: 2}})
	if !nw.nodes[2].core.Configuration().IsVoter(2) {
		t.Fatal("learner not promoted")
	}
	nw.checkApplied("a", "b")
	// A learner never campaigns.
	l := newTestCore(t, 3, nil, storeWith(t, HardState{Term: 1}), nil)
	l.loadConfigs(SnapshotMeta{}, []Member{{ID: 1}, {ID: 3, Learner: true}}, Configuration{})
	for range 100 {
		l.Tick()
	}
	if l.Role() != RoleFollower || len(readMsgs(l)) != 0 {
		t.Fatalf("learner campaigned: %v", l.Role())
	}
}

// Thesis §4.2.2: a leader that removes itself keeps managing the cluster
// until the new configuration is committed, then steps down; the rest
// elect a new leader.
func TestLeaderRemovesItself(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	if _, _, err := nw.nodes[1].core.ProposeConfChange(ConfChange{Type: ConfRemove, Member: Member{ID: 1}}); err != nil {
		t.Fatal(err)
	}
	if nw.nodes[1].core.Role() != RoleLeader {
		t.Fatal("stepped down before the change committed")
	}
	if _, _, err := nw.nodes[1].core.Propose([]byte("x")); err != ErrProposalDropped {
		t.Fatalf("removed leader accepted a proposal: %v", err)
	}
	nw.stabilize()
	if nw.nodes[1].core.Role() == RoleLeader {
		t.Fatal("removed leader did not step down after the change committed")
	}
	nw.tickAll(40)
	lead := nw.leader()
	if lead != 2 && lead != 3 {
		t.Fatalf("leader %d, want 2 or 3", lead)
	}
	nw.propose(lead, "b")
	nw.stabilize()
	nw.tickAll(1)
	for _, id := range []NodeID{2, 3} {
		if got := payloads(nw.nodes[id].applied); fmt.Sprint(got) != "[a b]" {
			t.Fatalf("node %d applied %v", id, got)
		}
	}
}

// Thesis §4.1: "a log entry for a configuration change can be removed (if
// leadership changes); in this case, a server must be prepared to fall
// back to the previous configuration in its log."
func TestConfigRolledBackOnTruncation(t *testing.T) {
	c := newTestCore(t, 2, ids(3), storeWith(t, HardState{Term: 1, Commit: 1}, 1), func(cfg *Config) { cfg.Applied = 1 })
	four := Configuration{Members: []Member{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}}}
	mustStep(t, c, Message{Type: MsgApp, From: 1, Term: 1, Index: 1, LogTerm: 1, Entries: []Entry{{Index: 2, Term: 1, Type: EntryConfig, Data: EncodeConfiguration(four)}}, Commit: 1})
	if !c.Configuration().IsVoter(4) {
		t.Fatal("configuration not in effect once appended")
	}
	rd := c.Ready()
	if rd.Configuration == nil || len(rd.Configuration.Members) != 4 {
		t.Fatalf("Ready.Configuration %+v", rd.Configuration)
	}
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgApp, From: 3, Term: 2, Index: 1, LogTerm: 1, Entries: []Entry{{Index: 2, Term: 2}}, Commit: 1})
	if c.Configuration().IsVoter(4) || len(c.Configuration().Members) != 3 {
		t.Fatalf("configuration %+v after truncation, want the previous one", c.Configuration())
	}
}

// A server joining a cluster whose log was compacted gets its
// configuration from the snapshot (the configuration is part of
// snapshots).
func TestJoinThroughSnapshot(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	for i := range 5 {
		nw.propose(1, fmt.Sprint(i))
	}
	nw.stabilize()
	nw.addNode(4, nil)
	nw.isolate(4)
	if _, _, err := nw.nodes[1].core.ProposeConfChange(ConfChange{Type: ConfAddLearner, Member: Member{ID: 4}}); err != nil {
		t.Fatal(err)
	}
	nw.stabilize()
	nw.tickAll(1)
	meta := nw.snapshot(1, 0)
	if _, ok := meta.Config.Member(4); !ok {
		t.Fatalf("snapshot configuration %+v lacks the learner", meta.Config)
	}
	nw.heal()
	nw.tickAll(3)
	if _, ok := nw.nodes[4].core.Configuration().Member(4); !ok {
		t.Fatal("joining node did not learn the configuration from the snapshot")
	}
	nw.checkApplied("0", "1", "2", "3", "4")
}

// Thesis §4.2.2: a removed server receives the configuration entry that
// removes it (the leader keeps replicating to it until that entry
// commits), so it knows it is out and never campaigns.
func TestRemovedServerLearnsRemoval(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.confChange(1, ConfChange{Type: ConfRemove, Member: Member{ID: 3}})
	if _, ok := nw.nodes[3].core.Configuration().Member(3); ok {
		t.Fatalf("removed server's configuration %+v still lists it", nw.nodes[3].core.Configuration())
	}
	if len(nw.nodes[1].core.lingerIDs) != 0 || nw.nodes[1].core.prs[3] != nil {
		t.Fatal("leader still replicates to the removed server after the removal committed")
	}
	term := nw.nodes[3].core.Term()
	for range 100 {
		nw.nodes[3].core.Tick()
	}
	if nw.nodes[3].core.Term() != term {
		t.Fatal("removed server campaigned")
	}
}

// Thesis §4.2.2: "a server that is not part of its own latest
// configuration should still start new elections, as it might still be
// needed until the Cnew entry is committed." Two voters {1, 2}; 1 removes
// itself but the entry reaches only its own log; 1 steps down. 2 cannot
// win (1 has the longer log), so 1 must campaign, win without counting
// itself, commit its removal and step down.
func TestRemovedServerCampaignsUntilRemovalCommits(t *testing.T) {
	nw := newTestNetwork(t, 2, func(cfg *Config) { cfg.CheckQuorum = true })
	nw.elect(1)
	nw.stabilize()
	nw.drop = func(m Message) bool { return m.From == 1 }
	if _, _, err := nw.nodes[1].core.ProposeConfChange(ConfChange{Type: ConfRemove, Member: Member{ID: 1}}); err != nil {
		t.Fatal(err)
	}
	nw.tickAll(25)
	if nw.nodes[1].core.Role() == RoleLeader {
		t.Fatal("leader without a quorum did not step down")
	}
	nw.heal()
	nw.tickAll(100)
	c2 := nw.nodes[2].core
	if c2.Role() != RoleLeader || len(c2.Configuration().Voters()) != 1 {
		t.Fatalf("node 2: role %v configuration %+v; want the leader of {2}", c2.Role(), c2.Configuration())
	}
	if nw.nodes[1].core.Role() == RoleLeader {
		t.Fatal("node 1 leads after its removal committed")
	}
	if nw.nodes[1].core.promotable() {
		t.Fatal("node 1 may still campaign after its removal committed")
	}
}

// Paper Fig. 2: a RequestVote of a stale term is answered false with the
// current term, so the candidate updates itself.
func TestStaleVoteAnsweredWithCurrentTerm(t *testing.T) {
	c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 5}), nil)
	mustStep(t, c, Message{Type: MsgVote, From: 2, Term: 3})
	resp := filterMsgs(readMsgs(c), MsgVoteResp)
	if len(resp) != 1 || !resp[0].Reject || resp[0].Term != 5 {
		t.Fatalf("responses %+v, want a rejection at term 5", resp)
	}
}
