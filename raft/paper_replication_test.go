package raft

// Paper-rule tests for log replication and safety: Raft paper §5.3 and
// §5.4.2, thesis §10.2.1.

import (
	"slices"
	"testing"
)

// §5.3: "Once a leader has been elected, it begins servicing client
// requests. ... The leader appends the command to its log as a new entry,
// then issues AppendEntries RPCs in parallel to each of the other
// servers."
func TestPaperLeaderStartsReplication(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	for _, id := range []NodeID{2, 3} {
		mustStep(t, c, Message{Type: MsgAppResp, From: id, Term: 1, Index: 1})
	}
	readMsgs(c)
	idx, term, err := c.Propose([]byte("x"))
	if err != nil || idx != 2 || term != 1 {
		t.Fatalf("Propose = %d, %d, %v", idx, term, err)
	}
	apps := filterMsgs(readMsgs(c), MsgApp)
	if len(apps) != 2 {
		t.Fatalf("MsgApps %+v, want 2", apps)
	}
	for _, m := range apps {
		if m.Index != 1 || m.LogTerm != 1 || len(m.Entries) != 1 || string(m.Entries[0].Data) != "x" || m.Commit != 1 {
			t.Fatalf("MsgApp %+v", m)
		}
	}
	if got := c.log.unstable.entries; len(got) != 1 || got[0].Index != 2 {
		t.Fatalf("unstable %+v, want the new entry", got)
	}
}

// §5.3: "A log entry is committed once the leader that created the entry
// has replicated it on a majority of the servers."
func TestPaperLeaderCommitsOnMajority(t *testing.T) {
	tests := []struct {
		size int
		acks []NodeID
		want bool
	}{
		{1, nil, true},
		{3, nil, false},
		{3, []NodeID{2}, true},
		{5, []NodeID{2}, false},
		{5, []NodeID{2, 3}, true},
		{4, []NodeID{2}, false},
		{4, []NodeID{2, 3}, true},
	}
	for i, tt := range tests {
		store := NewMemoryStorage()
		c := newTestCore(t, 1, ids(tt.size), store, nil)
		becomeLeaderNow(t, c, store)
		idx, _, _ := c.Propose([]byte("x"))
		persistAll(t, c, store)
		for _, id := range tt.acks {
			mustStep(t, c, Message{Type: MsgAppResp, From: id, Term: 1, Index: idx})
		}
		if got := c.Committed() == idx; got != tt.want {
			t.Errorf("#%d: committed %d, index %d, want committed=%v", i, c.Committed(), idx, tt.want)
		}
	}
}

// §5.3: "The leader keeps track of the highest index it knows to be
// committed, and it includes that index in future AppendEntries RPCs
// (including heartbeats) so that the other servers eventually find out."
// "Once a follower learns that a log entry is committed, it applies the
// entry to its local state machine (in log order)."
func TestPaperCommitIndexPropagates(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	if c := nw.nodes[1].core.Committed(); c != 2 {
		t.Fatalf("leader commit %d, want 2", c)
	}
	nw.tickAll(1)
	nw.checkApplied("a")
}

// §5.3: "The leader keeps track of the highest index it knows to be
// committed, and it includes that index in future AppendEntries RPCs
// (including heartbeats) so that the other servers eventually find out."
// A leader whose commit index advances sends that index at once (an
// AppendEntries carrying no entries when it has none to send), as
// etcd-io/raft's leader does, so a follower learns of it without waiting
// for the next heartbeat: no tick happens here.
func TestPaperLeaderSendsCommitWithoutHeartbeat(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	for i, data := range []string{"a", "b", "c"} {
		idx := nw.propose(1, data)
		nw.stabilize()
		for _, id := range nw.ids {
			if got := nw.nodes[id].core.Committed(); got != idx {
				t.Fatalf("proposal %d: node %d commit %d, want %d without a heartbeat", i, id, got, idx)
			}
		}
	}
	nw.checkApplied("a", "b", "c")
}

// The commit notice is sent once per follower and commit advance: a
// follower that was already told the commit index gets no further empty
// AppendEntries (the cluster goes quiet without ticks).
func TestLeaderCommitNoticeIsNotRepeated(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	for _, id := range []NodeID{2, 3} {
		mustStep(t, c, Message{Type: MsgAppResp, From: id, Term: 1, Index: 1})
	}
	persistAll(t, c, store)
	idx, _, _ := c.Propose([]byte("x"))
	persistAll(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: idx})
	if c.Committed() != idx {
		t.Fatalf("committed %d, want %d", c.Committed(), idx)
	}
	apps := filterMsgs(persistAll(t, c, store), MsgApp)
	if len(apps) != 2 {
		t.Fatalf("commit notices %+v, want one to each follower", apps)
	}
	for _, m := range apps {
		if len(m.Entries) != 0 || m.Commit != idx || m.Index != idx {
			t.Fatalf("commit notice %+v, want an empty MsgApp at %d carrying commit %d", m, idx, idx)
		}
	}
	mustStep(t, c, Message{Type: MsgAppResp, From: 3, Term: 1, Index: idx})
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: idx})
	if again := filterMsgs(persistAll(t, c, store), MsgApp); len(again) != 0 {
		t.Fatalf("commit notices repeated: %+v", again)
	}
}

