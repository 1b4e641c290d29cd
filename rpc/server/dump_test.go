package server

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc"
)

// blockingDumpStream is a Dump stream whose first Send waits for release.
type blockingDumpStream struct {
	grpc.ServerStream // only Context and Send are used
	ctx               context.Context
	first             chan struct{} // closed when the first Send arrives
	release           chan struct{}
	chunks            int
}

func (s *blockingDumpStream) Context() context.Context { return s.ctx }

func (s *blockingDumpStream) Send(*resqlitepb.DumpChunk) error {
	s.chunks++
	if s.chunks == 1 {
		close(s.first)
		<-s.release
	}
	return nil
}

// applySQL applies sql to sm as the next entry.
func applySQL(t *testing.T, sm *statemachine.StateMachine, sql string) {
	t.Helper()
	data := statemachine.EncodeCommand(statemachine.Command{Statements: []statemachine.Statement{{SQL: sql}}})
	res, err := sm.Apply([]raft.Entry{{Index: sm.AppliedIndex() + 1, Term: 1, Type: raft.EntryNormal, Data: data}})
	if err != nil {
		t.Fatalf("apply %q: %v", sql, err)
	}
	if r := res[0].(*statemachine.Result); r.Err != nil {
		t.Fatalf("apply %q: %v", sql, r.Err)
	}
}

// A Dump running when the state machine closes ends with an error: the
// dump reads on the state machine's own connections, which Close cancels
// (it does not go on reading the database file behind Close's back).
func TestDumpEndsWhenStateMachineCloses(t *testing.T) {
	sm, err := statemachine.Open(t.TempDir(), statemachine.Options{ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer sm.Close()
	applySQL(t, sm, "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
	// About 4 MB of SQL text: several chunks.
	applySQL(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000) INSERT INTO t SELECT x, hex(zeroblob(100)) FROM c")
	// A Dump at local consistency asks the node only for its applied
	// index, which a node that never started reports as 0.
	srv, err := New(Config{Node: &raft.Node{}, State: sm})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream := &blockingDumpStream{ctx: ctx, first: make(chan struct{}), release: make(chan struct{})}
	dumped := make(chan error, 1)
	go func() { dumped <- srv.Dump(&resqlitepb.DumpRequest{}, stream) }()
	select {
	case <-stream.first:
	case err := <-dumped:
		t.Fatalf("dump ended before its first chunk: %v", err)
	case <-ctx.Done():
		t.Fatal("no first chunk")
	}
	closed := make(chan error, 1)
	go func() { closed <- sm.Close() }()
	if err := sm.WaitApplied(ctx, math.MaxUint64); !errors.Is(err, statemachine.ErrClosed) {
		t.Fatalf("state machine not closed: %v", err)
	}
	close(stream.release)
	select {
	case err := <-dumped:
		if err == nil {
			t.Fatalf("dump completed (%d chunks) across Close", stream.chunks)
		}
	case <-ctx.Done():
		t.Fatal("dump still running after Close")
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("close: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not return")
	}
}
