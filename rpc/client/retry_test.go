package client

import (
	"context"
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

// sessionNode is a fake node's base: it registers every client session
// as client 7 and answers Status with an empty status.
type sessionNode struct {
	resqlitepb.UnimplementedReSqliteServer
}

func (sessionNode) RegisterSession(context.Context, *resqlitepb.RegisterSessionRequest) (*resqlitepb.RegisterSessionResponse, error) {
	return &resqlitepb.RegisterSessionResponse{ClientId: 7}, nil
}

func (sessionNode) Status(context.Context, *resqlitepb.StatusRequest) (*resqlitepb.StatusResponse, error) {
	return &resqlitepb.StatusResponse{}, nil
}

// flakyLeader answers a session write's first attempts with the node's
// verdict that its outcome is unknown (ABORTED), then with a result; it
// records every write it receives.
type flakyLeader struct {
	sessionNode
	failures int

	mu     sync.Mutex
	writes []*resqlitepb.ExecuteRequest
}

func (f *flakyLeader) Execute(ctx context.Context, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, error) {
	f.mu.Lock()
	f.writes = append(f.writes, req)
	n := len(f.writes)
	f.mu.Unlock()
	if n <= f.failures {
		grpc.SetTrailer(ctx, metadata.Pairs(wire.VerdictTrailer, "1"))
		return nil, status.Error(codes.Aborted, "write outcome unknown (entry 9): raft: leadership lost before the entry committed; it may have committed")
	}
	return &resqlitepb.ExecuteResponse{Index: 9, Results: []*resqlitepb.StatementResult{{RowsAffected: 1}}}, nil
}

// A session write the node reports of unknown outcome (its own ABORTED
// verdict: leadership lost, or the call to the leader broke after it was
// sent) is sent again under the same session and sequence number until
// it gets its result (Raft thesis §6.3), not returned as unknown.
func TestSessionWriteOfUnknownOutcomeIsSentAgain(t *testing.T) {
	srv := &flakyLeader{failures: 2}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := grpc.NewServer()
	resqlitepb.RegisterReSqliteServer(g, srv)
	go g.Serve(lis)
	defer g.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, lis.Addr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Exec(ctx, "INSERT INTO t VALUES (1)")
	if err != nil || r.Index != 9 {
		t.Fatalf("write: %v %+v, want its result after the node's unknown-outcome verdicts", err, r)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.writes) != 3 {
		t.Fatalf("the node received %d attempts, want 3", len(srv.writes))
	}
	for _, w := range srv.writes {
		if w.GetClientId() != 7 || w.GetWriteSeq() != 1 {
			t.Fatalf("attempt sent as session %d seq %d, want session 7 seq 1", w.GetClientId(), w.GetWriteSeq())
		}
	}
}
