package statemachine

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A Digest over a large database stops when its context ends, as queries
// and dumps do, instead of reading on to the end.
func TestDigestStopsWhenContextEnds(t *testing.T) {
	sm := openTest(t)
	mustExec(t, sm, "CREATE TABLE big (a INTEGER PRIMARY KEY, b TEXT)")
	mustExec(t, sm, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) INSERT INTO big SELECT x, printf('%0100d', x) FROM c")
	start := time.Now()
	if _, err := sm.Digest(context.Background()); err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), full/20)
	defer cancel()
	start = time.Now()
	_, err := sm.Digest(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("digest with a %v deadline (a full one takes %v): err %v after %v, want the deadline's error", full/20, full, err, time.Since(start))
	}
	// The reader goes back to the pool usable.
	if _, err := sm.Digest(context.Background()); err != nil {
		t.Fatalf("digest after a canceled one: %v", err)
	}
}
