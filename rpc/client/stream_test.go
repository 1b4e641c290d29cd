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
