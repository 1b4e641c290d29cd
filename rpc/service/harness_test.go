package service_test

import (
	"context"
	"io"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/rpctest"
	"github.com/resqlite/resqlite/rpc/service"
	"github.com/resqlite/resqlite/rpc/transport"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// The tests here run the client service of each node of a small cluster
// in the test process: a raft.Node on memory storage, a SQLite state
// machine in a temporary directory, and one gRPC server (Raft transport
// plus service) on a listener bound to 127.0.0.1:0. Each node's gRPC
// server records the ReSqlite requests it receives, and each node's
// outgoing Raft messages go through a filter the test can close, so that
// tests see forwarding hop by hop and can make a follower lag.

// tnode is one node of a test cluster.
type tnode struct {
	id    raft.NodeID
	addr  string
	raft  *raft.Node
	state *statemachine.StateMachine
	svc   *service.Server
	grpc  *grpc.Server
	tr    *transport.Transport
	conn  *grpc.ClientConn
	// cl calls this node's ReSqlite service.
	cl resqlitepb.ReSqliteClient

	// executes and forwardedWrites count the Execute calls and the
	// writes marked Forwarded (Execute or Session) this node received.
	executes        atomic.Int64
	forwardedWrites atomic.Int64
	// refuseForwarded, when set, makes this node answer forwarded writes
	// with the verdict of a node that is no longer the leader, without
	// handing them to the service.
	refuseForwarded atomic.Bool
}

// tcluster is the nodes of one test cluster and the filter on their
// Raft traffic.
type tcluster struct {
	t     *testing.T
	nodes []*tnode
	// noAppendTo drops the leader's MsgApp to that node (0: none); the
	// node keeps hearing heartbeats, so it stays a follower but lags.
	noAppendTo atomic.Uint64
	// isolated drops every message to or from that node (0: none).
	isolated atomic.Uint64
}

// clusterOptions tunes a test cluster's service.
type clusterOptions struct {
	leaderWait  time.Duration
	readTimeout time.Duration
	streamIdle  time.Duration
}

// startCluster starts n nodes (ids 1..n) and stops them when the test
// ends.
func startCluster(t *testing.T, n int, opts clusterOptions) *tcluster {
	t.Helper()
	lis, err := rpctest.ReserveListeners(n)
	if err != nil {
		t.Fatal(err)
	}
	var members []raft.Member
	for i, l := range lis {
		members = append(members, raft.Member{ID: raft.NodeID(i + 1), Addr: l.Addr().String()})
	}
	c := &tcluster{t: t}
	t.Cleanup(func() {
		c.stop()
		for _, l := range lis { // those a failed start left unserved
			l.Close()
		}
	})
	clusterID := node.ClusterID(members)
	for i, l := range lis {
		tn := &tnode{id: raft.NodeID(i + 1), addr: l.Addr().String()}
		c.nodes = append(c.nodes, tn)
		dir := t.TempDir()
		if tn.state, err = statemachine.Open(filepath.Join(dir, "state"), statemachine.Options{}); err != nil {
			t.Fatal(err)
		}
		if tn.tr, err = transport.New(transport.Config{ID: tn.id, ClusterID: clusterID, SnapshotDir: dir}); err != nil {
			t.Fatal(err)
		}
		if tn.raft, err = raft.StartNode(raft.NodeConfig{
			ID: tn.id, Bootstrap: members, Storage: raft.NewMemoryStorage(), StateMachine: tn.state,
			Transport: filtered{Transport: tn.tr, c: c}, LeaseRead: true, SnapshotSpool: snap.TempSpool{Dir: dir},
		}); err != nil {
			t.Fatal(err)
		}
		tn.tr.SetHandler(tn.raft)
		if tn.svc, err = service.New(service.Config{
			Node: tn.raft, State: tn.state, ClusterID: clusterID, Addr: tn.addr,
			LeaderWait: opts.leaderWait, ReadTimeout: opts.readTimeout, StreamIdleLimit: opts.streamIdle,
		}); err != nil {
			t.Fatal(err)
		}
		tn.grpc = grpc.NewServer(append(transport.ServerOptions(),
			grpc.ChainUnaryInterceptor(tn.recordUnary, service.UnaryInterceptor),
			grpc.ChainStreamInterceptor(tn.recordStream, service.StreamInterceptor))...)
		tn.tr.Register(tn.grpc)
		tn.svc.Register(tn.grpc)
		go tn.grpc.Serve(l)
		if tn.conn, err = grpc.NewClient(tn.addr, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
			t.Fatal(err)
		}
		tn.cl = resqlitepb.NewReSqliteClient(tn.conn)
	}
	return c
}

// stop stops every node: its server, service, Raft node, transport and
// state machine.
func (c *tcluster) stop() {
	for _, tn := range c.nodes {
		if tn.conn != nil {
			tn.conn.Close()
		}
		if tn.grpc != nil {
			tn.grpc.Stop()
		}
		if tn.svc != nil {
			tn.svc.Close()
		}
		if tn.raft != nil {
			tn.raft.Stop()
		}
		if tn.tr != nil {
			tn.tr.Close()
		}
		if tn.state != nil {
			tn.state.Close()
		}
	}
}

// leader waits up to 10 s for a node that every node knows as leader.
func (c *tcluster) leader() *tnode {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var lead *tnode
		agreed := true
		for _, tn := range c.nodes {
			if tn.raft.IsLeader() {
				lead = tn
			}
		}
		for _, tn := range c.nodes {
			agreed = agreed && lead != nil && tn.raft.Leader() == lead.id
		}
		if agreed {
			return lead
		}
		if time.Now().After(deadline) {
			c.t.Fatal("no leader known to every node within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// followers returns the nodes other than lead.
func (c *tcluster) followers(lead *tnode) []*tnode {
	var out []*tnode
	for _, tn := range c.nodes {
		if tn != lead {
			out = append(out, tn)
		}
	}
	return out
}

// lastIndex returns tn's last log index.
func lastIndex(t *testing.T, tn *tnode) uint64 {
	t.Helper()
	st, err := tn.raft.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.LastIndex
}

// filtered is a node's transport with the cluster's filter in front.
type filtered struct {
	*transport.Transport
	c *tcluster
}

// Send drops the appends to the lagging node and every message to or
// from the isolated one.
func (f filtered) Send(msgs []raft.Message) {
	blocked := raft.NodeID(f.c.noAppendTo.Load())
	isolated := raft.NodeID(f.c.isolated.Load())
	kept := msgs[:0:0]
	for _, m := range msgs {
		if blocked != raft.None && m.To == blocked && m.Type == raft.MsgApp {
			continue
		}
		if isolated != raft.None && (m.To == isolated || m.From == isolated) {
			continue
		}
		kept = append(kept, m)
	}
	f.Transport.Send(kept)
}

// recordUnary counts Execute calls and forwarded writes, and refuses
// forwarded writes when told to.
func (tn *tnode) recordUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if r, ok := req.(*resqlitepb.ExecuteRequest); ok {
		tn.executes.Add(1)
		if r.GetForwarded() {
			tn.forwardedWrites.Add(1)
			if tn.refuseForwarded.Load() {
				return nil, notLeaderAnyMore(tn.id)
			}
		}
	}
	return handler(ctx, req)
}

// recordStream counts the forwarded writes of Session streams, and
// answers them as a node that is no longer the leader when told to.
func (tn *tnode) recordStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod != resqlitepb.ReSqlite_Session_FullMethodName {
		return handler(srv, ss)
	}
	if tn.refuseForwarded.Load() {
		return tn.refuseSession(ss)
	}
	return handler(srv, &countingStream{ServerStream: ss, tn: tn})
}

// refuseSession answers every request of a session stream with the
// FAILED_PRECONDITION failure a node that lost leadership gives.
func (tn *tnode) refuseSession(ss grpc.ServerStream) error {
	for {
		req := new(resqlitepb.SessionRequest)
		if err := ss.RecvMsg(req); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if req.GetWrite().GetForwarded() {
			tn.forwardedWrites.Add(1)
		}
		st := status.Convert(notLeaderAnyMore(tn.id))
		resp := &resqlitepb.SessionResponse{Seq: req.GetSeq(), Outcome: &resqlitepb.SessionResponse_Failure{
			Failure: &resqlitepb.RequestError{Code: int32(st.Code()), Message: st.Message()},
		}}
		if err := ss.SendMsg(resp); err != nil {
			return err
		}
	}
}

// countingStream counts the forwarded writes a Session stream receives.
type countingStream struct {
	grpc.ServerStream
	tn *tnode
}

func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if r, ok := m.(*resqlitepb.SessionRequest); ok && err == nil && r.GetWrite().GetForwarded() {
		s.tn.forwardedWrites.Add(1)
	}
	return err
}

// session runs reqs on one Session stream of tn, all sent before any
// response is read, and returns the responses in the order received.
func session(ctx context.Context, t *testing.T, tn *tnode, reqs []*resqlitepb.SessionRequest) []*resqlitepb.SessionResponse {
	t.Helper()
	stream, err := tn.cl.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if err := stream.Send(r); err != nil {
			t.Fatalf("send %d: %v", r.GetSeq(), err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	var out []*resqlitepb.SessionResponse
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("session at node %d after %d responses: %v", tn.id, len(out), err)
		}
		out = append(out, resp)
	}
}

// write is a session write of sqls, one statement each.
func write(seq uint64, sqls ...string) *resqlitepb.SessionRequest {
	return &resqlitepb.SessionRequest{Seq: seq, Op: &resqlitepb.SessionRequest_Write{Write: execReq(sqls...)}}
}

// read is a session read at level.
func read(seq uint64, sql string, level resqlitepb.Consistency) *resqlitepb.SessionRequest {
	return &resqlitepb.SessionRequest{Seq: seq, Op: &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{Sql: []byte(sql), Consistency: level}}}
}

