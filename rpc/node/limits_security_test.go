package node_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// startLimited starts a one-node cluster in the test process with the
// limits of limits (its other fields are set here) and returns a raw
// client of it on one connection; both end with the test.
func startLimited(t *testing.T, limits node.Config) resqlitepb.ReSqliteClient {
	t.Helper()
	lis := listenLoopback(t)
	cfg := limits
	cfg.ID, cfg.Peers, cfg.DataDir, cfg.Listener = 1, []raft.Member{{ID: 1, Addr: lis.Addr().String()}}, t.TempDir(), lis
	n, err := node.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	conn, err := grpc.NewClient(n.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return resqlitepb.NewReSqliteClient(conn)
}

// -max-sessions refuses a Session beyond the limit (RESOURCE_EXHAUSTED)
// and takes one again once a session ended; -query-timeout ends a Query
// that runs longer with DEADLINE_EXCEEDED, and so a session's read.
func TestSessionAndQueryLimits(t *testing.T) {
	rc := startLimited(t, node.Config{MaxSessions: 1, QueryTimeout: 300 * time.Millisecond})
	ctx := ctxT(t, time.Minute)

	status1 := func(s resqlitepb.ReSqlite_SessionClient) error {
		if err := s.Send(&resqlitepb.SessionRequest{Seq: 1, Op: &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{Sql: []byte("SELECT 1"), Consistency: resqlitepb.Consistency_CONSISTENCY_LOCAL}}}); err != nil {
			return err
		}
		_, err := s.Recv()
		return err
	}
	first, err := rc.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := status1(first); err != nil {
		t.Fatalf("first session: %v", err)
	}
	second, err := rc.Session(ctx)
	if err == nil {
		err = status1(second)
	}
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("second session: %v, want RESOURCE_EXHAUSTED", err)
	}
	first.CloseSend()
	if _, err := first.Recv(); err != io.EOF {
		t.Fatalf("end of the first session: %v", err)
	}
	third, err := rc.Session(ctx)
	if err == nil {
		err = status1(third)
	}
	if err != nil {
		t.Fatalf("a session after the first ended: %v", err)
	}

	start := time.Now()
	q, err := rc.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte(endless), Consistency: resqlitepb.Consistency_CONSISTENCY_LOCAL})
	if err == nil {
		_, err = q.Recv()
	}
	if status.Code(err) != codes.DeadlineExceeded || time.Since(start) > 20*time.Second {
		t.Fatalf("endless query: %v after %v, want DEADLINE_EXCEEDED after the query timeout", err, time.Since(start))
	}

	// The reads of a session (a batch's reads), whole or chunked, too:
	// each fails alone, and the session goes on.
	for seq, chunked := range []bool{false, true} {
		req := &resqlitepb.SessionRequest{Seq: uint64(seq + 2), Op: &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{
			Sql: []byte(endless), Consistency: resqlitepb.Consistency_CONSISTENCY_LOCAL, Chunked: chunked}}}
		if err := third.Send(req); err != nil {
			t.Fatal(err)
		}
		resp, err := third.Recv()
		if err != nil {
			t.Fatalf("session read (chunked %v): %v", chunked, err)
		}
		f := resp.GetFailure()
		if codes.Code(f.GetCode()) != codes.DeadlineExceeded || !strings.Contains(f.GetMessage(), "-query-timeout") {
			t.Fatalf("endless session read (chunked %v): %v, want DEADLINE_EXCEEDED naming -query-timeout", chunked, resp)
		}
	}
	if err := third.Send(&resqlitepb.SessionRequest{Seq: 4, Op: &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{
		Sql: []byte("SELECT 1"), Consistency: resqlitepb.Consistency_CONSISTENCY_LOCAL}}}); err != nil {
		t.Fatal(err)
	}
	if resp, err := third.Recv(); err != nil || resp.GetFailure() != nil {
		t.Fatalf("a read after the timed-out ones: %v %v", resp, err)
	}
}

// endless is a read that never ends by itself.
const endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"

// -max-inflight bounds the requests in flight on one connection: with 1,
// a call waits while a session stream is open on the same connection,
// and goes through once it ended.
func TestInflightLimitPerConnection(t *testing.T) {
	rc := startLimited(t, node.Config{MaxStreams: 1})
	ctx := ctxT(t, time.Minute)
	s, err := rc.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(&resqlitepb.SessionRequest{Seq: 1, Op: &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{Sql: []byte("SELECT 1"), Consistency: resqlitepb.Consistency_CONSISTENCY_LOCAL}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	_, err = rc.Status(short, &resqlitepb.StatusRequest{})
	cancel()
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("a second request while the session is open: %v, want it to wait", err)
	}
	s.CloseSend()
	if _, err := s.Recv(); err != io.EOF {
		t.Fatalf("end of the session: %v", err)
	}
	if _, err := rc.Status(ctx, &resqlitepb.StatusRequest{}); err != nil {
		t.Fatalf("a request after the session ended: %v", err)
	}
}