// §5.3: "This also commits all preceding entries in the leader's log,
// including entries created by previous leaders."
func TestPaperLeaderCommitsPrecedingEntries(t *testing.T) {
	for _, terms := range [][]uint64{{}, {2}, {1, 1}, {1, 2}} {
		store := storeWith(t, HardState{Term: 2}, terms...)
		c := newTestCore(t, 1, ids(3), store, nil)
		becomeLeaderNow(t, c, store)
		idx, _, _ := c.Propose([]byte("x"))
		persistAll(t, c, store)
		mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 3, Index: idx})
		if c.Committed() != idx {
			t.Fatalf("log %v: committed %d, want %d", terms, c.Committed(), idx)
		}
		rd := c.Ready()
		if len(rd.CommittedEntries) != int(idx) {
			t.Fatalf("log %v: %d committed entries to apply, want %d", terms, len(rd.CommittedEntries), idx)
		}
	}
}

// §5.3: "If a follower does not find an entry in its log with the same
// index and term, then it refuses the new entries."
func TestPaperFollowerConsistencyCheck(t *testing.T) {
	tests := []struct {
		term, index uint64
		reject      bool
		hint        uint64
	}{
		{0, 0, false, 0},
		{1, 1, false, 0},
		{2, 2, false, 0},
		{1, 2, true, 1},
		{3, 3, true, 2},
	}
	for i, tt := range tests {
		c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 2, Commit: 1}, 1, 2), nil)
		mustStep(t, c, Message{Type: MsgApp, From: 2, Term: 2, LogTerm: tt.term, Index: tt.index})
		resp := filterMsgs(readMsgs(c), MsgAppResp)
		if len(resp) != 1 || resp[0].Reject != tt.reject {
			t.Fatalf("#%d: %+v, want reject=%v", i, resp, tt.reject)
		}
		if tt.reject && resp[0].RejectHint != tt.hint {
			t.Errorf("#%d: hint %d, want %d", i, resp[0].RejectHint, tt.hint)
		}
	}
}

// §5.3: "If an existing entry conflicts with a new one (same index but
// different terms), delete the existing entry and all that follow it;
// append any new entries not already in the log."
func TestPaperFollowerAppendsAndTruncates(t *testing.T) {
	tests := []struct {
		index, logTerm uint64
		ents           []Entry
		want           []uint64
	}{
		{2, 2, []Entry{{Index: 3, Term: 3}}, []uint64{1, 2, 3}},
		{1, 1, []Entry{{Index: 2, Term: 3}, {Index: 3, Term: 4}}, []uint64{1, 3, 4}},
		{0, 0, []Entry{{Index: 1, Term: 1}}, []uint64{1, 2}},
		{0, 0, []Entry{{Index: 1, Term: 3}}, []uint64{3}},
	}
	for i, tt := range tests {
		c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 2}, 1, 2), nil)
		mustStep(t, c, Message{Type: MsgApp, From: 2, Term: 4, Index: tt.index, LogTerm: tt.logTerm, Entries: tt.ents})
		var got []uint64
		for j := uint64(1); j <= c.LastIndex(); j++ {
			got = append(got, c.log.termOrZero(j))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("#%d: log terms %v, want %v", i, got, tt.want)
		}
	}
}

// §5.3: "If leaderCommit > commitIndex, set commitIndex =
// min(leaderCommit, index of last new entry)."
func TestPaperFollowerCommit(t *testing.T) {
	c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 1}, 1, 1, 1), nil)
	mustStep(t, c, Message{Type: MsgApp, From: 2, Term: 1, Index: 1, LogTerm: 1, Commit: 3})
	if c.Committed() != 1 {
		t.Fatalf("commit %d, want 1 (last new entry)", c.Committed())
	}
	mustStep(t, c, Message{Type: MsgApp, From: 2, Term: 1, Index: 1, LogTerm: 1, Entries: []Entry{{Index: 2, Term: 1}}, Commit: 3})
	if c.Committed() != 2 {
		t.Fatalf("commit %d, want 2", c.Committed())
	}
}

