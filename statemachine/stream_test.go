package statemachine

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// TestQueryEachStreamsRows checks that QueryEach hands over every row in
// order, the columns first, also for a result without rows.
func TestQueryEachStreamsRows(t *testing.T) {
	sm := openTest(t)
	var cols []string
	var got []int64
	err := sm.QueryEach(context.Background(), "SELECT value AS v FROM generate_series(1, 5000)", nil,
		func(c []string) error { cols = c; return nil },
		func(_ context.Context, row []Value) error { got = append(got, row[0].Int); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || cols[0] != "v" || len(got) != 5000 || got[0] != 1 || got[4999] != 5000 {
		t.Fatalf("columns %v, %d rows", cols, len(got))
	}
	called := false
	err = sm.QueryEach(context.Background(), "SELECT 1 AS a WHERE 0", nil,
		func(c []string) error { called = len(c) == 1; return nil },
		func(context.Context, []Value) error { t.Fatal("row of an empty result"); return nil })
	if err != nil || !called {
		t.Fatalf("empty result: columns called %v, err %v", called, err)
	}
}

// TestQueryEachCancelledByRestore checks that a Restore ends running
// streamed reads with ErrRestored, both one whose consumer is slow (blocked
// in the row callback) and one SQLite is stepping.
func TestQueryEachCancelledByRestore(t *testing.T) {
	src := openTest(t)
	mustExec(t, src, "CREATE TABLE t(x)")
	var snap bytes.Buffer
	if _, err := src.Snapshot(&snap); err != nil {
		t.Fatal(err)
	}
	sm := openTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	blocked := make(chan struct{})
	stepping := make(chan struct{})
	errs := make(chan error, 2)
	// A consumer that stalls after its first row: the callback waits for
	// the end of the read's context, which the restore cancels.
	go func() {
		var once bool
		errs <- sm.QueryEach(ctx, "SELECT value FROM generate_series(1, 1000000)", nil,
			func([]string) error { return nil },
			func(rctx context.Context, _ []Value) error {
				if !once {
					once = true
					close(blocked)
				}
				<-rctx.Done()
				return context.Cause(rctx)
			})
	}()
	// A read busy in SQLite: an endless series, consumed as fast as it comes.
	go func() {
		var once bool
		errs <- sm.QueryEach(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c", nil,
			func([]string) error { return nil },
			func(context.Context, []Value) error {
				if !once {
					once = true
					close(stepping)
				}
				return nil
			})
	}()
	<-stepping
	<-blocked
	if err := sm.Restore(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrRestored) || ctx.Err() != nil {
				t.Fatalf("read during restore ended with %v, want ErrRestored", err)
			}
		case <-ctx.Done():
			t.Fatal("a read was not cancelled by the restore")
		}
	}
}
