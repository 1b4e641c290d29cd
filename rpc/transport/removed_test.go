package transport

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
)

// nextRemoval waits up to 10s for a ReportRemoved call on n, sending
// what send sends every 20ms meanwhile (a refusal on a stream shows only
// on a later write to it).
func nextRemoval(t *testing.T, n *testNode, send func()) removal {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		send()
		select {
		case r := <-n.rec.removed:
			return r
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no ReportRemoved within 10s")
		}
	}
}

// A node refused by a member whose committed configuration leaves it out
// is told which configuration that is, whether the refused message is a
// vote request or a heartbeat.
func TestRefusalReportsCommittedConfiguration(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	a.t.SetMembers(members(map[raft.NodeID]string{1: a.addr, 2: b.addr}))
	b.t.SetMembers(members(map[raft.NodeID]string{2: b.addr, 3: "127.0.0.1:1"}))
	b.t.SetCommittedConfiguration(9, members(map[raft.NodeID]string{2: b.addr, 3: "127.0.0.1:1"}))
	vote := raft.Message{Type: raft.MsgPreVote, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2}
	if r := nextRemoval(t, a, func() { a.t.Send([]raft.Message{vote}) }); r != (removal{2, 9}) {
		t.Fatalf("ReportRemoved%+v, want by 2 at index 9", r)
	}
	b.t.SetCommittedConfiguration(12, members(map[raft.NodeID]string{2: b.addr}))
	heartbeat := raft.Message{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 3}
	for {
		r := nextRemoval(t, a, func() { a.t.Send([]raft.Message{heartbeat}) })
		if r == (removal{2, 12}) {
			break
		}
		if r != (removal{2, 9}) { // a vote refused before the change
			t.Fatalf("ReportRemoved%+v over the stream, want by 2 at index 12", r)
		}
	}
	select {
	case m := <-b.rec.msgs:
		t.Fatalf("a refused message reached the node: %+v", m)
	default:
	}
}

// A refusal proves nothing when the refuser's committed configuration
// still includes the sender (its removal is not committed) or is the
// bootstrap one (index 0), or when it is not a refusal of a non-member.
func TestRefusalWithoutEvidenceReportsNothing(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	b.t.SetMembers(members(map[raft.NodeID]string{2: b.addr}))
	b.t.SetCommittedConfiguration(5, members(map[raft.NodeID]string{1: a.addr, 2: b.addr}))
	a.t.reportRefusal(2, b.t.notMember(1))
	b.t.SetCommittedConfiguration(0, members(map[raft.NodeID]string{2: b.addr}))
	a.t.reportRefusal(2, b.t.notMember(1))
	a.t.reportRefusal(2, b.t.checkHeader(&raftpb.Header{ClusterId: 8, From: 1, To: 2}))
	a.t.reportRefusal(2, errors.New("rpc: message from node 1, which is not a member of this node's configuration"))
	select {
	case r := <-a.rec.removed:
		t.Fatalf("ReportRemoved%+v without evidence", r)
	default:
	}
	b.t.SetCommittedConfiguration(7, members(map[raft.NodeID]string{2: b.addr}))
	a.t.reportRefusal(2, fmt.Errorf("send batch: %w", b.t.notMember(1)))
	if r := <-a.rec.removed; r != (removal{2, 7}) {
		t.Fatalf("ReportRemoved%+v, want by 2 at index 7", r)
	}
}
