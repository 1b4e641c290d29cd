package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// -stream-idle-limit reaches the node: a read whose client takes no rows
// for longer than the limit is cancelled with ABORTED naming it.
func TestStreamIdleLimitFlag(t *testing.T) {
	skipShort(t)
	addr := freeAddrs(t, 1)[0]
	nd := startChild(t, addr, "-serve", "-data", t.TempDir(), "-peers", "1="+addr, "-stream-idle-limit", "300ms")
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rc := resqlitepb.NewReSqliteClient(conn)
	var q resqlitepb.ReSqlite_QueryClient
	for {
		q, err = rc.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte("SELECT value, printf('%0100d', value) FROM generate_series(1, 10000000)"), Consistency: resqlitepb.Consistency_CONSISTENCY_LOCAL})
		if err == nil {
			_, err = q.Recv()
		}
		if err == nil {
			break
		}
		select { // the node is still starting
		case <-nd.exited:
			t.Fatalf("the node exited: %s", nd.stderr)
		case <-ctx.Done():
			t.Fatalf("no first chunk: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	// The stimulus: take nothing for three times the limit (flow control
	// stops the node once the connection's window is full).
	time.Sleep(900 * time.Millisecond)
	for err == nil {
		_, err = q.Recv()
	}
	if status.Code(err) != codes.Aborted || !strings.Contains(err.Error(), "300ms") {
		t.Fatalf("stalled read ended with %v, want ABORTED naming the 300ms idle limit", err)
	}
}
