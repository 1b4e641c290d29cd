package service_test

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// forwardCounts returns how many forwarded writes each node received.
func forwardCounts(c *tcluster) []int64 {
	var out []int64
	for _, tn := range c.nodes {
		out = append(out, tn.forwardedWrites.Load())
	}
	return out
}

// A write sent to a follower, by Execute or in a Session, reaches the
// leader exactly once, marked Forwarded, and is answered with the
// leader's result: it is the next entry of the log, and no other node
// (the other follower, the follower itself) receives a forwarded copy.
func TestWriteAtFollowerIsForwardedOnce(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f := c.followers(lead)[0]
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)")

	before := lastIndex(t, lead)
	resp := mustExec(ctx, t, f, "INSERT INTO t VALUES (1)")
	if resp.GetIndex() != before+1 || lastIndex(t, lead) != before+1 {
		t.Fatalf("forwarded write answered at index %d; the leader's log went from %d to %d", resp.GetIndex(), before, lastIndex(t, lead))
	}
	want := make([]int64, len(c.nodes))
	want[lead.id-1] = 1
	if got := forwardCounts(c); !slices.Equal(got, want) {
		t.Fatalf("forwarded writes received by nodes 1..3: %v, want %v", got, want)
	}
	if n := lead.executes.Load(); n != 2 { // the CREATE and the forwarded INSERT
		t.Fatalf("the leader received %d Execute calls, want 2", n)
	}

	resps := session(ctx, t, f, []*resqlitepb.SessionRequest{
		write(1, "INSERT INTO t VALUES (2)"), write(2, "INSERT INTO t VALUES (3)"), write(3, "INSERT INTO t VALUES (4)"),
	})
	for i, r := range resps {
		if r.GetWrite().GetIndex() != before+2+uint64(i) || r.GetWrite().GetError() != nil {
			t.Fatalf("session write %d at the follower: %v (want index %d)", i, r, before+2+uint64(i))
		}
	}
	want[lead.id-1] = 4
	if got := forwardCounts(c); !slices.Equal(got, want) || lastIndex(t, lead) != before+4 {
		t.Fatalf("after 3 session writes: forwarded writes %v (want %v), leader's last index %d (want %d)", got, want, lastIndex(t, lead), before+4)
	}
}

// A write the follower's pre-check refuses is answered there with the
// SQL error and proposes nothing: it is not forwarded, the log does not
// grow (the next write is the next index).
func TestPrecheckRefusalAtFollowerProposesNothing(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f := c.followers(lead)[0]
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY, b)")
	waitFor(t, 10*time.Second, "follower applies the CREATE", func() bool { return f.raft.AppliedIndex() >= lastIndex(t, lead) })
	before := lastIndex(t, lead)

	resp, err := f.cl.Execute(ctx, execReq("INSERT INTO t VALUES (1, 'x')", "INSERT INTO t VALUES (2, random())"))
	if err != nil || resp.GetError().GetKind() != resqlitepb.ErrorKind_ERROR_KIND_REJECTED || resp.GetError().GetStatement() != 1 || resp.GetIndex() != 0 {
		t.Fatalf("random() write at the follower: %v %v", resp, err)
	}
	resps := session(ctx, t, f, []*resqlitepb.SessionRequest{write(1, "UPDATE t SET b = random()")})
	if w := resps[0].GetWrite(); w.GetError().GetKind() != resqlitepb.ErrorKind_ERROR_KIND_REJECTED || w.GetIndex() != 0 {
		t.Fatalf("random() session write at the follower: %v", resps[0])
	}
	if got := forwardCounts(c); !slices.Equal(got, make([]int64, len(c.nodes))) {
		t.Fatalf("refused writes were forwarded: %v", got)
	}
	for _, tn := range c.nodes {
		if li := lastIndex(t, tn); li != before {
			t.Fatalf("node %d's log went from %d to %d", tn.id, before, li)
		}
	}
	if r := mustExec(ctx, t, f, "INSERT INTO t VALUES (1, 'x')"); r.GetIndex() != before+1 {
		t.Fatalf("next write at index %d, want %d", r.GetIndex(), before+1)
	}
}

