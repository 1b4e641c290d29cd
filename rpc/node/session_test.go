package node_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// pipeline submits CREATE TABLE, n INSERTs and a SELECT count(*) on one
// session without waiting, then checks every reply.
func pipeline(t *testing.T, cl *client.Client, n int) {
	t.Helper()
	ctx := ctxT(t, 2*time.Minute)
	s, err := cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reqs := []client.Request{{Write: []client.Statement{{SQL: "CREATE TABLE p (a INTEGER PRIMARY KEY, b TEXT)"}}}}
	for i := range n {
		reqs = append(reqs, client.Request{Write: []client.Statement{{SQL: fmt.Sprintf("INSERT INTO p (b) VALUES ('row %d')", i)}}})
	}
	reqs = append(reqs, client.Request{Read: "SELECT count(*) FROM p"})
	for _, r := range reqs {
		if err := s.Submit(r); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	for i := range reqs {
		rep, err := s.Next()
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if rep.Err != nil || rep.ReadErr != nil {
			t.Fatalf("reply %d: %v %v", i, rep.Err, rep.ReadErr)
		}
		if i < len(reqs)-1 {
			if rep.Write == nil || rep.Write.Err != nil || rep.Write.Index <= last {
				t.Fatalf("write %d: %+v (previous index %d)", i, rep.Write, last)
			}
			last = rep.Write.Index
			continue
		}
		if got := rep.Rows.Rows[0][0].Int; got != int64(n) {
			t.Fatalf("pipelined SELECT count(*) = %d, want %d", got, n)
		}
	}
}

// A pipelined stream of CREATE TABLE, 1,000 INSERTs and a SELECT, sent to
// a follower without waiting, returns every result in order and the
// right count: the INSERTs are not refused for a table still in flight,
// and the read waits for the session's writes.
func TestPipelinedStreamAtFollower(t *testing.T) {
	c := startCluster(t, 3)
	lead := c.waitLeader(10 * time.Second)
	pipeline(t, c.client(c.followers(lead)[0]), 1000)
}

// The same stream on a single node (the leader itself).
func TestPipelinedStreamAtLeader(t *testing.T) {
	c := startCluster(t, 1)
	pipeline(t, c.client(1), 1000)
}

// A session reads its own writes at every consistency level, also after
// it reconnects to another node: the session index it carries makes the
// serving node apply the session's writes first.
func TestReadYourWritesAcrossReconnect(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, time.Minute)
	lead := c.waitLeader(10 * time.Second)
	fs := c.followers(lead)
	a := c.client(fs[0])
	mustExec(t, ctx, a, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	for i := range 30 {
		mustExec(t, ctx, a, "INSERT INTO t VALUES (NULL)")
		// The same session continues on another node (a new connection,
		// as a REPL that reconnects): even a local read sees the write.
		other := fs[1]
		if i%2 == 1 {
			other = lead
		}
		b := c.client(other)
		b.Observe(a.SeenIndex())
		for _, level := range []client.Consistency{client.Local, client.Lease, client.Linearizable} {
			if n := count(t, ctx, b, level, "t"); n != int64(i+1) {
				t.Fatalf("%v read at node %d after %d writes: %d rows", level, other, i+1, n)
			}
		}
		b.Close()
	}
}

// refused checks that a read at level is refused with DEADLINE_EXCEEDED
// within a bounded time.
//
// It asks the node itself, over a connection of its own: the Go client
// would try the read again, at another node, until its deadline.
func refused(t *testing.T, cl *client.Client, level client.Consistency) {
	t.Helper()
	start := time.Now()
	conn, err := grpc.NewClient(cl.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := resqlitepb.NewReSqliteClient(conn).Query(ctxT(t, 30*time.Second), &resqlitepb.QueryRequest{Sql: []byte("SELECT count(*) FROM t"), Consistency: level})
	if err == nil {
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("%v read at an isolated leader: %v, want DEADLINE_EXCEEDED", level, err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("%v read refused only after %v", level, d)
	}
}

// isolate stops every node but lead (SIGSTOP) until the test ends.
func isolate(t *testing.T, c *testCluster, lead int) {
	for _, f := range c.followers(lead) {
		c.signal(f, syscall.SIGSTOP)
	}
	t.Cleanup(func() {
		for _, f := range c.followers(lead) {
			c.signal(f, syscall.SIGCONT)
		}
	})
}

// An isolated leader (both followers stopped) refuses linearizable reads
// (it cannot complete a heartbeat round, lease or not) and lease reads
// (its lease runs out well within the read timeout) instead of answering;
// a local read still answers. Leases are on, as by default.
func TestIsolatedLeaderRefusesReads(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a)")
	isolate(t, c, lead)
	refused(t, cl, client.Linearizable)
	refused(t, cl, client.Lease)
	if n := count(t, ctx, cl, client.Local, "t"); n != 0 {
		t.Fatalf("local read: %d rows", n)
	}
}

// With leases on (the default), an isolated leader's lease runs out (it
// is shorter than the election timeout, after which the others may elect
// a new leader), and from then on lease and linearizable reads are
// refused.
func TestIsolatedLeaderRefusesLeaseReadsOnceLeaseExpires(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a)")
	isolate(t, c, lead)
	for deadline := time.Now().Add(20 * time.Second); ; {
		st, err := cl.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.GetLeaseValid() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("isolated leader %d still holds its lease after 20s\n%s", lead, c.stderrAll())
		}
		time.Sleep(50 * time.Millisecond)
	}
	refused(t, cl, client.Lease)
	refused(t, cl, client.Linearizable)
}

