package node_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine"
)

// Killing the leader (kill -9) and at once streaming 50 writes to a
// follower: every write succeeds — none is reported of unknown outcome or
// as not proposed — and each applies once. The follower waits for the
// next leader; writes cut off by the leader's death are sent again under
// their session sequence numbers (Raft thesis §6.3).
func TestWritesRideOutLeaderKill(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	w := c.client(c.followers(lead)[0])
	mustExec(t, ctx, w, "CREATE TABLE t (a INTEGER)")
	c.kill(lead)
	streamWrites(t, ctx, w, 50)
	executeWrites(t, ctx, w, 51, 60)
	checkAppliedOnce(t, ctx, w, 60)
}

// The same with the old leader cut off by a partition instead of killed:
// it receives nothing from anyone until the end of the test.
func TestWritesRideOutLeaderPartition(t *testing.T) {
	c, proxies := startProxiedCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	w := c.client(c.followers(lead)[0])
	mustExec(t, ctx, w, "CREATE TABLE t (a INTEGER)")
	proxies[lead].setCut(true)
	streamWrites(t, ctx, w, 50)
	executeWrites(t, ctx, w, 51, 60)
	checkAppliedOnce(t, ctx, w, 60)
}

// streamWrites pipelines writes of 1..n in one session and requires every
// one to succeed.
func streamWrites(t *testing.T, ctx context.Context, w *client.Client, n int) {
	t.Helper()
	s, err := w.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 1; i <= n; i++ {
		if err := s.Submit(client.Request{Write: []client.Statement{{SQL: fmt.Sprintf("INSERT INTO t VALUES (%d)", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		r, err := s.Next()
		if err != nil {
			t.Fatalf("write %d: session: %v", i, err)
		}
		if r.Err != nil {
			t.Fatalf("write %d: %v", i, r.Err)
		}
		if r.Write.Err != nil {
			t.Fatalf("write %d: %v", i, r.Write.Err)
		}
	}
}

// executeWrites writes from..to one Execute at a time and requires each
// to succeed.
func executeWrites(t *testing.T, ctx context.Context, w *client.Client, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		r, err := w.Exec(ctx, fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
		if err != nil || r.Err != nil {
			t.Fatalf("write %d: %v %v", i, err, r)
		}
	}
}

// checkAppliedOnce requires table t to hold 1..n, each once.
func checkAppliedOnce(t *testing.T, ctx context.Context, w *client.Client, n int) {
	t.Helper()
	rows, err := w.Query(ctx, client.Linearizable, "SELECT count(*), count(DISTINCT a), min(a), max(a) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	r := rows.Rows[0]
	if r[0].Int != int64(n) || r[1].Int != int64(n) || r[2].Int != 1 || r[3].Int != int64(n) {
		t.Fatalf("rows (count, distinct, min, max) = %v, want %d writes applied once each", r, n)
	}
}

// A client whose connection is cut after its write was proposed and
// before the reply sends the write again: the retry returns the original
// result (the same entry index and rowid) and the row exists once.
func TestRetryAfterCutConnectionReturnsOriginalResult(t *testing.T) {
	t.Setenv(statemachine.TestSleepFuncEnv, "1")
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	admin := c.client(lead)
	// The client reaches the leader through the proxy; after the cut it
	// may come back through it or fail over to a member it learnt of.
	p := newProxy(t, c.proc(lead).addr)
	cl, err := client.Dial(ctx, p.addr(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// Its first write registers its session too.
	mustExec(t, ctx, cl, "CREATE TABLE t (a INTEGER)")
	before := c.statusOf(lead).GetCommitIndex()
	var res atomic.Pointer[client.ExecResult]
	errc := make(chan error, 1)
	go func() {
		// The entry takes a second to apply: time to cut the connection
		// between its proposal and its reply.
		r, err := cl.Exec(ctx, "INSERT INTO t VALUES (resqlite_test_sleep(1000))")
		res.Store(r)
		errc <- err
	}()
	if !waitFor(t, func() bool { return c.statusOf(lead).GetCommitIndex() > before }) {
		t.Fatal("the write was never proposed")
	}
	p.setCut(true)
	p.setCut(false)
	if err := <-errc; err != nil {
		t.Fatalf("write after its connection was cut: %v", err)
	}
	// The retry is an entry of its own, after the original.
	if ci := c.statusOf(lead).GetCommitIndex(); ci < before+2 {
		t.Fatalf("commit index %d: the client never sent the write again (original at %d)", ci, before+1)
	}
	r := res.Load()
	rows, err := admin.Query(ctx, client.Linearizable, "SELECT count(*), max(rowid) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	if n := rows.Rows[0][0].Int; n != 1 {
		t.Fatalf("%d rows after one write sent twice", n)
	}
	if r.Index != before+1 || r.Statements[0].LastInsertRowID != rows.Rows[0][1].Int {
		t.Fatalf("retry returned entry %d rowid %d; the original was entry %d rowid %d", r.Index, r.Statements[0].LastInsertRowID, before+1, rows.Rows[0][1].Int)
	}
}
