package client

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// streamNode serves session writes on Session streams and records them;
// it breaks the stream (without a verdict) on the writes numbered in
// breakOn, after receiving them, and refuses every stream with its
// -max-sessions verdict when full is set.
type streamNode struct {
	sessionNode
	breakOn map[int]bool
	full    bool

	mu      sync.Mutex
	streams int
	open    int // streams open now
	unary   int
	writes  []*resqlitepb.ExecuteRequest
}

func (n *streamNode) Execute(ctx context.Context, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.unary++
	n.writes = append(n.writes, req)
	return &resqlitepb.ExecuteResponse{Index: uint64(10 + len(n.writes))}, nil
}

func (n *streamNode) Session(stream resqlitepb.ReSqlite_SessionServer) error {
	if n.full {
		stream.SetTrailer(metadata.Pairs(wire.VerdictTrailer, "1"))
		return status.Error(codes.ResourceExhausted, "this node has its maximum of 1 open sessions (-max-sessions)")
	}
	n.mu.Lock()
	n.streams++
	n.open++
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		n.open--
		n.mu.Unlock()
	}()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		n.mu.Lock()
		n.writes = append(n.writes, req.GetWrite())
		k := len(n.writes)
		n.mu.Unlock()
		if n.breakOn[k] {
			return status.Error(codes.Unavailable, "connection to the leader lost")
		}
		resp := &resqlitepb.SessionResponse{Seq: req.GetSeq(), Outcome: &resqlitepb.SessionResponse_Write{
			Write: &resqlitepb.ExecuteResponse{Index: uint64(10 + k)},
		}}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}

// serveStreamNode serves n on a loopback port and returns a client of it.
func serveStreamNode(t *testing.T, n *streamNode) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	resqlitepb.RegisterReSqliteServer(g, n)
	go g.Serve(lis)
	t.Cleanup(g.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, lis.Addr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// checkSeqs fails unless the node received writes of session 7 with
// these sequence numbers, in order.
func (n *streamNode) checkSeqs(t *testing.T, want ...uint64) {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.writes) != len(want) {
		t.Fatalf("the node received %d writes, want %d", len(n.writes), len(want))
	}
	for i, w := range n.writes {
		if w.GetClientId() != 7 || w.GetWriteSeq() != want[i] {
			t.Fatalf("write %d sent as session %d seq %d, want session 7 seq %d", i, w.GetClientId(), w.GetWriteSeq(), want[i])
		}
	}
}

// A client's session writes, one after the other, travel on one Session
// stream that stays open, not a unary call each.
func TestSessionWritesShareOneStream(t *testing.T) {
	n := &streamNode{}
	c := serveStreamNode(t, n)
	ctx := context.Background()
	for i := range 3 {
		r, err := c.Exec(ctx, "INSERT INTO t VALUES (1)")
		if err != nil || r.Index != uint64(11+i) {
			t.Fatalf("write %d: %v %+v", i, err, r)
		}
	}
	n.checkSeqs(t, 1, 2, 3)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.streams != 1 || n.unary != 0 {
		t.Fatalf("the writes took %d streams and %d unary calls, want 1 stream", n.streams, n.unary)
	}
}

// A stream that breaks after a write reached the node leaves its outcome
// unknown: the write is sent again under its number on a new stream, and
// the result of the repeat is returned.
func TestBrokenWriteStreamIsResentUnderItsNumber(t *testing.T) {
	n := &streamNode{breakOn: map[int]bool{2: true}}
	c := serveStreamNode(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 2 {
		if _, err := c.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	n.checkSeqs(t, 1, 2, 2)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.streams != 2 {
		t.Fatalf("the writes took %d streams, want 2 (one broke)", n.streams)
	}
}

// A node that refuses Session streams (its -max-sessions are open) gets
// the client's writes as unary calls; nothing was proposed by the
// refused stream, and the write is not reported as of unknown outcome.
func TestRefusedWriteStreamFallsBackToUnaryCalls(t *testing.T) {
	n := &streamNode{full: true}
	c := serveStreamNode(t, n)
	ctx := context.Background()
	for i := range 2 {
		if _, err := c.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	n.checkSeqs(t, 1, 2)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.unary != 2 {
		t.Fatalf("%d unary calls, want 2", n.unary)
	}
}

// A write whose caller gives up (its context ends) while it waits on the
// stream returns at once as of unknown outcome; the client's next write
// goes out in another session on a new stream.
func TestCancelledStreamedWriteReturns(t *testing.T) {
	n := &streamNode{}
	c := serveStreamNode(t, n)
	n.mu.Lock() // the node takes the write but cannot answer
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Exec(ctx, "INSERT INTO t VALUES (1)")
	n.mu.Unlock()
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("cancelled write: %v, want ErrOutcomeUnknown", err)
	}
	if r, err := c.Exec(context.Background(), "INSERT INTO t VALUES (2)"); err != nil || r.Index == 0 {
		t.Fatalf("next write: %v %+v", err, r)
	}
}

// A burst of concurrent writes leaves many idle sessions; at most
// maxIdleStreams of them keep their stream open on the node.
func TestIdleWriteStreamsAreBounded(t *testing.T) {
	n := &streamNode{}
	c := serveStreamNode(t, n)
	ctx := context.Background()
	const burst = maxIdleStreams + 20
	// Each writer takes its session before any returns one.
	start := make(chan struct{})
	var wg sync.WaitGroup
	c.mu.Lock()
	for range burst {
		c.idle = append(c.idle, &writeSession{id: 7})
	}
	c.mu.Unlock()
	for range burst {
		ws, err := c.takeSession(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			<-start
			req := &resqlitepb.ExecuteRequest{ClientId: ws.id, WriteSeq: 1}
			if _, _, err := c.executeStreamed(ctx, ws, req); err != nil {
				t.Error(err)
			}
			c.putSession(ws)
		})
	}
	close(start)
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n.mu.Lock()
		open, opened := n.open, n.streams
		n.mu.Unlock()
		if opened == burst && open == maxIdleStreams {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d streams opened, %d still open; want %d open", opened, open, maxIdleStreams)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
