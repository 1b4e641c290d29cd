package raft

import (
	"fmt"
	"slices"
	"testing"
)

// A lost MsgApp in the replicate state (and the commit notice after it)
// is recovered at the next heartbeat: the leader probes with an empty
// MsgApp, the follower rejects, the leader backs up to the follower's
// match.
func TestLostMsgAppRecovered(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	losing := true
	nw.drop = func(m Message) bool { return losing && m.Type == MsgApp && m.To == 3 }
	nw.propose(1, "a")
	nw.stabilize()
	if got := nw.nodes[3].core.LastIndex(); got != 1 {
		t.Fatalf("node 3 last %d; the MsgApp should have been lost", got)
	}
	losing = false
	nw.tickAll(3)
	nw.checkApplied("a")
}

// Paper §5.3: heartbeats carry min(follower's match, commit) so that a
// follower never commits past what it is known to hold.
func TestHeartbeatCommitBoundedByMatch(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	c.Propose([]byte("x"))
	persistAll(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 2})
	c.bcastHeartbeat()
	for _, m := range readMsgs(c) {
		want := map[NodeID]uint64{2: 2, 3: 0}[m.To]
		if m.Type == MsgHeartbeat && m.Commit != want {
			t.Fatalf("heartbeat to %d commit %d, want %d", m.To, m.Commit, want)
		}
	}
}

// ReportUnreachable drops a replicating follower back to probing.
func TestReportUnreachable(t *testing.T) {
	c, _ := leaderWithActiveFollowers(t, nil)
	if c.prs[2].state != StateReplicate {
		t.Fatalf("state %v", c.prs[2].state)
	}
	c.ReportUnreachable(2)
	if c.prs[2].state != StateProbe {
		t.Fatalf("state %v after ReportUnreachable, want Probe", c.prs[2].state)
	}
}

// The core is deterministic: the same seeds and inputs give the same
// messages.
func TestDeterministic(t *testing.T) {
	run := func() []string {
		nw := newTestNetwork(t, 5, func(cfg *Config) { cfg.PreVote = true; cfg.CheckQuorum = true })
		nw.tickAll(40)
		lead := nw.leader()
		for i := range 5 {
			nw.propose(lead, fmt.Sprint(i))
			nw.tickAll(1)
		}
		var trace []string
		for _, m := range nw.sent {
			trace = append(trace, fmt.Sprintf("%v %d>%d t%d i%d c%d n%d", m.Type, m.From, m.To, m.Term, m.Index, m.Commit, len(m.Entries)))
		}
		return trace
	}
	a, b := run(), run()
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Fatalf("traces differ (%d vs %d messages)", len(a), len(b))
	}
}

// Configuration entries round-trip, and malformed ones are refused.
func TestConfigurationEncoding(t *testing.T) {
	cfg := Configuration{Members: []Member{{ID: 3, Addr: "127.0.0.1:7003", Learner: true}, {ID: 1, Addr: "h:1"}}}
	got, err := DecodeConfiguration(EncodeConfiguration(cfg))
	if err != nil || len(got.Members) != 2 || got.Members[0] != cfg.Members[0] || got.Members[1] != cfg.Members[1] {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	enc := EncodeConfiguration(cfg)
	for i := range enc {
		if _, err := DecodeConfiguration(enc[:i]); err == nil {
			t.Fatalf("truncated encoding (%d bytes) accepted", i)
		}
	}
	// A change entry records the member's previous record, so the
	// configuration before it can be recovered.
	prev := Member{ID: 3, Addr: "old", Learner: true}
	for _, tc := range []struct {
		prev  *Member
		prior int
	}{{nil, 1}, {&prev, 2}} {
		data := encodeConfigChange(cfg, 3, tc.prev)
		got, prior, err := decodeConfigEntry(data)
		if err != nil || len(got.Members) != 2 || prior == nil || len(prior.Members) != tc.prior {
			t.Fatalf("change entry: %+v prior %+v, %v", got, prior, err)
		}
		if tc.prev != nil {
			if m, _ := prior.Member(3); m != prev {
				t.Fatalf("prior member %+v, want %+v", m, prev)
			}
		}
		if c, err := DecodeConfiguration(data); err != nil || len(c.Members) != 2 {
			t.Fatalf("DecodeConfiguration of a change entry: %+v, %v", c, err)
		}
		for i := range data {
			if _, _, err := decodeConfigEntry(data[:i]); err == nil {
				t.Fatalf("truncated change entry (%d bytes) accepted", i)
			}
		}
	}
	dup := EncodeConfiguration(Configuration{Members: []Member{{ID: 1}, {ID: 1}}})
	if _, err := DecodeConfiguration(dup); err == nil {
		t.Fatal("duplicate member accepted")
	}
}

// Followers learn a new commit index in the same Ready round, without
// waiting for a heartbeat, with EagerCommit (a heartbeat round) or
// without it (the leader's commit notice, bcastAppend).
func TestEagerCommit(t *testing.T) {
	for _, eager := range []bool{false, true} {
		nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.EagerCommit = eager })
		nw.elect(1)
		nw.propose(1, "a")
		nw.stabilize()
		if got := nw.nodes[2].core.Committed(); got != 2 {
			t.Fatalf("eager=%v: follower commit %d, want 2", eager, got)
		}
	}
}
