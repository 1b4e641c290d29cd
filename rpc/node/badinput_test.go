package node_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// Malformed or impossible requests get a clear error and change nothing;
// none of them takes the node down.
func TestBadRequests(t *testing.T) {
	n := startInProcess(t, filepath.Join(t.TempDir(), "node"))
	defer n.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := grpc.NewClient(n.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := resqlitepb.NewReSqliteClient(conn)
	for deadline := time.Now().Add(10 * time.Second); !n.Raft().IsLeader(); {
		if time.Now().After(deadline) {
			t.Fatal("no leader")
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := func(what string, err error, code codes.Code) {
		t.Helper()
		if status.Code(err) != code {
			t.Fatalf("%s: %v, want %v", what, err, code)
		}
	}
	_, err = c.Execute(ctx, &resqlitepb.ExecuteRequest{})
	want("empty Execute", err, codes.InvalidArgument)
	q, err := c.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte("CREATE TABLE x (a)")})
	if err == nil {
		_, err = q.Recv()
	}
	want("write sent as a Query", err, codes.InvalidArgument)
	q, err = c.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte("SELECT 1"), Consistency: 42})
	if err == nil {
		_, err = q.Recv()
	}
	want("unknown consistency", err, codes.InvalidArgument)
	_, err = c.AddMember(ctx, &resqlitepb.AddMemberRequest{Id: 5})
	want("AddMember without address", err, codes.InvalidArgument)
	_, err = c.RemoveMember(ctx, &resqlitepb.RemoveMemberRequest{Id: 9})
	want("remove a non-member", err, codes.InvalidArgument)
	_, err = c.TransferLeadership(ctx, &resqlitepb.TransferLeadershipRequest{To: 9})
	want("transfer to a non-member", err, codes.FailedPrecondition)
	_, err = c.TransferLeadership(ctx, &resqlitepb.TransferLeadershipRequest{})
	want("transfer with no other voter", err, codes.FailedPrecondition)

	s, err := c.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Send(&resqlitepb.SessionRequest{Seq: 1})
	s.Send(&resqlitepb.SessionRequest{Seq: 2, Op: &resqlitepb.SessionRequest_Write{Write: &resqlitepb.ExecuteRequest{}}})
	s.Send(&resqlitepb.SessionRequest{Seq: 3, Op: &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{Sql: []byte("SELEC 1")}}})
	s.CloseSend()
	for seq := uint64(1); seq <= 3; seq++ {
		r, err := s.Recv()
		if err != nil || r.GetSeq() != seq {
			t.Fatalf("session reply %d: %v %v", seq, r, err)
		}
		if seq < 3 && codes.Code(r.GetFailure().GetCode()) != codes.InvalidArgument {
			t.Fatalf("session reply %d: %v", seq, r)
		}
		if seq == 3 && r.GetRead().GetError().GetKind() != resqlitepb.ErrorKind_ERROR_KIND_PARSE {
			t.Fatalf("session reply %d: %v", seq, r)
		}
	}
	// The node still works, and nothing was written.
	st, err := c.Status(ctx, &resqlitepb.StatusRequest{})
	if err != nil || st.GetRole() != "leader" {
		t.Fatalf("status after bad requests: %v %v", st, err)
	}
	d, err := c.Digest(ctx, &resqlitepb.DigestRequest{})
	if err != nil {
		t.Fatal(err)
	}
	q, err = c.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte("SELECT count(*) FROM sqlite_schema WHERE " + statemachine.HideInternalObjects)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := q.Recv()
	if err != nil || r.GetRows()[0].GetValues()[0].GetInteger() != 0 {
		t.Fatalf("schema after bad requests: %v %v (digest %v)", r, err, d)
	}
}
