package transport

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

func TestPeerStatsCountBytesBothWays(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	if st := a.t.PeerStats(); len(st) != 1 || st[2] != (PeerStats{}) {
		t.Fatalf("stats before any message: %+v", st)
	}
	a.t.Send([]raft.Message{{Type: raft.MsgApp, From: 1, To: 2, Term: 1, Index: 1,
		Entries: []raft.Entry{{Index: 2, Term: 1, Data: make([]byte, 1000)}}}})
	receive(t, b.rec.msgs)
	// The receiver counted the batch before delivering it; the sender
	// counts it once its write returned.
	got := b.t.PeerStats()[1].BytesReceived
	sent := a.t.PeerStats()[2].BytesSent
	for deadline := time.Now().Add(10 * time.Second); sent != got && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		sent = a.t.PeerStats()[2].BytesSent
	}
	if sent < 1000 || got != sent {
		t.Fatalf("node 1 sent %d bytes, node 2 received %d; want equal and at least the 1000-byte entry", sent, got)
	}
	if _, ok := a.t.PeerStats()[1]; ok {
		t.Fatal("stats list the node itself")
	}
}
