package raft

// Tests for the Ready/Advance contract and for restarting from storage.

import (
	"testing"
)

// A restarted node resumes term, vote and log from Storage; its commit
// index is max(stored commit, the state machine's applied index), and it
// delivers committed entries only after the applied index.
func TestRestartCommitIsMaxOfStoredAndApplied(t *testing.T) {
	store := storeWith(t, HardState{Term: 3, Vote: 2, Commit: 2}, 1, 2, 3, 3)
	c := newTestCore(t, 1, ids(3), store, func(cfg *Config) { cfg.Applied = 3 })
	if c.Term() != 3 || c.vote != 2 || c.Committed() != 3 || c.Applied() != 3 {
		t.Fatalf("term %d vote %d commit %d applied %d, want 3 2 3 3", c.Term(), c.vote, c.Committed(), c.Applied())
	}
	if rd := c.Ready(); len(rd.CommittedEntries) != 0 {
		t.Fatalf("re-delivered applied entries %+v", rd.CommittedEntries)
	}
	c2 := newTestCore(t, 1, ids(3), store, func(cfg *Config) { cfg.Applied = 1 })
	rd := c2.Ready()
	if len(rd.CommittedEntries) != 1 || rd.CommittedEntries[0].Index != 2 {
		t.Fatalf("committed entries %+v, want index 2 only", rd.CommittedEntries)
	}
}

// Restart validation: impossible combinations of storage and applied
// index are refused with an error.
func TestRestartRejectsInconsistentState(t *testing.T) {
	store := storeWith(t, HardState{Term: 1, Commit: 1}, 1)
	if _, err := NewCore(testConfig(1, ids(3), store)); err != nil {
		t.Fatalf("valid restart refused: %v", err)
	}
	cfg := testConfig(1, ids(3), store)
	cfg.Applied = 5
	if _, err := NewCore(cfg); err == nil {
		t.Fatal("applied index past the log accepted")
	}
	bad := storeWith(t, HardState{Term: 1, Commit: 9}, 1)
	if _, err := NewCore(testConfig(1, ids(3), bad)); err == nil {
		t.Fatal("stored commit past the log accepted")
	}
	for _, mut := range []func(*Config){
		func(c *Config) { c.ID = None },
		func(c *Config) { c.Rand = nil },
		func(c *Config) { c.Storage = nil },
		func(c *Config) { c.ElectionTick = c.HeartbeatTick },
		func(c *Config) { c.HeartbeatTick = 0 },
		func(c *Config) { c.LeaseRead = true },
		func(c *Config) { c.Peers = append(c.Peers, c.Peers[0]) },
	} {
		cfg := testConfig(1, ids(3), NewMemoryStorage())
		mut(&cfg)
		if _, err := NewCore(cfg); err == nil {
			t.Fatalf("invalid config accepted: %+v", cfg)
		}
	}
}

// A restarted node takes its configuration from Storage; Peers only
// bootstraps an empty store.
func TestRestartConfigurationFromStorage(t *testing.T) {
	store := NewMemoryStorage()
	cfg := Configuration{Members: []Member{{ID: 1, Addr: "a"}, {ID: 2, Addr: "b"}, {ID: 4, Addr: "d"}}}
	if err := store.Save(HardState{Term: 1, Commit: 1}, []Entry{{Index: 1, Term: 1, Type: EntryConfig, Data: EncodeConfiguration(cfg)}}); err != nil {
		t.Fatal(err)
	}
	c := newTestCore(t, 1, ids(3), store, func(cfg *Config) { cfg.Applied = 1 })
	if got := c.Configuration().IDs(); len(got) != 3 || got[2] != 4 {
		t.Fatalf("configuration %v, want 1 2 4 from the log", got)
	}
	fresh := newTestCore(t, 1, ids(3), nil, nil)
	if got := fresh.Configuration().IDs(); len(got) != 3 || got[2] != 3 {
		t.Fatalf("bootstrap configuration %v, want 1 2 3", got)
	}
}

// A vote is in the HardState of the same Ready as the MsgVoteResp that
// grants it, so a driver that persists before sending never grants an
// undurable vote; MustSync is set.
func TestReadyVoteDurableWithGrant(t *testing.T) {
	c := newTestCore(t, 2, ids(3), nil, nil)
	mustStep(t, c, Message{Type: MsgVote, From: 1, Term: 1})
	rd := c.Ready()
	if rd.HardState.Vote != 1 || rd.HardState.Term != 1 || !rd.MustSync {
		t.Fatalf("HardState %+v MustSync %v, want vote 1 term 1 synced", rd.HardState, rd.MustSync)
	}
	if len(rd.Messages) != 1 || rd.Messages[0].Type != MsgVoteResp || rd.Messages[0].Reject {
		t.Fatalf("messages %+v", rd.Messages)
	}
	c.Advance(rd)
	if c.HasReady() {
		t.Fatal("HasReady after everything was advanced")
	}
}

// Crash and restart of a whole cluster keeps every committed entry, and
// the cluster keeps committing afterwards.
func TestRestartWholeCluster(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	nw.tickAll(1)
	for _, id := range nw.ids {
		nd := nw.nodes[id]
		applied := nd.core.Applied()
		nd.core = newTestCore(t, id, ids(3), nd.store, func(cfg *Config) { cfg.Applied = applied })
	}
	nw.tickAll(30)
	lead := nw.leader()
	if lead == None {
		t.Fatal("no leader after restart")
	}
	nw.propose(lead, "b")
	nw.stabilize()
	nw.tickAll(1)
	nw.checkApplied("a", "b")
}

// Thesis §10.2.1: a leader's replication messages may leave before its
// own write, but not in a Ready that also makes its new term durable (a
// single voter elects itself within one Ready).
func TestMaySendBeforePersist(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, nil, store, nil)
	c.loadConfigs(SnapshotMeta{}, []Member{{ID: 1}, {ID: 2, Learner: true}}, Configuration{})
	c.campaign(campaignElection)
	rd := c.Ready()
	apps := filterMsgs(rd.Messages, MsgApp)
	if c.Role() != RoleLeader || len(apps) != 1 {
		t.Fatalf("role %v, MsgApps %+v", c.Role(), apps)
	}
	if rd.MaySendBeforePersist(apps[0]) {
		t.Fatal("MsgApp of a term not yet durable may leave early")
	}
	store.Save(rd.HardState, rd.Entries)
	c.Advance(rd)
	c.Propose([]byte("x"))
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	rd = c.Ready()
	for _, m := range rd.Messages {
		if m.Type == MsgApp && !rd.MaySendBeforePersist(m) {
			t.Fatalf("leader MsgApp in a steady term must be allowed early: %+v", m)
		}
	}
	f := newTestCore(t, 2, ids(3), nil, nil)
	mustStep(t, f, Message{Type: MsgApp, From: 1, Term: 1})
	rd = f.Ready()
	for _, m := range rd.Messages {
		if rd.MaySendBeforePersist(m) {
			t.Fatalf("follower message %v may leave early", m.Type)
		}
	}
}
