package service_test

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc/codes"
)

const (
	local        = resqlitepb.Consistency_CONSISTENCY_LOCAL
	lease        = resqlitepb.Consistency_CONSISTENCY_LEASE
	linearizable = resqlitepb.Consistency_CONSISTENCY_LINEARIZABLE
)

// Requests sent on one Session stream without waiting are answered one
// response per request, in request order, each with its own outcome: a
// write whose SQL fails (an entry is all or nothing), a write the
// pre-check refuses, a read whose SQL fails and a request that is
// malformed each report their error and nothing else; the session goes
// on, and the later writes apply (resqlite.proto: writes are proposed
// without waiting for earlier ones, each is its own entry). Every read
// sees the session's earlier writes, at local consistency too. Run at
// the leader and at a follower (writes forwarded over one upstream).
// (A read may also see later writes of the pipeline, applied by the
// time it runs: the reads count only the rows written before them.)
func TestSessionPipelineAnswersInOrder(t *testing.T) {
	c := startCluster(t, 3, clusterOptions{})
	ctx := ctxT(t, time.Minute)
	lead := c.leader()
	mustExec(ctx, t, lead, "CREATE TABLE t (a INTEGER PRIMARY KEY)")
	for _, tn := range []*tnode{lead, c.followers(lead)[0]} {
		mustExec(ctx, t, lead, "DELETE FROM t")
		// A linearizable read first: tn has applied the table, so the
		// pre-check judges the writes below against it.
		session(ctx, t, tn, []*resqlitepb.SessionRequest{read(10, "SELECT 1 FROM t", linearizable)})
		reqs := []*resqlitepb.SessionRequest{
			write(11, "INSERT INTO t VALUES (1)"),
			write(12, "INSERT INTO t VALUES (2)"),
			read(13, "SELECT count(*) FROM t WHERE a IN (1, 2)", local),
			// Statement 1 fails: the entry writes nothing, row 4 neither.
			write(14, "INSERT INTO t VALUES (4)", "INSERT INTO t VALUES (1)"),
			write(15, "INSERT INTO t VALUES (3)"),
			read(16, "SELECT count(*) FROM t WHERE a IN (1, 2, 3)", local),
			write(17, "INSERT INTO t VALUES (random())"),
			read(18, "SELECT * FROM nope", local),
			{Seq: 19},
			read(20, "SELECT count(*) FROM t", linearizable),
			read(21, "SELECT count(*) FROM t WHERE a = 4", lease),
		}
		resps := session(ctx, t, tn, reqs)
		if len(resps) != len(reqs) {
			t.Fatalf("node %d: %d responses to %d requests", tn.id, len(resps), len(reqs))
		}
		for i, r := range resps {
			if r.GetSeq() != reqs[i].GetSeq() {
				t.Fatalf("node %d: response %d has seq %d, want %d", tn.id, i, r.GetSeq(), reqs[i].GetSeq())
			}
		}
		var lastIndex uint64
		for _, i := range []int{0, 1, 4} {
			w := resps[i].GetWrite()
			if w == nil || w.GetError() != nil || w.GetIndex() <= lastIndex || w.GetResults()[0].GetRowsAffected() != 1 {
				t.Fatalf("node %d: write %d: %v", tn.id, reqs[i].GetSeq(), resps[i])
			}
			lastIndex = w.GetIndex()
		}
		if got := intOf(resps[2].GetRead().GetRows()); got != 2 {
			t.Fatalf("node %d: read after two inserts counts %d rows: %v", tn.id, got, resps[2])
		}
		if w := resps[3].GetWrite(); w.GetError().GetStatement() != 1 || w.GetError().GetKind() != resqlitepb.ErrorKind_ERROR_KIND_RUNTIME || w.GetIndex() == 0 || len(w.GetResults()) != 1 {
			t.Fatalf("node %d: failing second statement: %v", tn.id, resps[3])
		}
		if got := intOf(resps[5].GetRead().GetRows()); got != 3 {
			t.Fatalf("node %d: read after three inserts counts %d rows: %v", tn.id, got, resps[5])
		}
		if w := resps[6].GetWrite(); w.GetError().GetKind() != resqlitepb.ErrorKind_ERROR_KIND_REJECTED || w.GetIndex() != 0 {
			t.Fatalf("node %d: random() write not refused by the pre-check: %v", tn.id, resps[6])
		}
		if r := resps[7].GetRead(); r.GetError() == nil || len(r.GetRows()) != 0 {
			t.Fatalf("node %d: read of a missing table: %v", tn.id, resps[7])
		}
		if f := resps[8].GetFailure(); codes.Code(f.GetCode()) != codes.InvalidArgument {
			t.Fatalf("node %d: empty request: %v", tn.id, resps[8])
		}
		if got := intOf(resps[9].GetRead().GetRows()); got != 3 || resps[9].GetRead().GetAppliedIndex() < lastIndex {
			t.Fatalf("node %d: linearizable read at the end: %v (last write %d)", tn.id, resps[9], lastIndex)
		}
		if got := intOf(resps[10].GetRead().GetRows()); got != 0 {
			t.Fatalf("node %d: the failed entry wrote row 4: %v", tn.id, resps[10])
		}
	}
}
