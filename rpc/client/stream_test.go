package client

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// brokenReads serves reads that fail with UNAVAILABLE (a retryable
// failure) after rowsFirst rows; the first failFirst reads fail before any.
type brokenReads struct {
	resqlitepb.UnimplementedReSqliteServer
	calls     atomic.Int64
	failFirst int64
}

func (b *brokenReads) Query(req *resqlitepb.QueryRequest, stream resqlitepb.ReSqlite_QueryServer) error {
	if b.calls.Add(1) <= b.failFirst {
		return status.Error(codes.Unavailable, "node not ready")
	}
	rows := [][]sqlval.Value{{sqlval.Integer(1)}, {sqlval.Integer(2)}}
	if err := stream.Send(&resqlitepb.QueryResponse{Columns: wire.Bytes([]string{"a"}), Rows: wire.RowsToProto(rows), AppliedIndex: 7}); err != nil {
		return err
	}
	return status.Error(codes.Unavailable, "connection to the node broke")
}

// A read is tried again while nothing of it arrived, and never once rows
// did: they may have been printed already. Query (which collects) fails
// too, instead of serving the read again from the start.
func TestReadIsNotRetriedAfterRowsArrived(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := &brokenReads{failFirst: 1}
	addr, _ := serveFake(t, srv)
	c, err := Dial(ctx, addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rs, err := c.QueryStream(ctx, Linearizable, "SELECT a FROM t")
	if err != nil {
		t.Fatalf("a read that failed before any row is tried again: %v", err)
	}
	if srv.calls.Load() != 2 || len(rs.Columns) != 1 || rs.AppliedIndex != 7 {
		t.Fatalf("%d calls, columns %v, applied %d", srv.calls.Load(), rs.Columns, rs.AppliedIndex)
	}
	rows, err := rs.Next()
	if err != nil || len(rows) != 2 {
		t.Fatalf("first rows: %v %v", rows, err)
	}
	_, err = rs.Next()
	if err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "not tried again") || status.Code(err) != codes.Unavailable {
		t.Fatalf("read broken after rows: %v", err)
	}
	if srv.calls.Load() != 2 {
		t.Fatalf("the read was sent again after rows arrived (%d calls)", srv.calls.Load())
	}

	srv.calls.Store(0)
	srv.failFirst = 0
	if rows, err := c.Query(ctx, Linearizable, "SELECT a FROM t"); err == nil || srv.calls.Load() != 1 {
		t.Fatalf("Query broken after rows: %v, %v after %d calls; want an error after 1 call", rows, err, srv.calls.Load())
	}
}

// brokenSession answers a streamed session read with a first chunk, then
// breaks the stream; on a new stream it answers every read whole. It
// counts the reads it receives.
type brokenSession struct {
	resqlitepb.UnimplementedReSqliteServer
	reads   atomic.Int64
	streams atomic.Int64
}

func (b *brokenSession) RegisterSession(context.Context, *resqlitepb.RegisterSessionRequest) (*resqlitepb.RegisterSessionResponse, error) {
	return &resqlitepb.RegisterSessionResponse{ClientId: 5}, nil
}

func (b *brokenSession) Session(stream resqlitepb.ReSqlite_SessionServer) error {
	first := b.streams.Add(1) == 1
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		b.reads.Add(1)
		rows := wire.RowsToProto([][]sqlval.Value{{sqlval.Integer(1)}, {sqlval.Integer(2)}})
		resp := &resqlitepb.QueryResponse{Columns: wire.Bytes([]string{"a"}), Rows: rows, AppliedIndex: 3, More: first}
		if err := stream.Send(&resqlitepb.SessionResponse{Seq: req.GetSeq(), Outcome: &resqlitepb.SessionResponse_Read{Read: resp}}); err != nil {
			return err
		}
		if first {
			return status.Error(codes.Unavailable, "connection to the node broke")
		}
	}
}

// A session's streamed read that breaks after its first rows came fails
// (its rows may have been printed) and is not sent again when the session
// resumes on a new stream; the requests after it are.
func TestSessionStreamedReadIsNotResentAfterRows(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := &brokenSession{}
	addr, _ := serveFake(t, srv)
	c, err := Dial(ctx, addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Submit(Request{Read: "SELECT a FROM t", Stream: true}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Next()
	if err != nil || r.Stream == nil {
		t.Fatalf("streamed read: %+v %v", r, err)
	}
	if rows, err := r.Stream.Next(); err != nil || len(rows) != 2 {
		t.Fatalf("first rows: %v %v", rows, err)
	}
	if _, err := r.Stream.Next(); err == nil || !strings.Contains(err.Error(), "not tried again") {
		t.Fatalf("read broken after rows: %v", err)
	}
	// The session goes on, on a new stream, without the broken read.
	if err := s.Submit(Request{Read: "SELECT a FROM t", Stream: true}); err != nil {
		t.Fatal(err)
	}
	r, err = s.Next()
	if err != nil || r.Stream == nil {
		t.Fatalf("next read: %+v %v", r, err)
	}
	if rows, err := r.Stream.Next(); err != nil || len(rows) != 2 {
		t.Fatalf("next read's rows: %v %v", rows, err)
	}
	if _, err := r.Stream.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("next read's end: %v", err)
	}
	if n := srv.reads.Load(); n != 2 {
		t.Fatalf("the node received %d reads, want 2 (the broken one was sent again)", n)
	}
}