// §5.3, Figure 7: whatever a follower's log looks like, the leader brings
// it to match its own, overwriting uncommitted conflicting entries.
func TestPaperLeaderSyncsFollowerLogs(t *testing.T) {
	leaderTerms := []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6}
	followers := [][]uint64{
		{1, 1, 1, 4, 4, 5, 5, 6, 6},
		{1, 1, 1, 4},
		{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},
		{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},
		{1, 1, 1, 4, 4, 4, 4},
		{1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},
	}
	for i, ft := range followers {
		nw := newTestNetwork(t, 3, nil)
		nw.nodes[1] = &testNode{store: storeWith(t, HardState{Term: 8}, leaderTerms...)}
		nw.nodes[1].core = newTestCore(t, 1, ids(3), nw.nodes[1].store, nil)
		nw.nodes[2] = &testNode{store: storeWith(t, HardState{Term: 8}, ft...)}
		nw.nodes[2].core = newTestCore(t, 2, ids(3), nw.nodes[2].store, nil)
		// Node 3 votes for the leader; its log equals the leader's.
		nw.nodes[3] = &testNode{store: storeWith(t, HardState{Term: 8}, leaderTerms...)}
		nw.nodes[3].core = newTestCore(t, 3, ids(3), nw.nodes[3].store, nil)
		nw.elect(1)
		nw.propose(1, "x")
		nw.stabilize()
		nw.tickAll(2)
		want, _ := nw.nodes[1].store.Entries(1, nw.nodes[1].core.LastIndex()+1, 1<<30)
		got, _ := nw.nodes[2].store.Entries(1, nw.nodes[2].core.LastIndex()+1, 1<<30)
		if !slices.EqualFunc(got, want, func(a, b Entry) bool { return a.Index == b.Index && a.Term == b.Term }) {
			t.Errorf("follower #%d: log %v, want %v", i, got, want)
		}
	}
}

// §5.4.2, Figure 8: "Raft never commits log entries from previous terms by
// counting replicas. Only log entries from the leader's current term are
// committed by counting replicas."
func TestPaperLeaderOnlyCommitsCurrentTerm(t *testing.T) {
	store := storeWith(t, HardState{Term: 2}, 1, 2)
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	// A majority holds index 2 (term 2), but the leader is in term 3.
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 3, Index: 2})
	if c.Committed() != 0 {
		t.Fatalf("committed %d from an earlier term by counting replicas", c.Committed())
	}
	// Once the no-op of term 3 (index 3) is on a majority, all commit.
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 3, Index: 3})
	if c.Committed() != 3 {
		t.Fatalf("committed %d, want 3", c.Committed())
	}
}

// §5.4.2/§8: "a leader ... commit[s] a blank no-op entry into the log at
// the start of its term."
func TestPaperLeaderAppendsNoop(t *testing.T) {
	store := storeWith(t, HardState{Term: 1}, 1)
	c := newTestCore(t, 1, ids(3), store, nil)
	c.campaign(campaignElection)
	mustStep(t, c, Message{Type: MsgVoteResp, From: 2, Term: 2})
	if c.LastIndex() != 2 {
		t.Fatalf("last index %d, want 2", c.LastIndex())
	}
	e := c.log.unstable.entries[0]
	if e.Type != EntryNoop || e.Term != 2 {
		t.Fatalf("entry %+v, want a no-op of term 2", e)
	}
}

// Thesis §10.2.1: the leader may send entries before writing them to its
// own disk, but counts itself toward commit only once they are durable.
func TestLeaderCountsOwnEntriesOnlyWhenDurable(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	mustStep(t, c, Message{Type: MsgAppResp, From: 3, Term: 1, Index: 1})
	persistAll(t, c, store)
	idx, _, _ := c.Propose([]byte("x"))
	rd := c.Ready()
	if len(filterMsgs(rd.Messages, MsgApp)) != 2 || len(rd.Entries) != 1 {
		t.Fatalf("Ready %+v: want entries and MsgApps together", rd)
	}
	// Follower 3 acknowledges before the leader's own write is durable:
	// one vote of three is not a majority.
	mustStep(t, c, Message{Type: MsgAppResp, From: 3, Term: 1, Index: idx})
	if c.Committed() == idx {
		t.Fatal("committed with the leader's own entry not durable")
	}
	if err := store.Save(rd.HardState, rd.Entries); err != nil {
		t.Fatal(err)
	}
	c.Advance(rd)
	if c.Committed() != idx {
		t.Fatalf("committed %d after Advance, want %d", c.Committed(), idx)
	}
	// A single-node cluster commits only after Advance too.
	store1 := NewMemoryStorage()
	one := newTestCore(t, 1, ids(1), store1, nil)
	one.campaign(campaignElection)
	if one.Committed() != 0 {
		t.Fatal("single node committed its no-op before it was durable")
	}
	persistAll(t, one, store1)
	if one.Committed() != 1 {
		t.Fatalf("single node commit %d, want 1", one.Committed())
	}
}
