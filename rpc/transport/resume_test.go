package transport

import (
	"context"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"google.golang.org/grpc/connectivity"
)

// A peer that restarted is sent to again as soon as a message from it
// arrives, not after the rest of the pause that the failed sends during
// its restart started: a restarted node often becomes the leader at once
// (a stopping leader hands over to it), and the requests its followers
// drop during that pause (reads, append responses) stall the cluster.
func TestPeerHeardFromEndsTheBackoffTowardsIt(t *testing.T) {
	const pause = 3 * time.Second
	a := startTestNode(t, 1, 7, "", Config{MinBackoff: pause, MaxBackoff: 2 * pause})
	b := startTestNode(t, 2, 7, "", Config{})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 1}})
	receive(t, b.rec.msgs)

	// b stops: a's sends to it fail and a pauses them.
	b.stop()
	deadline := time.Now().Add(10 * time.Second)
	for !a.t.peer(2).lost.Load() {
		if time.Now().After(deadline) {
			t.Fatal("a never noticed b was down")
		}
		a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 1}})
		time.Sleep(10 * time.Millisecond)
	}

	// b comes back at its address and speaks to a.
	b = startTestNode(t, 2, 7, b.addr, Config{})
	b.t.SetMembers(conf)
	start := time.Now()
	b.t.Send([]raft.Message{{Type: raft.MsgHeartbeatResp, From: 2, To: 1, Term: 1}})
	receive(t, a.rec.msgs)
	for {
		a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 2}})
		select {
		case m := <-b.rec.msgs:
			if m.Term != 2 {
				continue
			}
			if d := time.Since(start); d > pause/3 {
				t.Fatalf("a reached b %v after hearing from it; want at once, not after its %v pause", d, pause)
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(start) > 2*pause {
			t.Fatalf("a did not reach b within %v of hearing from it", 2*pause)
		}
	}
}

// The first message to a peer that restarted since the last one is
// delivered: the stream to its previous run fails on that send, and the
// batch goes again on a new stream at once instead of being lost. (A
// follower's vote for a just-restarted node, handed leadership, went out
// on such a stream; in a 5-node cluster the hand-over then failed and an
// election followed.)
func TestFirstMessageToARestartedPeerIsDelivered(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 1}})
	receive(t, b.rec.msgs)

	b.stop()
	// a's connection notices that b went away (a restart takes longer
	// than that), then b is back.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn := a.t.peer(2).conn
	for st := conn.GetState(); st == connectivity.Ready; st = conn.GetState() {
		if !conn.WaitForStateChange(ctx, st) {
			t.Fatal("a's connection to b still ready 10s after b stopped")
		}
	}
	b = startTestNode(t, 2, 7, b.addr, Config{})
	b.t.SetMembers(conf)
	a.t.Send([]raft.Message{{Type: raft.MsgVoteResp, From: 1, To: 2, Term: 2}})
	select {
	case m := <-b.rec.msgs:
		if m.Type != raft.MsgVoteResp || m.Term != 2 {
			t.Fatalf("b received %v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first message to the restarted peer was lost")
	}
}
