package raft

// Paper-rule tests for terms and leader election: Raft paper §5.1, §5.2
// and §5.4.1. Each test drives one Core directly.

import (
	"math/rand/v2"
	"testing"
)

// §5.1: "If one server's current term is smaller than the other's, then
// it updates its current term to the larger value. If a candidate or
// leader discovers that its term is out of date, it immediately reverts
// to follower state."
func TestPaperUpdateTermFromMessage(t *testing.T) {
	for _, role := range []Role{RoleFollower, RoleCandidate, RoleLeader} {
		c := newTestCore(t, 1, ids(3), nil, nil)
		switch role {
		case RoleCandidate:
			c.campaign(campaignElection)
		case RoleLeader:
			becomeLeaderNow(t, c, NewMemoryStorage())
		}
		mustStep(t, c, Message{Type: MsgApp, From: 2, Term: 5})
		if c.Term() != 5 || c.Role() != RoleFollower || c.Lead() != 2 {
			t.Errorf("%v: term %d role %v lead %d, want 5 Follower 2", role, c.Term(), c.Role(), c.Lead())
		}
	}
}

// §5.1: "If a server receives a request with a stale term number, it
// rejects the request."
func TestPaperRejectStaleTermMessage(t *testing.T) {
	store := storeWith(t, HardState{Term: 2}, 1, 2)
	c := newTestCore(t, 1, ids(3), store, nil)
	mustStep(t, c, Message{Type: MsgApp, From: 2, Term: 1, Index: 2, LogTerm: 2, Entries: []Entry{{Index: 3, Term: 1}}})
	if c.LastIndex() != 2 || c.Term() != 2 {
		t.Fatalf("stale MsgApp changed state: last %d term %d", c.LastIndex(), c.Term())
	}
	mustStep(t, c, Message{Type: MsgVote, From: 2, Term: 1, Index: 9, LogTerm: 9})
	for _, m := range readMsgs(c) {
		if m.Type == MsgVoteResp && !m.Reject {
			t.Fatalf("granted a vote for a stale term: %+v", m)
		}
	}
}

// §5.2: "When servers start up, they begin as followers."
func TestPaperStartAsFollower(t *testing.T) {
	c := newTestCore(t, 1, ids(3), nil, nil)
	if c.Role() != RoleFollower {
		t.Fatalf("role %v, want Follower", c.Role())
	}
}

// §5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry
// no log entries) to all followers in order to maintain their authority."
func TestPaperLeaderBroadcastsHeartbeat(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, func(cfg *Config) { cfg.HeartbeatTick = 2 })
	becomeLeaderNow(t, c, store)
	c.Tick()
	if msgs := readMsgs(c); len(msgs) != 0 {
		t.Fatalf("sent %v before the heartbeat interval", msgs)
	}
	c.Tick()
	hb := filterMsgs(readMsgs(c), MsgHeartbeat)
	if len(hb) != 2 || hb[0].To != 2 || hb[1].To != 3 {
		t.Fatalf("heartbeats %+v, want one to each of 2 and 3", hb)
	}
	for _, m := range hb {
		if len(m.Entries) != 0 {
			t.Fatalf("heartbeat carries entries: %+v", m)
		}
	}
}

// §5.2: "If a follower receives no communication over a period of time
// called the election timeout, then it ... begins an election: a follower
// increments its current term and transitions to candidate state. It then
// votes for itself and issues RequestVote RPCs in parallel to each of the
// other servers." The same holds for a candidate whose election times out.
func TestPaperStartElectionOnTimeout(t *testing.T) {
	for _, startAsCandidate := range []bool{false, true} {
		c := newTestCore(t, 1, ids(3), nil, nil)
		if startAsCandidate {
			c.campaign(campaignElection)
			readMsgs(c)
		}
		term := c.Term()
		for range 2 * c.electionTimeout {
			c.Tick()
		}
		if c.Role() != RoleCandidate || c.Term() != term+1 || c.vote != 1 {
			t.Fatalf("candidate=%v: role %v term %d vote %d, want Candidate %d 1", startAsCandidate, c.Role(), c.Term(), c.vote, term+1)
		}
		votes := filterMsgs(readMsgs(c), MsgVote)
		if len(votes) != 2 || votes[0].To != 2 || votes[1].To != 3 || votes[0].Term != term+1 {
			t.Fatalf("vote requests %+v", votes)
		}
	}
}

