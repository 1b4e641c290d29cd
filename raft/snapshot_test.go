package raft

// Tests for snapshots and log compaction (paper §7).

import (
	"fmt"
	"testing"
)

// Paper §7: "the leader must occasionally send snapshots to followers that
// lag behind ... when the leader has already discarded the next log entry
// that it needs to send to a follower."
func TestSnapshotSentToLaggingFollower(t *testing.T) {
	nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.PreVote = true })
	nw.elect(1)
	nw.isolate(3)
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprint(i))
		nw.propose(1, want[i])
		nw.stabilize()
	}
	nw.tickAll(1)
	meta := nw.snapshot(1, 5)
	if meta.Index != 21 || len(meta.Config.Members) != 3 {
		t.Fatalf("snapshot %+v", meta)
	}
	if first, _ := nw.nodes[1].store.FirstIndex(); first != 17 {
		t.Fatalf("first index %d after compaction with a 5-entry tail, want 17", first)
	}
	nw.heal()
	nw.tickAll(5)
	var snaps int
	for _, m := range nw.sent {
		if m.Type == MsgSnap {
			snaps++
		}
	}
	if snaps != 1 {
		t.Fatalf("%d snapshots sent, want 1", snaps)
	}
	nw.checkApplied(want...)
	if s, _ := nw.nodes[3].store.Snapshot(); s.Index != 21 {
		t.Fatalf("follower snapshot %+v", s)
	}
	// Replication continues normally afterwards.
	nw.propose(1, "after")
	nw.stabilize()
	nw.tickAll(1)
	nw.checkApplied(append(want, "after")...)
}

// Paper §7 with a compaction tail: a follower that lags by less than the
// tail gets entries, not a snapshot.
func TestCompactionTailAvoidsSnapshot(t *testing.T) {
	nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.PreVote = true })
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	nw.tickAll(1)
	nw.isolate(3)
	for i := range 3 {
		nw.propose(1, fmt.Sprint(i))
		nw.stabilize()
	}
	nw.tickAll(1)
	nw.snapshot(1, 10)
	nw.heal()
	nw.tickAll(3)
	for _, m := range nw.sent {
		if m.Type == MsgSnap {
			t.Fatal("snapshot sent to a follower within the tail")
		}
	}
	nw.checkApplied("a", "0", "1", "2")
}

// Paper §7: "If the follower receives a snapshot that describes a prefix
// of its log ... then log entries covered by the snapshot are deleted but
// entries following the snapshot are still valid and must be retained."
// The core does not install it; only the commit index moves.
func TestSnapshotPrefixOfLogNotInstalled(t *testing.T) {
	store := storeWith(t, HardState{Term: 1}, 1, 1, 1)
	c := newTestCore(t, 2, ids(3), store, nil)
	mustStep(t, c, Message{Type: MsgSnap, From: 1, Term: 1, Snapshot: &SnapshotMeta{Index: 2, Term: 1, Config: Configuration{Members: []Member{{ID: 1}, {ID: 2}, {ID: 3}}}}})
	rd := c.Ready()
	if !rd.Snapshot.IsEmpty() || c.Committed() != 2 || c.LastIndex() != 3 {
		t.Fatalf("snapshot %+v commit %d last %d; want no install, commit 2, last 3", rd.Snapshot, c.Committed(), c.LastIndex())
	}
	// A snapshot that does not match the log replaces it.
	mustStep(t, c, Message{Type: MsgSnap, From: 1, Term: 2, Snapshot: &SnapshotMeta{Index: 5, Term: 2, Config: Configuration{Members: []Member{{ID: 1}, {ID: 2}}}}})
	rd = c.Ready()
	if rd.Snapshot.Index != 5 || c.LastIndex() != 5 || c.Committed() != 5 || len(c.Configuration().Members) != 2 {
		t.Fatalf("after install: snapshot %+v last %d commit %d config %+v", rd.Snapshot, c.LastIndex(), c.Committed(), c.Configuration())
	}
	resp := filterMsgs(rd.Messages, MsgAppResp)
	if len(resp) != 1 || resp[0].Index != 5 {
		t.Fatalf("responses %+v", resp)
	}
	if err := store.ApplySnapshot(rd.Snapshot); err != nil {
		t.Fatal(err)
	}
	c.Advance(rd)
	if c.Applied() != 5 {
		t.Fatalf("applied %d after installing, want 5", c.Applied())
	}
}

