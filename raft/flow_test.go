package raft

// Tests for replication flow control: fast log backtracking, probe and
// replicate states, bounded inflight messages and message sizes.

import (
	"testing"
)

// Fast backtracking (paper §5.3, "the follower can include the term of the
// conflicting entry and the first index it stores for that term"): a
// follower whose divergent suffix spans 50 entries of one term is brought
// in sync with a couple of probes, not one per entry.
func TestFastBacktracking(t *testing.T) {
	var leaderTerms, followerTerms []uint64
	for range 10 {
		leaderTerms = append(leaderTerms, 1)
		followerTerms = append(followerTerms, 1)
	}
	for range 50 {
		leaderTerms = append(leaderTerms, 3)
		followerTerms = append(followerTerms, 2)
	}
	lstore := storeWith(t, HardState{Term: 3}, leaderTerms...)
	leader := newTestCore(t, 1, ids(3), lstore, nil)
	msgs := filterMsgs(becomeLeaderNow(t, leader, lstore), MsgApp)
	fstore := storeWith(t, HardState{Term: 3}, followerTerms...)
	follower := newTestCore(t, 2, ids(3), fstore, nil)
	probes := 0
	for len(msgs) > 0 {
		var next []Message
		for _, m := range msgs {
			if m.To != 2 {
				continue
			}
			probes++
			mustStep(t, follower, m)
			for _, r := range persistAll(t, follower, fstore) {
				mustStep(t, leader, r)
			}
			next = append(next, filterMsgs(persistAll(t, leader, lstore), MsgApp)...)
		}
		msgs = next
		if probes > 10 {
			t.Fatalf("more than 10 MsgApps to sync a 50-entry divergence")
		}
	}
	if follower.LastIndex() != leader.LastIndex() || !follower.log.matchTerm(leader.LastIndex(), leader.Term()) {
		t.Fatalf("follower last %d, leader last %d", follower.LastIndex(), leader.LastIndex())
	}
}

// A probing follower gets at most one MsgApp until it answers or a
// heartbeat passes; once it accepts, the leader streams in the replicate
// state up to MaxInflightMsgs messages.
func TestProbeThenReplicateWithInflightLimit(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(2), store, func(cfg *Config) { cfg.MaxInflightMsgs = 3; cfg.MaxSizePerMsg = 1 })
	becomeLeaderNow(t, c, store)
	for i := range 5 {
		c.Propose([]byte{byte(i)})
	}
	if n := len(filterMsgs(readMsgs(c), MsgApp)); n != 0 {
		t.Fatalf("%d MsgApps to a paused probing follower, want 0", n)
	}
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	apps := filterMsgs(readMsgs(c), MsgApp)
	if len(apps) != 3 || c.prs[2].state != StateReplicate {
		t.Fatalf("%d MsgApps in state %v, want 3 in Replicate", len(apps), c.prs[2].state)
	}
	for _, m := range apps {
		if len(m.Entries) != 1 {
			t.Fatalf("MsgApp with %d entries, want 1 (MaxSizePerMsg)", len(m.Entries))
		}
	}
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: apps[0].Entries[0].Index})
	if n := len(filterMsgs(readMsgs(c), MsgApp)); n != 1 {
		t.Fatalf("%d MsgApps after one ack, want 1", n)
	}
	// A rejection in the replicate state falls back to probing.
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 3, Reject: true, RejectHint: 2})
	if c.prs[2].state != StateProbe {
		t.Fatalf("state %v after a rejection, want Probe", c.prs[2].state)
	}
}

// MaxSizePerMsg bounds a message's payload (at least one entry per
// message).
func TestMessageSizeBound(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(2), store, func(cfg *Config) { cfg.MaxSizePerMsg = 250 })
	becomeLeaderNow(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	readMsgs(c)
	for range 10 {
		c.Propose(make([]byte, 100))
	}
	for _, m := range filterMsgs(readMsgs(c), MsgApp) {
		size := 0
		for _, e := range m.Entries {
			size += len(e.Data)
		}
		if size > 250 {
			t.Fatalf("MsgApp payload %d bytes, limit 250", size)
		}
	}
}

// Proposals made before the next Ready travel in one MsgApp per follower.
func TestProposalsBatched(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	mustStep(t, c, Message{Type: MsgAppResp, From: 3, Term: 1, Index: 1})
	readMsgs(c)
	for range 10 {
		c.Propose([]byte("x"))
	}
	apps := filterMsgs(readMsgs(c), MsgApp)
	if len(apps) != 2 || len(apps[0].Entries) != 10 {
		t.Fatalf("%d MsgApps, want 2 carrying 10 entries each", len(apps))
	}
}

// Messages from nodes outside the configuration never crash the core and
// are not counted.
func TestUnknownSenders(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	for _, typ := range []MessageType{MsgAppResp, MsgHeartbeatResp, MsgSnapResp, MsgReadIndex, MsgVoteResp, MsgPreVoteResp} {
		mustStep(t, c, Message{Type: typ, From: 99, Term: 1, Index: 100})
	}
	if c.Committed() != 0 || c.Role() != RoleLeader {
		t.Fatalf("commit %d role %v after messages from a stranger", c.Committed(), c.Role())
	}
	cand := newTestCore(t, 1, ids(3), nil, nil)
	cand.campaign(campaignElection)
	mustStep(t, cand, Message{Type: MsgVoteResp, From: 99, Term: 1})
	mustStep(t, cand, Message{Type: MsgVoteResp, From: 98, Term: 1})
	if cand.Role() != RoleCandidate {
		t.Fatalf("votes from strangers made the candidate %v", cand.Role())
	}
	// Malformed messages are refused with an error and change nothing.
	for _, m := range []Message{
		{Type: MsgApp, From: 2, To: 5, Term: 9},
		{Type: MsgApp, From: None, To: 1, Term: 9},
		{Type: MsgApp, From: 1, To: 1, Term: 9},
		{Type: MessageType(200), From: 2, To: 1, Term: 9},
	} {
		if err := cand.Step(m); err == nil {
			t.Fatalf("Step(%+v) accepted a malformed message", m)
		}
	}
	if cand.Term() != 1 {
		t.Fatalf("term %d after malformed messages", cand.Term())
	}
}

// A follower that receives entries that are not consecutive ignores them.
func TestFollowerIgnoresNonConsecutiveEntries(t *testing.T) {
	c := newTestCore(t, 2, ids(3), nil, nil)
	mustStep(t, c, Message{Type: MsgApp, From: 1, Term: 1, Entries: []Entry{{Index: 1, Term: 1}, {Index: 3, Term: 1}}})
	if c.LastIndex() != 0 {
		t.Fatalf("appended malformed entries: last %d", c.LastIndex())
	}
}
