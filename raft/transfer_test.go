package raft

// Tests for leadership transfer (thesis §3.10).

import (
	"testing"
)

// Thesis §3.10: the leader brings the target up to date, then sends
// TimeoutNow; the target campaigns at once, skipping PreVote, and the
// voters grant it despite having heard from the leader recently.
func TestTransferLeadership(t *testing.T) {
	nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.PreVote = true; cfg.CheckQuorum = true })
	nw.elect(1)
	// Node 3 misses an entry, so the leader must catch it up first.
	nw.drop = func(m Message) bool { return m.To == 3 && m.Type == MsgApp }
	nw.propose(1, "a")
	nw.stabilize()
	nw.heal()
	if err := nw.nodes[1].core.TransferLeader(3); err != nil {
		t.Fatal(err)
	}
	if _, _, err := nw.nodes[1].core.Propose([]byte("x")); err != ErrProposalDropped {
		t.Fatalf("proposal during transfer: %v, want ErrProposalDropped", err)
	}
	nw.tickAll(3)
	if nw.leader() != 3 {
		t.Fatalf("leader %d after transfer, want 3", nw.leader())
	}
	if nw.nodes[3].core.Term() != 2 {
		t.Fatalf("term %d, want 2 (no pre-vote round, one election)", nw.nodes[3].core.Term())
	}
	var sawTimeoutNow bool
	for _, m := range nw.sent {
		if m.Type == MsgTimeoutNow && m.To == 3 {
			sawTimeoutNow = true
		}
		if m.Type == MsgPreVote && m.From == 3 {
			t.Fatal("the transfer target ran a pre-vote")
		}
	}
	if !sawTimeoutNow {
		t.Fatal("no MsgTimeoutNow sent")
	}
}

// Thesis §3.10: "If the transfer does not complete within about an
// election timeout, the prior leader aborts the transfer and resumes
// accepting client requests."
func TestTransferAbortsAfterElectionTimeout(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.isolate(3)
	if err := nw.nodes[1].core.TransferLeader(3); err != nil {
		t.Fatal(err)
	}
	leader := nw.nodes[1].core
	for range leader.electionTimeout - 1 {
		leader.Tick()
	}
	if leader.leadTransferee != 3 {
		t.Fatal("transfer aborted early")
	}
	leader.Tick()
	if leader.leadTransferee != None {
		t.Fatal("transfer not aborted after an election timeout")
	}
	if _, _, err := leader.Propose([]byte("x")); err != nil {
		t.Fatalf("proposal after the abort: %v", err)
	}
}

// Transfer errors: not leader, target not a voter.
func TestTransferErrors(t *testing.T) {
	c := newTestCore(t, 1, ids(3), nil, nil)
	if err := c.TransferLeader(2); err != ErrNotLeader {
		t.Fatalf("follower: %v", err)
	}
	store := NewMemoryStorage()
	becomeLeaderNow(t, c, store)
	if err := c.TransferLeader(9); err == nil {
		t.Fatal("transfer to a non-member accepted")
	}
	if c.leadTransferee != None {
		t.Fatal("a refused transfer changed state")
	}
}

// The forced vote request (marked as a transfer) is granted even inside
// the leader lease, which ordinary requests are not (thesis §4.2.3).
func TestTransferVoteOverridesLeaderStickiness(t *testing.T) {
	c := newTestCore(t, 2, ids(3), nil, func(cfg *Config) { cfg.CheckQuorum = true })
	mustStep(t, c, Message{Type: MsgHeartbeat, From: 1, Term: 1})
	readMsgs(c)
	mustStep(t, c, Message{Type: MsgVote, From: 3, Term: 2, Context: transferContext})
	resp := filterMsgs(readMsgs(c), MsgVoteResp)
	if len(resp) != 1 || resp[0].Reject {
		t.Fatalf("forced vote answered %+v, want a grant", resp)
	}
}