// A node restarts from a snapshot plus the log after it, twice, and keeps
// the snapshot's configuration.
func TestRestartFromSnapshotAndLog(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	for i := range 10 {
		nw.propose(1, fmt.Sprint(i))
	}
	nw.stabilize()
	nw.tickAll(1)
	nw.snapshot(2, 0)
	nw.propose(1, "x")
	nw.stabilize()
	nw.tickAll(1)
	for range 2 {
		nw.restart(2, nil)
		if got := nw.nodes[2].core.Configuration().IDs(); len(got) != 3 {
			t.Fatalf("configuration after restart %v", got)
		}
		if s, _ := nw.nodes[2].store.Snapshot(); s.Index != 11 {
			t.Fatalf("snapshot lost: %+v", s)
		}
	}
	nw.tickAll(3)
	nw.propose(1, "y")
	nw.stabilize()
	nw.tickAll(1)
	nw.checkApplied("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "x", "y")
	// All nodes crash and resume from snapshots.
	for _, id := range nw.ids {
		nw.snapshot(id, 0)
	}
	for _, id := range nw.ids {
		nw.restart(id, nil)
	}
	nw.tickAll(30)
	lead := nw.leader()
	if lead == None {
		t.Fatal("no leader after restarting from snapshots")
	}
	nw.propose(lead, "z")
	nw.stabilize()
	nw.tickAll(1)
	nw.checkApplied("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "x", "y", "z")
}

// A failed snapshot send is retried after the follower is probed again.
func TestReportSnapshotFailureRetries(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(2), store, nil)
	becomeLeaderNow(t, c, store)
	persistAll(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	for range 3 {
		c.Propose([]byte("x"))
	}
	c.Advance(Ready{})
	persistAll(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 4})
	persistAll(t, c, store)
	meta, err := c.SnapshotMeta(4)
	if err != nil {
		t.Fatal(err)
	}
	store.CreateSnapshot(meta)
	store.Compact(5)
	// The follower lost its log (say it was replaced): it rejects.
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: 1})
	readMsgs(c)
	c.prs[2].becomeProbe()
	c.prs[2].match, c.prs[2].next = 0, 1
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: 1})
	if snaps := filterMsgs(readMsgs(c), MsgSnap); len(snaps) != 1 || c.prs[2].state != StateSnapshot {
		t.Fatalf("snapshots %+v state %v", snaps, c.prs[2].state)
	}
	c.ReportSnapshot(2, true)
	if c.prs[2].state != StateProbe {
		t.Fatalf("state %v after a failed snapshot, want Probe", c.prs[2].state)
	}
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: 1})
	if snaps := filterMsgs(readMsgs(c), MsgSnap); len(snaps) != 1 {
		t.Fatalf("snapshot not resent: %+v", snaps)
	}
}

// SnapshotMeta refuses an index not yet applied.
func TestSnapshotMetaRequiresApplied(t *testing.T) {
	c := newTestCore(t, 1, ids(3), storeWith(t, HardState{Term: 1, Commit: 1}, 1, 1), func(cfg *Config) { cfg.Applied = 1 })
	if _, err := c.SnapshotMeta(2); err == nil {
		t.Fatal("snapshot of an unapplied index accepted")
	}
	meta, err := c.SnapshotMeta(1)
	if err != nil || meta.Term != 1 || len(meta.Config.Members) != 3 {
		t.Fatalf("SnapshotMeta(1) = %+v, %v", meta, err)
	}
}

// A MsgSnap that is lost without a ReportSnapshot does not stall the
// follower: after at most two election timeouts the leader probes again.
func TestLostSnapshotExpires(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(2), store, nil)
	becomeLeaderNow(t, c, store)
	c.prs[2].becomeSnapshot(5)
	for range 2 * c.electionTimeout {
		c.Tick()
	}
	if c.prs[2].state != StateProbe || c.prs[2].next != 1 {
		t.Fatalf("state %v next %d, want Probe at 1", c.prs[2].state, c.prs[2].next)
	}
}