// §5.2: "A candidate wins an election if it receives votes from a
// majority of the servers in the full cluster for the same term."
// "... if the term in the RPC is at least as large as the candidate's
// current term ... the candidate ... returns to follower state." "...
// neither wins: each candidate will time out and start a new election."
func TestPaperElectionOutcomes(t *testing.T) {
	tests := []struct {
		size  int
		votes map[NodeID]bool
		want  Role
	}{
		{1, nil, RoleLeader},
		{3, map[NodeID]bool{2: true, 3: true}, RoleLeader},
		{3, map[NodeID]bool{2: true}, RoleLeader},
		{5, map[NodeID]bool{2: true, 3: true}, RoleLeader},
		{5, map[NodeID]bool{2: true}, RoleCandidate},
		{5, map[NodeID]bool{2: true, 3: false}, RoleCandidate},
		{3, map[NodeID]bool{2: false, 3: false}, RoleFollower},
		{5, map[NodeID]bool{2: false, 3: false, 4: false}, RoleFollower},
		{4, map[NodeID]bool{2: false, 3: false}, RoleFollower},
	}
	for i, tt := range tests {
		c := newTestCore(t, 1, ids(tt.size), nil, nil)
		c.campaign(campaignElection)
		for _, id := range ids(tt.size) {
			if g, ok := tt.votes[id]; ok {
				mustStep(t, c, Message{Type: MsgVoteResp, From: id, Term: c.Term(), Reject: !g})
			}
		}
		if c.Role() != tt.want {
			t.Errorf("#%d: role %v, want %v", i, c.Role(), tt.want)
		}
		if c.Term() != 1 {
			t.Errorf("#%d: term %d, want 1", i, c.Term())
		}
	}
}

// §5.2: "While waiting for votes, a candidate may receive an
// AppendEntries RPC from another server claiming to be leader. If the
// leader's term ... is at least as large as the candidate's current term,
// then the candidate recognizes the leader as legitimate and returns to
// follower state."
func TestPaperCandidateFallback(t *testing.T) {
	for _, term := range []uint64{1, 2} {
		c := newTestCore(t, 1, ids(3), nil, nil)
		c.campaign(campaignElection)
		mustStep(t, c, Message{Type: MsgApp, From: 2, Term: term})
		if c.Role() != RoleFollower || c.Term() != term || c.Lead() != 2 {
			t.Errorf("term %d: role %v term %d lead %d", term, c.Role(), c.Term(), c.Lead())
		}
	}
}

// §5.2: "Each server will vote for at most one candidate in a given term,
// on a first-come-first-served basis."
func TestPaperVoteOncePerTerm(t *testing.T) {
	tests := []struct {
		vote, from NodeID
		reject     bool
	}{
		{None, 2, false},
		{None, 3, false},
		{2, 2, false},
		{3, 3, false},
		{2, 3, true},
		{3, 2, true},
	}
	for i, tt := range tests {
		store := storeWith(t, HardState{Term: 1, Vote: tt.vote})
		c := newTestCore(t, 1, ids(3), store, nil)
		mustStep(t, c, Message{Type: MsgVote, From: tt.from, Term: 1})
		resp := filterMsgs(readMsgs(c), MsgVoteResp)
		if len(resp) != 1 || resp[0].Reject != tt.reject || resp[0].To != tt.from {
			t.Errorf("#%d: responses %+v, want reject=%v", i, resp, tt.reject)
		}
	}
}

// §5.2: "Raft uses randomized election timeouts ... chosen randomly from a
// fixed interval" — here [ElectionTick, 2*ElectionTick).
func TestPaperElectionTimeoutRandomized(t *testing.T) {
	seen := map[int]bool{}
	c := newTestCore(t, 1, ids(3), nil, nil)
	for range 1000 {
		term := c.Term()
		ticks := 0
		for c.Term() == term {
			c.Tick()
			ticks++
			if ticks > 2*c.electionTimeout {
				t.Fatalf("no election after %d ticks", ticks)
			}
		}
		if ticks < c.electionTimeout || ticks >= 2*c.electionTimeout {
			t.Fatalf("timeout %d outside [%d, %d)", ticks, c.electionTimeout, 2*c.electionTimeout)
		}
		seen[ticks] = true
		readMsgs(c)
	}
	if len(seen) != c.electionTimeout {
		t.Fatalf("saw %d distinct timeouts, want all %d", len(seen), c.electionTimeout)
	}
}

// §5.2: "election timeouts are chosen randomly ... so that in most cases
// only a single server will time out."
func TestPaperElectionTimeoutsRarelyConflict(t *testing.T) {
	conflicts := 0
	for round := range 1000 {
		var cores []*Core
		for _, id := range ids(5) {
			cores = append(cores, newTestCore(t, id, ids(5), nil, func(cfg *Config) {
				cfg.Rand = rand.New(rand.NewPCG(uint64(round), uint64(id)))
			}))
		}
		for range 2 * 10 {
			fired := 0
			for _, c := range cores {
				c.Tick()
				if c.Role() == RoleCandidate {
					fired++
				}
			}
			if fired > 1 {
				conflicts++
			}
			if fired > 0 {
				break
			}
		}
	}
	if conflicts > 300 {
		t.Fatalf("%d of 1000 rounds had simultaneous timeouts", conflicts)
	}
}

