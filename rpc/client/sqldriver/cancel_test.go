package sqldriver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// A context that expires interrupts a read, a write and a commit in
// flight; the error wraps the context's, and a write's also says its
// outcome is unknown.
func testCancel(t *testing.T, c *testCluster) {
	ctx := testCtx(t)
	db := open(t, c.follower())
	mustExec(t, ctx, db, "CREATE TABLE slow (v)")
	// Hold the connection, so the calls below reach the driver rather
	// than wait in database/sql for one.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	endless := "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	_, err = conn.QueryContext(short, endless)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("endless read under a 300ms deadline: %v after %v", err, time.Since(start))
	}

	short, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
	start = time.Now()
	_, err = conn.ExecContext(short, "INSERT INTO slow VALUES (resqlite_test_sleep(2000))")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, client.ErrOutcomeUnknown) || time.Since(start) > 1900*time.Millisecond {
		t.Fatalf("slow write under a 300ms deadline: %v after %v", err, time.Since(start))
	}

	txCtx, cancelTx := context.WithCancel(ctx)
	tx, err := conn.BeginTx(txCtx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, tx, "INSERT INTO slow VALUES ('from the cancelled transaction')")
	cancelTx()
	if err := tx.Commit(); err == nil {
		t.Fatal("a transaction whose context was cancelled committed")
	}
	// The slow write may have committed (its outcome was unknown); the
	// cancelled transaction did not.
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM slow WHERE v = 'from the cancelled transaction'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows of the cancelled transaction: %d %v", n, err)
	}
}
