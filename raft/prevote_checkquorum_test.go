package raft

// Tests for PreVote (thesis §9.6) and CheckQuorum (thesis §6.2, §4.2.3).

import "testing"

// Thesis §9.6: "a candidate would first ask other servers whether its log
// was up-to-date enough to get their vote. Only if the candidate believed
// it could get votes from a majority ... would it increment its term and
// start a normal election."
func TestPreVoteDoesNotChangeTerm(t *testing.T) {
	c := newTestCore(t, 1, ids(3), nil, func(cfg *Config) { cfg.PreVote = true })
	for i := 0; i < 2*c.electionTimeout && c.Role() == RoleFollower; i++ {
		c.Tick()
	}
	if c.Role() != RolePreCandidate || c.Term() != 0 || c.vote != None {
		t.Fatalf("role %v term %d vote %d, want PreCandidate 0 none", c.Role(), c.Term(), c.vote)
	}
	pv := filterMsgs(readMsgs(c), MsgPreVote)
	if len(pv) != 2 || pv[0].Term != 1 {
		t.Fatalf("pre-votes %+v, want two for term 1", pv)
	}
	// A majority of granted pre-votes starts the real election.
	mustStep(t, c, Message{Type: MsgPreVoteResp, From: 2, Term: 1})
	if c.Role() != RoleCandidate || c.Term() != 1 {
		t.Fatalf("role %v term %d, want Candidate 1", c.Role(), c.Term())
	}
	if len(filterMsgs(readMsgs(c), MsgVote)) != 2 {
		t.Fatal("no vote requests after winning the pre-vote")
	}
}

// Thesis §9.6: a pre-vote that loses sends the node back to follower
// without a term change; voters do not change their term either.
func TestPreVoteRejected(t *testing.T) {
	c := newTestCore(t, 1, ids(3), nil, func(cfg *Config) { cfg.PreVote = true })
	c.campaign(campaignPreElection)
	mustStep(t, c, Message{Type: MsgPreVoteResp, From: 2, Term: 0, Reject: true})
	mustStep(t, c, Message{Type: MsgPreVoteResp, From: 3, Term: 0, Reject: true})
	if c.Role() != RoleFollower || c.Term() != 0 {
		t.Fatalf("role %v term %d", c.Role(), c.Term())
	}
	voter := newTestCore(t, 2, ids(3), storeWith(t, HardState{Term: 1}, 1, 1), func(cfg *Config) { cfg.PreVote = true })
	mustStep(t, voter, Message{Type: MsgPreVote, From: 1, Term: 2, Index: 1, LogTerm: 1})
	resp := filterMsgs(readMsgs(voter), MsgPreVoteResp)
	if len(resp) != 1 || !resp[0].Reject || voter.Term() != 1 || voter.vote != None {
		t.Fatalf("voter: %+v term %d vote %d; want a rejection and no state change", resp, voter.Term(), voter.vote)
	}
}

// Thesis §9.6: a partitioned node with PreVote does not inflate its term,
// so it does not disrupt the cluster when it rejoins.
func TestPreVotePartitionedNodeDoesNotDisrupt(t *testing.T) {
	nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.PreVote = true })
	nw.elect(1)
	nw.isolate(3)
	nw.tickAll(100)
	if nw.nodes[3].core.Term() != 1 {
		t.Fatalf("isolated node's term grew to %d", nw.nodes[3].core.Term())
	}
	nw.heal()
	nw.tickAll(5)
	if nw.leader() != 1 || nw.nodes[1].core.Term() != 1 {
		t.Fatalf("leader %d term %d after rejoin, want 1 and 1", nw.leader(), nw.nodes[1].core.Term())
	}
}

