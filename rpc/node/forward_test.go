package node_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Writes sent to one node keep being forwarded while leadership moves
// around the cluster: each either succeeds, fails as not proposed
// (UNAVAILABLE), or is reported of unknown outcome; every acknowledged
// write is there afterwards and nothing is applied twice.
func TestForwardingWhileLeaderChanges(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	w := c.client(c.followers(lead)[0])
	admin := c.client(c.followers(lead)[1])
	mustExec(t, ctx, w, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	done := make(chan struct{})
	moved := 0
	go func() {
		defer close(done)
		for range 4 {
			// Pacing, not a settle-sleep: leadership moves every 300ms
			// while the writes below keep going.
			time.Sleep(300 * time.Millisecond)
			if _, err := admin.TransferLeadership(ctx, 0); err != nil {
				t.Logf("transfer: %v", err)
				continue
			}
			moved++
		}
	}()
	var ok, unknown, refused int
	// Write until the transfers are over, then 50 more.
	for i, after := 1, 0; after < 50; i++ {
		select {
		case <-done:
			after++
		default:
		}
		r, err := w.Exec(ctx, "INSERT INTO t VALUES (NULL)")
		switch {
		case err == nil && r.Err == nil:
			ok++
		case errors.Is(err, client.ErrOutcomeUnknown):
			unknown++
		case status.Code(err) == codes.Unavailable:
			refused++
		default:
			t.Fatalf("write %d: %v %v", i, err, r)
		}
	}
	if moved < 2 {
		t.Fatalf("leadership moved only %d times", moved)
	}
	n := count(t, ctx, w, client.Linearizable, "t")
	t.Logf("%d acknowledged, %d unknown, %d not proposed; %d rows", ok, unknown, refused, n)
	if n < int64(ok) || n > int64(ok+unknown) {
		t.Fatalf("%d rows after %d acknowledged and %d unknown writes", n, ok, unknown)
	}
}

// A pipelined session at a follower keeps working while leadership moves:
// each write succeeds, is refused as not proposed, or is of unknown
// outcome; once leadership settles, the session's writes succeed again
// (it follows the new leader); every acknowledged write is applied once.
func TestSessionForwardingWhileLeaderChanges(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, 2*time.Minute)
	lead := c.waitLeader(10 * time.Second)
	w := c.client(c.followers(lead)[0])
	admin := c.client(c.followers(lead)[1])
	mustExec(t, ctx, w, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	s, err := w.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			// Pacing, not a settle-sleep: leadership moves every 200ms
			// while the session's rounds of writes keep going.
			time.Sleep(200 * time.Millisecond)
			admin.TransferLeadership(ctx, 0)
		}
	}()
	var ok, unknown, refused int
	round := func() (failed int) {
		for range 100 {
			if err := s.Submit(client.Request{Write: []client.Statement{{SQL: "INSERT INTO t VALUES (NULL)"}}}); err != nil {
				t.Fatal(err)
			}
		}
		for range 100 {
			r, err := s.Next()
			switch {
			case err != nil:
				t.Fatal(err)
			case r.Err == nil && r.Write.Err == nil:
				ok++
				continue
			case errors.Is(r.Err, client.ErrOutcomeUnknown):
				unknown++
			case status.Code(r.Err) == codes.Unavailable:
				refused++
			default:
				t.Fatalf("write: %v %v", r.Err, r.Write)
			}
			failed++
		}
		return failed
	}
	for more := true; more; {
		select {
		case <-done:
			more = false
		default:
		}
		round()
	}
	// Once every node names the same leader, leadership is settled: a
	// whole round goes through.
	c.waitAgreedLeader(10 * time.Second)
	if failed := round(); failed != 0 {
		t.Fatalf("%d writes of a round failed after leadership settled", failed)
	}
	n := count(t, ctx, w, client.Linearizable, "t")
	t.Logf("%d acknowledged, %d unknown, %d not proposed; %d rows", ok, unknown, refused, n)
	if n < int64(ok) || n > int64(ok+unknown) {
		t.Fatalf("%d rows after %d acknowledged and %d unknown writes", n, ok, unknown)
	}
}

// A write forwarded to a leader that stops answering (SIGSTOP) after it
// was sent is not left of unknown outcome: the follower sees Raft elect
// a new leader, and the write, cut off, is sent there again under its
// session sequence number; once the old leader is back it has applied
// exactly once.
func TestForwardedWriteToStoppedLeaderIsSentAgain(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, time.Minute)
	lead := c.waitLeader(10 * time.Second)
	w := c.client(c.followers(lead)[0])
	mustExec(t, ctx, w, "CREATE TABLE t (a)")
	c.signal(lead, syscall.SIGSTOP)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	r, err := w.Exec(wctx, "INSERT INTO t VALUES (1)")
	cancel()
	c.signal(lead, syscall.SIGCONT)
	if err != nil || r.Err != nil {
		t.Fatalf("write forwarded to a stopped leader: %v %v, want success at the next leader", err, r)
	}
	c.waitLeader(20 * time.Second)
	var n int64
	for deadline := time.Now().Add(20 * time.Second); ; {
		rows, err := w.Query(ctx, client.Linearizable, "SELECT count(*) FROM t")
		if err == nil {
			n = rows.Rows[0][0].Int
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	if n != 1 {
		t.Fatalf("the write applied %d times", n)
	}
}
