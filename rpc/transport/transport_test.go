package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// recorder is a Handler that records what it receives and can answer
// requests through its transport, as a node would.
type recorder struct {
	t        *Transport
	msgs     chan raft.Message
	snapshot chan []byte
	autoVote bool
	// removed records ReportRemoved calls.
	removed chan removal
}

// removal is one ReportRemoved call.
type removal struct {
	by          raft.NodeID
	configIndex uint64
}

func (r *recorder) Step(ctx context.Context, m raft.Message) error {
	if r.autoVote && (m.Type == raft.MsgVote || m.Type == raft.MsgPreVote) {
		t := raft.MsgVoteResp
		if m.Type == raft.MsgPreVote {
			t = raft.MsgPreVoteResp
		}
		r.t.Send([]raft.Message{{Type: t, From: m.To, To: m.From, Term: m.Term}})
		return nil
	}
	if r.autoVote && m.Type == raft.MsgApp {
		r.t.Send([]raft.Message{{Type: raft.MsgAppResp, From: m.To, To: m.From, Term: m.Term, Index: m.Index + uint64(len(m.Entries))}})
		return nil
	}
	select {
	case r.msgs <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *recorder) ReportUnreachable(raft.NodeID) {}

func (r *recorder) ReportRemoved(by raft.NodeID, configIndex uint64) {
	select {
	case r.removed <- removal{by, configIndex}:
	default:
	}
}

func (r *recorder) ReceiveSnapshot(ctx context.Context, m raft.Message, data io.Reader) error {
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	r.snapshot <- b
	return nil
}

// testNode is a transport served on a loopback port.
type testNode struct {
	t    *Transport
	rec  *recorder
	srv  *grpc.Server
	addr string
}

func startTestNode(t *testing.T, id raft.NodeID, cluster uint64, addr string, cfg Config) *testNode {
	t.Helper()
	cfg.ID, cfg.ClusterID = id, cluster
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{t: tr, msgs: make(chan raft.Message, 10000), snapshot: make(chan []byte, 1), removed: make(chan removal, 100)}
	tr.SetHandler(rec)
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lis net.Listener
	for i := 0; ; i++ {
		lis, err = net.Listen("tcp", addr)
		if err == nil {
			break
		}
		if i == 50 {
			t.Fatalf("listen %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv := grpc.NewServer(ServerOptions()...)
	tr.Register(srv)
	go srv.Serve(lis)
	n := &testNode{t: tr, rec: rec, srv: srv, addr: lis.Addr().String()}
	t.Cleanup(n.stop)
	return n
}

func (n *testNode) stop() {
	n.t.Close()
	n.srv.Stop()
}

func members(nodes map[raft.NodeID]string) raft.Configuration {
	var c raft.Configuration
	for id, a := range nodes {
		c.Members = append(c.Members, raft.Member{ID: id, Addr: a})
	}
	return c
}

func receive(t *testing.T, ch chan raft.Message) raft.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message received within 10s")
	}
	return raft.Message{}
}

func TestStreamDeliversInOrder(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	const n = 3000
	for i := 1; i <= n; i++ {
		m := raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 1, Index: uint64(i), Commit: uint64(i),
			Entries: []raft.Entry{{Index: uint64(i) + 1, Term: 1, Data: []byte(fmt.Sprint(i))}}}
		a.t.Send([]raft.Message{m})
		if i%500 == 0 {
			time.Sleep(time.Millisecond) // pacing: let batches form and drain
		}
	}
	for i := 1; i <= n; i++ {
		m := receive(t, b.rec.msgs)
		if m.Index != uint64(i) || string(m.Entries[0].Data) != fmt.Sprint(i) || m.From != 1 {
			t.Fatalf("message %d arrived as %+v", i, m)
		}
	}
}

// Requests travel to the peer over the requester's stream and their
// replies come back over the peer's own stream: votes, pre-votes and
// AppendEntries alike (there is no synchronous call).
func TestRequestsAreAnsweredOverThePeersStream(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	b.rec.autoVote = true
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	a.t.Send([]raft.Message{{Type: raft.MsgPreVote, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2}})
	if m := receive(t, a.rec.msgs); m.Type != raft.MsgPreVoteResp || m.From != 2 || m.Term != 3 || m.Reject {
		t.Fatalf("got %+v", m)
	}
	a.t.Send([]raft.Message{{Type: raft.MsgVote, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2}})
	if m := receive(t, a.rec.msgs); m.Type != raft.MsgVoteResp || m.From != 2 || m.Term != 3 {
		t.Fatalf("got %+v", m)
	}
	a.t.Send([]raft.Message{{Type: raft.MsgApp, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2, Commit: 4,
		Entries: []raft.Entry{{Index: 5, Term: 3, Data: []byte("x")}, {Index: 6, Term: 3}}}})
	if m := receive(t, a.rec.msgs); m.Type != raft.MsgAppResp || m.Reject || m.Index != 6 || m.Term != 3 || m.From != 2 {
		t.Fatalf("AppendEntries reply %+v", m)
	}
}

func TestServerRejectsStrangers(t *testing.T) {
	b := startTestNode(t, 2, 7, "", Config{})
	b.t.SetMembers(members(map[raft.NodeID]string{1: "127.0.0.1:1", 2: b.addr}))
	conn, err := grpc.NewClient(b.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := raftpb.NewRaftClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cases := []struct {
		name string
		h    *raftpb.Header
	}{
		{"other cluster", &raftpb.Header{ClusterId: 8, From: 1, To: 2}},
		{"unknown sender", &raftpb.Header{ClusterId: 7, From: 9, To: 2}},
		{"wrong receiver", &raftpb.Header{ClusterId: 7, From: 1, To: 3}},
		{"no header", nil},
	}
	for _, tc := range cases {
		s, err := c.Replicate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msg := &raftpb.RaftMessage{Body: &raftpb.RaftMessage_TimeoutNow{TimeoutNow: &raftpb.TimeoutNowRequest{Header: tc.h, LeaderId: tc.h.GetFrom()}}}
		_ = s.Send(&raftpb.MessageBatch{Messages: []*raftpb.RaftMessage{msg}})
		if _, err := s.CloseAndRecv(); status.Code(err) != codes.PermissionDenied && status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: Replicate returned %v", tc.name, err)
		}
	}
	select {
	case m := <-b.rec.msgs:
		t.Fatalf("a rejected message reached the node: %+v", m)
	default:
	}
	// A member's message passes the same checks.
	s, err := c.Replicate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	msg := &raftpb.RaftMessage{Body: &raftpb.RaftMessage_TimeoutNow{TimeoutNow: &raftpb.TimeoutNowRequest{
		Header: &raftpb.Header{ClusterId: 7, From: 1, To: 2}, LeaderId: 1, Term: 5}}}
	if err := s.Send(&raftpb.MessageBatch{Messages: []*raftpb.RaftMessage{msg}}); err != nil {
		t.Fatalf("member's TimeoutNow: %v", err)
	}
	if m := receive(t, b.rec.msgs); m.Type != raft.MsgTimeoutNow || m.Term != 5 {
		t.Fatalf("got %+v", m)
	}
}

func TestTransportsOfDifferentClustersDoNotTalk(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 8, "", Config{})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	// Pacing, not a settle-sleep: the heartbeats are spread over 100ms
	// (across reconnection attempts), then 200ms more in which none may
	// arrive.
	for i := 0; i < 20; i++ {
		a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 1}})
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case m := <-b.rec.msgs:
		t.Fatalf("message crossed clusters: %+v", m)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestDeadPeerCostsOnlyDroppedMessagesAndReconnects(t *testing.T) {
	// Reserve an address for the peer that is down at first.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := lis.Addr().String()
	lis.Close()

	a := startTestNode(t, 1, 7, "", Config{QueueSize: 64, QueueBytes: 8 << 20})
	b := startTestNode(t, 2, 7, "", Config{})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr, 3: deadAddr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)

	start := time.Now()
	for i := 0; i < 20000; i++ {
		a.t.Send([]raft.Message{
			{Type: raft.MsgApp, From: 1, To: 3, Term: 1, Entries: []raft.Entry{{Index: 1, Term: 1, Data: make([]byte, 100)}}},
		})
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("Send to a dead peer blocked: 20000 sends took %v", d)
	}
	if q := len(a.t.peer(3).queue); q > 64 {
		t.Fatalf("dead peer's queue holds %d messages, bound is 64", q)
	}
	// Large messages are bounded by bytes as well.
	big := make([]byte, 1<<20)
	for i := 0; i < 200; i++ {
		a.t.Send([]raft.Message{{Type: raft.MsgApp, From: 1, To: 3, Term: 1, Entries: []raft.Entry{{Index: 1, Term: 1, Data: big}}}})
	}
	if qb := a.t.peer(3).queuedBytes.Load(); qb > a.t.cfg.QueueBytes+(1<<20)+200 {
		t.Fatalf("dead peer's queue holds %d bytes, bound is %d", qb, a.t.cfg.QueueBytes)
	}
	// The live peer is unaffected.
	a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 1}})
	if m := receive(t, b.rec.msgs); m.Type != raft.MsgHeartbeat {
		t.Fatalf("got %+v", m)
	}
	// The dead peer comes up at its address and is reached again.
	c := startTestNode(t, 3, 7, deadAddr, Config{})
	c.t.SetMembers(conf)
	deadline := time.Now().Add(10 * time.Second)
	for {
		a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 3, Term: 2}})
		select {
		case m := <-c.rec.msgs:
			if m.Type == raft.MsgHeartbeat && m.Term == 2 {
				return
			}
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("peer not reached within 10s of coming up")
		}
	}
}