// Thesis §6.2: "a leader steps down if an election timeout elapses without
// a successful round of heartbeats to a majority of its cluster."
func TestCheckQuorumLeaderStepsDown(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, func(cfg *Config) { cfg.CheckQuorum = true })
	becomeLeaderNow(t, c, store)
	for range c.electionTimeout {
		c.Tick()
	}
	if c.Role() != RoleLeader {
		t.Fatal("stepped down within the first interval (all members start active)")
	}
	for range c.electionTimeout {
		c.Tick()
	}
	if c.Role() != RoleFollower {
		t.Fatalf("role %v after an election timeout without a quorum", c.Role())
	}
	// Hearing from one follower each interval keeps a 3-node leader.
	c2 := newTestCore(t, 1, ids(3), NewMemoryStorage(), func(cfg *Config) { cfg.CheckQuorum = true })
	becomeLeaderNow(t, c2, NewMemoryStorage())
	for range 5 * c2.electionTimeout {
		c2.Tick()
		mustStep(t, c2, Message{Type: MsgHeartbeatResp, From: 2, Term: c2.Term()})
	}
	if c2.Role() != RoleLeader {
		t.Fatal("leader with an active quorum stepped down")
	}
}

// Thesis §4.2.3: "if a server receives a RequestVote request within the
// minimum election timeout of hearing from a current leader, it does not
// update its term or grant its vote." With PreVote (§9.6) the same holds
// for pre-votes.
func TestVotesIgnoredWhileLeaderIsAlive(t *testing.T) {
	for _, mode := range []string{"checkquorum", "prevote"} {
		c := newTestCore(t, 2, ids(3), nil, func(cfg *Config) {
			cfg.CheckQuorum = mode == "checkquorum"
			cfg.PreVote = mode == "prevote"
		})
		mustStep(t, c, Message{Type: MsgHeartbeat, From: 1, Term: 1})
		readMsgs(c)
		typ := MsgVote
		if mode == "prevote" {
			typ = MsgPreVote
		}
		mustStep(t, c, Message{Type: typ, From: 3, Term: 2, Index: 5, LogTerm: 5})
		for _, m := range readMsgs(c) {
			if !m.Reject {
				t.Fatalf("%s: granted %+v while the leader is alive", mode, m)
			}
		}
		if c.Term() != 1 {
			t.Fatalf("%s: term changed to %d", mode, c.Term())
		}
		for range c.electionTimeout {
			c.Tick()
		}
		mustStep(t, c, Message{Type: typ, From: 3, Term: 2, Index: 5, LogTerm: 5})
		if resp := readMsgs(c); len(resp) == 0 || resp[len(resp)-1].Reject {
			t.Fatalf("%s: %+v; want a grant once the leader was silent for an election timeout", mode, resp)
		}
	}
}

// With CheckQuorum, a stale leader learns the newer term from a follower's
// reply to its MsgApp, and steps down (etcd's rule for partitioned
// leaders rejoining).
func TestStaleLeaderLearnsNewTerm(t *testing.T) {
	c := newTestCore(t, 2, ids(3), storeWith(t, HardState{Term: 5}), func(cfg *Config) { cfg.CheckQuorum = true })
	mustStep(t, c, Message{Type: MsgApp, From: 1, Term: 3})
	resp := readMsgs(c)
	if len(resp) != 1 || resp[0].Type != MsgAppResp || resp[0].Term != 5 || resp[0].To != 1 {
		t.Fatalf("replies %+v, want MsgAppResp of term 5", resp)
	}
}

// Thesis §6.2 in a cluster: a leader cut off from the others steps down,
// and the rest elect a new leader.
func TestCheckQuorumIsolatedLeader(t *testing.T) {
	nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.CheckQuorum = true; cfg.PreVote = true })
	nw.elect(1)
	nw.isolate(1)
	nw.tickAll(40)
	if nw.nodes[1].core.Role() == RoleLeader {
		t.Fatal("isolated leader did not step down")
	}
	lead := None
	for _, id := range []NodeID{2, 3} {
		if nw.nodes[id].core.Role() == RoleLeader {
			lead = id
		}
	}
	if lead == None {
		t.Fatal("the majority did not elect a new leader")
	}
	nw.heal()
	nw.tickAll(20)
	if nw.leader() != lead {
		t.Fatalf("leader %d after healing, want %d", nw.leader(), lead)
	}
}