// A forwarded write that arrives at a node that is not the leader is
// refused with FAILED_PRECONDITION and proposes nothing (execute.go,
// session.go): the receiver never forwards it again.
func TestForwardedWriteAtNonLeaderIsRefused(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f, other := c.followers(lead)[0], c.followers(lead)[1]
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	before := lastIndex(t, lead)

	req := execReq("INSERT INTO t VALUES (1)")
	req.Forwarded = true
	if _, err := f.cl.Execute(ctx, req); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("forwarded Execute at a follower: %v, want FAILED_PRECONDITION", err)
	}
	resps := session(ctx, t, f, []*resqlitepb.SessionRequest{{Seq: 1, Op: &resqlitepb.SessionRequest_Write{Write: req}}})
	if fl := resps[0].GetFailure(); codes.Code(fl.GetCode()) != codes.FailedPrecondition {
		t.Fatalf("forwarded session write at a follower: %v, want FAILED_PRECONDITION", resps[0])
	}
	if n := other.forwardedWrites.Load() + lead.forwardedWrites.Load(); n != 0 {
		t.Fatalf("the follower forwarded a forwarded write again (%d received elsewhere)", n)
	}
	if li := lastIndex(t, lead); li != before {
		t.Fatalf("the leader's log went from %d to %d", before, li)
	}
}

// A follower whose forwarded write meets a node that answers it is no
// longer the leader reports the write as not proposed (UNAVAILABLE):
// Execute shortly before the request's deadline (forward retries
// meanwhile) and in time for the caller to see it, a Session write at
// once; the session then sends its next write over a new stream to the
// leader (the old one is stale), where it succeeds.
func TestForwardToFormerLeaderIsUnavailable(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	f := c.followers(lead)[0]
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	before := lastIndex(t, lead)
	lead.refuseForwarded.Store(true)

	const timeout = 2 * time.Second
	start := time.Now()
	ectx, cancel := context.WithTimeout(ctx, timeout)
	_, err := f.cl.Execute(ectx, execReq("INSERT INTO t VALUES (1)"))
	cancel()
	if took := time.Since(start); status.Code(err) != codes.Unavailable || took < timeout/2 {
		t.Fatalf("Execute refused by the former leader: %v after %v, want UNAVAILABLE near the %v deadline", err, took, timeout)
	}
	if n := lead.forwardedWrites.Load(); n < 2 {
		t.Fatalf("the forwarder did not retry: the leader received %d forwarded writes", n)
	}
	stream, err := f.cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := sessionStep(t, stream, write(1, "INSERT INTO t VALUES (2)")); codes.Code(r.GetFailure().GetCode()) != codes.Unavailable {
		t.Fatalf("session write refused by the former leader: %v, want UNAVAILABLE", r)
	}
	if li := lastIndex(t, lead); li != before {
		t.Fatalf("refused writes changed the log: %d, want %d", li, before)
	}
	// The stream that answered so is not used again: the next write goes
	// over a new one, which the leader serves.
	lead.refuseForwarded.Store(false)
	if r := sessionStep(t, stream, write(2, "INSERT INTO t VALUES (3)")); r.GetWrite().GetIndex() != before+1 {
		t.Fatalf("session write once the leader accepts again: %v", r)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("session end: %v", err)
	}
}

// sessionStep sends one request on stream and returns its response.
func sessionStep(t *testing.T, stream resqlitepb.ReSqlite_SessionClient, req *resqlitepb.SessionRequest) *resqlitepb.SessionResponse {
	t.Helper()
	if err := stream.Send(req); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("request %d: %v", req.GetSeq(), err)
	}
	if resp.GetSeq() != req.GetSeq() {
		t.Fatalf("response seq %d to request %d", resp.GetSeq(), req.GetSeq())
	}
	return resp
}