// A write proposed by a leader that then loses its quorum is reported as
// of unknown outcome, not as failed and not retried.
func TestUnknownOutcomeWrite(t *testing.T) {
	c := startCluster(t, 3)
	ctx := ctxT(t, time.Minute)
	lead := c.waitLeader(10 * time.Second)
	cl := c.client(lead)
	mustExec(t, ctx, cl, "CREATE TABLE t (a)")
	fs := c.followers(lead)
	for _, f := range fs {
		c.signal(f, syscall.SIGSTOP)
	}
	// The client tries again until its deadline: the quorum is gone for
	// longer.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err := cl.Exec(wctx, "INSERT INTO t VALUES (1)")
	cancel()
	for _, f := range fs {
		c.signal(f, syscall.SIGCONT)
	}
	if !errors.Is(err, client.ErrOutcomeUnknown) {
		t.Fatalf("write at a leader that lost its quorum: %v, want ErrOutcomeUnknown", err)
	}
	// The write may or may not have committed; the cluster answers
	// either way, and with at most one row.
	c.waitLeader(20 * time.Second)
	if n := count(t, ctx, cl, client.Linearizable, "t"); n > 1 {
		t.Fatalf("unknown write applied %d times", n)
	}
}

// A leader cut off from the others (a partition through a proxy) loses
// leadership; the others elect a new leader and take a write. The old
// leader then refuses linearizable and lease reads within the read
// timeout instead of answering from its stale data, which a local read
// shows; with leases on (the default) its lease runs out before the
// others can elect a new leader. Without leases (-leases=false, not in
// -short runs) the same holds.
func TestPartitionedOldLeaderRefusesReads(t *testing.T) {
	t.Run("with leases", func(t *testing.T) { partitionedOldLeader(t) })
	t.Run("without leases", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short")
		}
		partitionedOldLeader(t, "-leases=false")
	})
}

func partitionedOldLeader(t *testing.T, extra ...string) {
	c, proxies := startProxiedCluster(t, 3, extra...)
	ctx := ctxT(t, time.Minute)
	old := c.waitLeader(10 * time.Second)
	cl := c.client(old)
	mustExec(t, ctx, cl, "CREATE TABLE t (a)")
	proxies[old].setCut(true)
	var lead int
	for deadline := time.Now().Add(20 * time.Second); lead == 0 || lead == old; {
		if time.Now().After(deadline) {
			t.Fatalf("no new leader: %s", c.stderrAll())
		}
		time.Sleep(100 * time.Millisecond)
		for _, f := range c.followers(old) {
			if l := c.leaderSeenBy(f); l != 0 {
				lead = l
			}
		}
	}
	mustExec(t, ctx, c.client(lead), "INSERT INTO t VALUES (1)")
	refused(t, cl, client.Linearizable)
	refused(t, cl, client.Lease)
	if n := count(t, ctx, cl, client.Local, "t"); n != 0 {
		t.Fatalf("the old leader's local read: %d rows (it should be cut off)", n)
	}
	// Healed, it catches up and serves linearizable reads again.
	proxies[old].setCut(false)
	for deadline := time.Now().Add(20 * time.Second); ; {
		rows, err := cl.Query(ctx, client.Linearizable, "SELECT count(*) FROM t")
		if err == nil {
			if rows.Rows[0][0].Int != 1 {
				t.Fatalf("healed old leader reads %d rows", rows.Rows[0][0].Int)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healed old leader still refuses: %v", err)
		}
	}
}