// §5.4.1: RequestVote carries the candidate's last log index and term.
func TestPaperVoteRequestCarriesLastLog(t *testing.T) {
	store := storeWith(t, HardState{Term: 3}, 1, 2, 3)
	c := newTestCore(t, 1, ids(3), store, nil)
	c.campaign(campaignElection)
	for _, m := range filterMsgs(readMsgs(c), MsgVote) {
		if m.Index != 3 || m.LogTerm != 3 || m.Term != 4 {
			t.Fatalf("vote request %+v, want index 3 logterm 3 term 4", m)
		}
	}
}

// §5.4.1: "the voter denies its vote if its own log is more up-to-date
// than that of the candidate ... If the logs have last entries with
// different terms, then the log with the later term is more up-to-date.
// If the logs end with the same term, then whichever log is longer is
// more up-to-date."
func TestPaperVoterUpToDateCheck(t *testing.T) {
	tests := []struct {
		terms          []uint64
		index, logTerm uint64
		reject         bool
	}{
		{[]uint64{1}, 1, 1, false},
		{[]uint64{1}, 2, 1, false},
		{[]uint64{1, 1}, 1, 1, true},
		{[]uint64{1}, 1, 2, false},
		{[]uint64{1}, 2, 2, false},
		{[]uint64{1, 1}, 1, 2, false},
		{[]uint64{2}, 1, 1, true},
		{[]uint64{2}, 2, 1, true},
		{[]uint64{2, 1}, 1, 1, true},
	}
	for i, tt := range tests {
		c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 2}, tt.terms...), nil)
		mustStep(t, c, Message{Type: MsgVote, From: 2, Term: 3, Index: tt.index, LogTerm: tt.logTerm})
		resp := filterMsgs(readMsgs(c), MsgVoteResp)
		if len(resp) != 1 || resp[0].Reject != tt.reject {
			t.Errorf("#%d: %+v, want reject=%v", i, resp, tt.reject)
		}
	}
}

// §5.2 with §5.4.1: a majority of up-to-date voters elects the candidate
// in one round of RequestVote.
func TestPaperLeaderElectedInOneRound(t *testing.T) {
	for _, n := range []int{1, 3, 5, 7} {
		nw := newTestNetwork(t, n, nil)
		nw.nodes[1].core.campaign(campaignElection)
		nw.stabilize()
		if nw.leader() != 1 || nw.nodes[1].core.Term() != 1 {
			t.Fatalf("n=%d: leader %d term %d", n, nw.leader(), nw.nodes[1].core.Term())
		}
	}
}

// §5.2 liveness ("randomized election timeouts ... split votes are rare"):
// a candidate that refuses a candidate with a better log only
// because it voted for itself backs off beyond any timeout the other can
// draw, so the other's next campaign, one term higher, comes first.
func TestCandidateYieldsToBetterLog(t *testing.T) {
	c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 1}, 1), nil)
	c.campaign(campaignElection)
	readMsgs(c)
	mustStep(t, c, Message{Type: MsgVote, From: 2, Term: 2, Index: 5, LogTerm: 1})
	resp := filterMsgs(readMsgs(c), MsgVoteResp)
	if len(resp) != 1 || !resp[0].Reject {
		t.Fatalf("responses %+v", resp)
	}
	if c.electionElapsed != 0 || c.randomizedElectionTimeout < 2*c.electionTimeout {
		t.Fatalf("elapsed %d timeout %d: no back-off", c.electionElapsed, c.randomizedElectionTimeout)
	}
	// A worse log gets no such deference.
	d := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 1}, 1, 1), nil)
	d.campaign(campaignElection)
	before := d.randomizedElectionTimeout
	mustStep(t, d, Message{Type: MsgVote, From: 2, Term: 2, Index: 1, LogTerm: 1})
	if d.randomizedElectionTimeout != before {
		t.Fatal("backed off for a candidate with a worse log")
	}
}

// Paper Fig. 2, Rules for Servers, Followers: "If election timeout
// elapses without receiving AppendEntries RPC from current leader or
// granting vote to candidate: convert to candidate." A follower that
// rejects a higher-term candidate whose log is behind takes its term but
// keeps its election timer, so it campaigns when the timer was due; one
// that grants its vote starts the timer again.
func TestPaperFollowerTimerRunsOnRejectedVote(t *testing.T) {
	for _, grant := range []bool{false, true} {
		c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 2}, 1, 2), nil)
		for c.electionElapsed < c.randomizedElectionTimeout-1 {
			c.Tick()
		}
		index, logTerm := uint64(1), uint64(1) // behind the follower's log
		if grant {
			index, logTerm = 2, 2
		}
		mustStep(t, c, Message{Type: MsgVote, From: 2, Term: 3, Index: index, LogTerm: logTerm})
		resp := filterMsgs(readMsgs(c), MsgVoteResp)
		if len(resp) != 1 || resp[0].Reject == grant || c.Term() != 3 {
			t.Fatalf("grant=%v: responses %+v, term %d", grant, resp, c.Term())
		}
		c.Tick()
		if campaigned := c.Role() != RoleFollower; campaigned == grant {
			t.Fatalf("grant=%v: role %v one tick after the timer was due", grant, c.Role())
		}
	}
}