func TestMembersAddedLaterAreReachableAndRemovedOnesRejected(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{})
	b := startTestNode(t, 2, 7, "", Config{})
	a.t.SetMembers(members(map[raft.NodeID]string{1: a.addr}))
	b.t.SetMembers(members(map[raft.NodeID]string{1: a.addr, 2: b.addr}))
	a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 1}})
	a.t.SetMembers(members(map[raft.NodeID]string{1: a.addr, 2: b.addr}))
	a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 2}})
	if m := receive(t, b.rec.msgs); m.Term != 2 {
		t.Fatalf("got %+v, want the heartbeat sent after node 2 joined", m)
	}
	// Node 2 drops node 1 from its configuration: 1's messages are refused.
	b.t.SetMembers(members(map[raft.NodeID]string{2: b.addr}))
	// Pacing, not a settle-sleep: the heartbeats are spread over 100ms
	// (across reconnection attempts), then 200ms more in which none may
	// arrive.
	for i := 0; i < 20; i++ {
		a.t.Send([]raft.Message{{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 3}})
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case m := <-b.rec.msgs:
		t.Fatalf("message from a removed member delivered: %+v", m)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestSendSnapshotInChunks(t *testing.T) {
	a := startTestNode(t, 1, 7, "", Config{SnapshotChunkSize: 64 << 10})
	b := startTestNode(t, 2, 7, "", Config{SnapshotDir: t.TempDir()})
	conf := members(map[raft.NodeID]string{1: a.addr, 2: b.addr})
	a.t.SetMembers(conf)
	b.t.SetMembers(conf)
	data := make([]byte, 1<<20+123)
	rand.Read(data)
	meta := &raft.SnapshotMeta{Index: 50, Term: 3, Config: conf}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg := raft.Message{Type: raft.MsgSnap, From: 1, To: 2, Term: 4, Snapshot: meta}
	if err := a.t.SendSnapshot(ctx, msg, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if got := <-b.rec.snapshot; !bytes.Equal(got, data) {
		t.Fatalf("snapshot data differs: got %d bytes, want %d", len(got), len(data))
	}
	if err := a.t.SendSnapshot(ctx, raft.Message{Type: raft.MsgSnap, From: 1, To: 9, Snapshot: meta}, bytes.NewReader(data)); err == nil {
		t.Fatal("snapshot to an unknown peer succeeded")
	}
	if err := a.t.SendSnapshot(ctx, raft.Message{Type: raft.MsgApp, From: 1, To: 2}, bytes.NewReader(data)); err == nil {
		t.Fatal("SendSnapshot accepted a MsgApp")
	}
	failing := io.MultiReader(bytes.NewReader(data[:1000]), errReader{})
	if err := a.t.SendSnapshot(ctx, msg, failing); err == nil {
		t.Fatal("SendSnapshot succeeded although its data could not be read")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
