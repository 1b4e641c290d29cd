package service_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A session read at a follower that lags waits until the follower has
// applied the session's earlier write, at every consistency level, local
// included: the follower gets no appends while the write commits on the
// leader and the other follower, so a read served before they resume
// would miss the row.
func TestSessionReadAtLaggingFollowerWaitsForItsWrite(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{readTimeout: 20 * time.Second})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f := c.followers(lead)[0]
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	for i, level := range []resqlitepb.Consistency{local, lease, linearizable} {
		c.noAppendTo.Store(uint64(f.id))
		stream, err := f.cl.Session(ctx)
		if err != nil {
			t.Fatal(err)
		}
		row := int64(i + 1)
		if err := stream.Send(write(1, "INSERT INTO t VALUES ("+strconv.FormatInt(row, 10)+")")); err != nil {
			t.Fatal(err)
		}
		if err := stream.Send(read(2, "SELECT count(*) FROM t WHERE a = "+strconv.FormatInt(row, 10), level)); err != nil {
			t.Fatal(err)
		}
		w, err := stream.Recv()
		if err != nil || w.GetWrite().GetIndex() == 0 {
			t.Fatalf("%v: write: %v %v", level, w, err)
		}
		if applied := f.raft.AppliedIndex(); applied >= w.GetWrite().GetIndex() {
			t.Fatalf("%v: the follower applied %d, it does not lag behind the write at %d", level, applied, w.GetWrite().GetIndex())
		}
		c.noAppendTo.Store(uint64(raft.None))
		r, err := stream.Recv()
		if err != nil {
			t.Fatalf("%v: read: %v", level, err)
		}
		if got := intOf(r.GetRead().GetRows()); got != 1 || r.GetRead().GetAppliedIndex() < w.GetWrite().GetIndex() {
			t.Fatalf("%v: read after the session's write at %d: %v", level, w.GetWrite().GetIndex(), r)
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
	}
}

// A read whose min index the node does not reach within the read timeout
// is refused with DEADLINE_EXCEEDED, at every level (a Query and a
// session read), after the read timeout and not much later.
func TestReadBeyondReachableIndexIsRefused(t *testing.T) {
	const readTimeout = 300 * time.Millisecond
	c := startCluster(t, 3, clusterOptions{readTimeout: readTimeout})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f := c.followers(lead)[0]
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	beyond := lastIndex(t, lead) + 1000
	for _, tn := range []*tnode{lead, f} {
		for _, level := range []resqlitepb.Consistency{local, lease, linearizable} {
			start := time.Now()
			_, _, err := query(ctx, tn, "SELECT count(*) FROM t", level, beyond)
			took := time.Since(start)
			if status.Code(err) != codes.DeadlineExceeded || took < readTimeout || took > readTimeout+5*time.Second {
				t.Fatalf("node %d, %v: read at min index %d: %v after %v", tn.id, level, beyond, err, took)
			}
			req := read(1, "SELECT count(*) FROM t", level)
			req.GetRead().MinIndex = beyond
			resps := session(ctx, t, tn, []*resqlitepb.SessionRequest{req, read(2, "SELECT count(*) FROM t", level)})
			if codes.Code(resps[0].GetFailure().GetCode()) != codes.DeadlineExceeded {
				t.Fatalf("node %d, %v: session read at min index %d: %v", tn.id, level, beyond, resps[0])
			}
			// The refusal is that read's alone.
			if resps[1].GetRead() == nil {
				t.Fatalf("node %d, %v: the next session read: %v", tn.id, level, resps[1])
			}
		}
	}
}

// A follower cut off from the cluster still serves local reads at once
// from what it has applied, where its linearizable and lease reads are
// refused after the read timeout: a local read never waits for a leader.
func TestLocalReadsNeverWaitForTheLeader(t *testing.T) {
	const readTimeout = time.Second
	c := startCluster(t, 3, clusterOptions{readTimeout: readTimeout})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f := c.followers(lead)[0]
	w := mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)")
	waitFor(t, 10*time.Second, "follower applies the insert", func() bool { return f.raft.AppliedIndex() >= w.GetIndex() })
	c.isolated.Store(uint64(f.id))
	for _, level := range []resqlitepb.Consistency{lease, linearizable} {
		if _, _, err := query(ctx, f, "SELECT count(*) FROM t", level, 0); status.Code(err) != codes.DeadlineExceeded {
			t.Fatalf("%v read at the isolated follower: %v, want DEADLINE_EXCEEDED", level, err)
		}
	}
	start := time.Now()
	n, applied, err := query(ctx, f, "SELECT count(*) FROM t", local, w.GetIndex())
	if err != nil || n != 1 || applied < w.GetIndex() || time.Since(start) >= readTimeout {
		t.Fatalf("local read at the isolated follower: %d rows at %d, %v, after %v", n, applied, err, time.Since(start))
	}
	resps := session(ctx, t, f, []*resqlitepb.SessionRequest{read(1, "SELECT count(*) FROM t", local)})
	if intOf(resps[0].GetRead().GetRows()) != 1 || time.Since(start) >= readTimeout {
		t.Fatalf("local session read at the isolated follower: %v after %v", resps[0], time.Since(start))
	}
}