// execReq is an Execute request of sqls, one statement each.
func execReq(sqls ...string) *resqlitepb.ExecuteRequest {
	req := &resqlitepb.ExecuteRequest{}
	for _, s := range sqls {
		req.Statements = append(req.Statements, &resqlitepb.Statement{Sql: []byte(s)})
	}
	return req
}

// mustExec runs sqls as one entry at tn and fails the test on any error.
func mustExec(ctx context.Context, t *testing.T, tn *tnode, sqls ...string) *resqlitepb.ExecuteResponse {
	t.Helper()
	resp, err := tn.cl.Execute(ctx, execReq(sqls...))
	if err != nil || resp.GetError() != nil {
		t.Fatalf("execute %q at node %d: %v %v", sqls, tn.id, err, resp.GetError())
	}
	return resp
}

// query runs sql at tn and returns its single integer (first row, first
// column) and the applied index it was served at.
func query(ctx context.Context, tn *tnode, sql string, level resqlitepb.Consistency, minIndex uint64) (int64, uint64, error) {
	stream, err := tn.cl.Query(ctx, &resqlitepb.QueryRequest{Sql: []byte(sql), Consistency: level, MinIndex: minIndex})
	if err != nil {
		return 0, 0, err
	}
	resp, err := stream.Recv()
	if err != nil {
		return 0, 0, err
	}
	if resp.GetError() != nil {
		return 0, 0, errorOf(resp.GetError())
	}
	return intOf(resp.GetRows()), resp.GetAppliedIndex(), nil
}

// intOf returns the integer in the first column of the first row.
func intOf(rows []*resqlitepb.Row) int64 {
	if len(rows) == 0 || len(rows[0].GetValues()) == 0 {
		return -1
	}
	return rows[0].GetValues()[0].GetInteger()
}

// ctxT is a context that ends with the test or after d.
func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond every 10 ms for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// notLeaderAnyMore is the verdict the service gives a forwarded write at
// a node that is not the leader (Execute and Session, see execute.go and
// session.go): FAILED_PRECONDITION, nothing proposed.
func notLeaderAnyMore(id raft.NodeID) error {
	return status.Errorf(codes.FailedPrecondition, "node %d is not the leader (test double); nothing was proposed", id)
}

// sqlError is a statement's SQL error returned by a read.
type sqlError struct{ e *resqlitepb.SqlError }

func (e sqlError) Error() string { return string(e.e.GetMessage()) }

func errorOf(e *resqlitepb.SqlError) error { return sqlError{e} }
