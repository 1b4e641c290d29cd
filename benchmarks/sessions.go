package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The cost of exactly-once writes. Every write of ReSqlite's clients (the
// Go client's Execute, the batch's pipelined Session stream) goes out in
// a client session registered through the log (Raft thesis §6.3): it
// carries the session's id and a sequence number, and every node applies
// it with the session's bookkeeping in the same SQLite transaction (the
// leader time, the session's row, its recorded result). The service also
// takes writes without a session (client id 0): these are applied as they
// come, and one whose outcome is unknown cannot be sent again safely. The
// session-cost workloads send the same writes both ways, through the raw
// gRPC service (so that only the session fields differ), in the same run:
//
//   - sess-pipe: wOnly's statements, sessPipeFactor times as many (so
//     that one run stands above a loaded machine's noise), on one Session
//     stream, all submitted before the first reply is read, as the batch
//     mode pipelines them; the exactly-once run registers its session in
//     the timed part (a batch pays that once). Plain session-stream writes
//     are pre-checked by the serving node (session writes are not: apply
//     judges them), so the plain variant does work of its own.
//   - sess-conc: C clients, each with its own connection (and session,
//     registered before the timed part), sending one INSERT at a time
//     with the unary Execute, as conc-write does through the Go client.
const (
	wlSessPipe = "sess-pipe"
	wlSessConc = "sess-conc"

	sessPipeFactor = 2
)

// Session variants.
const (
	variantEO    = "exactly-once"
	variantPlain = "plain"
)

// isSessionCost reports whether r is a session-cost result (shown in its
// own table, not in the main one or the charts).
func (r *Result) isSessionCost() bool {
	return r.Workload == wlSessPipe || r.Workload == wlSessConc
}

// rawWriter sends writes through the service's gRPC API, in a session
// (exactly-once) or not, to the leader of a cluster.
type rawWriter struct {
	base        string // the system without the variant
	cl          *cluster
	exactlyOnce bool
}

func (s *rawWriter) Name() string { return s.base + ", " + s.variant() }

// variant names s's session variant.
func (s *rawWriter) variant() string {
	if s.exactlyOnce {
		return variantEO
	}
	return variantPlain
}

func (s *rawWriter) nodePIDs() []int { return s.cl.pids() }

// leader returns the address of the cluster's leader.
func (s *rawWriter) leader(ctx context.Context) (string, error) {
	l, err := s.cl.leader(ctx, 30*time.Second)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.Name(), err)
	}
	return l.addr, nil
}

// dial connects to the node at addr.
func (s *rawWriter) dial(addr string) (*grpc.ClientConn, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(sqlval.MaxMessageSize), grpc.MaxCallSendMsgSize(sqlval.MaxMessageSize)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return conn, nil
}

// dialLeader connects to the cluster's leader.
func (s *rawWriter) dialLeader(ctx context.Context) (*grpc.ClientConn, error) {
	addr, err := s.leader(ctx)
	if err != nil {
		return nil, err
	}
	return s.dial(addr)
}

// register registers a session when s is exactly-once (else returns 0).
func (s *rawWriter) register(ctx context.Context, rc resqlitepb.ReSqliteClient) (uint64, error) {
	if !s.exactlyOnce {
		return 0, nil
	}
	resp, err := rc.RegisterSession(ctx, &resqlitepb.RegisterSessionRequest{})
	if err != nil {
		return 0, fmt.Errorf("%s: register a session: %w", s.Name(), err)
	}
	return resp.GetClientId(), nil
}

// writeRequest is one single-statement write, the seq-th of session id
// (no session when id is 0), the client having received the replies of
// the writes up to acked.
func writeRequest(sql string, id, seq, acked uint64) *resqlitepb.ExecuteRequest {
	w := &resqlitepb.ExecuteRequest{Statements: []*resqlitepb.Statement{{Sql: []byte(sql)}}}
	if id != 0 {
		w.ClientId, w.WriteSeq, w.AckedSeq = id, seq, acked
	}
	return w
}

// checkWrite turns a write's response into an error if it failed.
func checkWrite(resp *resqlitepb.ExecuteResponse) error {
	switch {
	case resp.GetSessionError() != nil:
		return fmt.Errorf("session refused the write: %s", resp.GetSessionError().GetMessage())
	case resp.GetError() != nil:
		return fmt.Errorf("write failed: %s", resp.GetError().GetMessage())
	}
	return nil
}

// pipe times stmts sent on one Session stream, each its own write, all
// submitted without waiting for replies, and the peak RSS of the nodes.
func (s *rawWriter) pipe(ctx context.Context, stmts []string) (Sample, error) {
	conn, err := s.dialLeader(ctx)
	if err != nil {
		return Sample{}, err
	}
	defer conn.Close()
	rc := resqlitepb.NewReSqliteClient(conn)
	rss, err := startRSS(s.cl.pids())
	if err != nil {
		return Sample{}, err
	}
	start := time.Now()
	if err := s.pipeline(ctx, rc, stmts); err != nil {
		return Sample{}, fmt.Errorf("%s: %w", s.Name(), err)
	}
	smp := Sample{Seconds: time.Since(start).Seconds(), Ops: len(stmts)}
	if smp.NodeRSSKB, smp.NodeGrowthKB, err = rss.peaks(); err != nil {
		return Sample{}, err
	}
	return smp, nil
}

// pipeline registers a session (exactly-once), opens a Session stream,
// sends every statement and waits for every reply.
func (s *rawWriter) pipeline(ctx context.Context, rc resqlitepb.ReSqliteClient, stmts []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id, err := s.register(ctx, rc)
	if err != nil {
		return err
	}
	stream, err := rc.Session(ctx)
	if err != nil {
		return fmt.Errorf("open a session stream: %w", err)
	}
	var acked atomic.Uint64
	recvErr := make(chan error, 1)
	go func() { recvErr <- receiveWrites(stream, len(stmts), &acked, id != 0) }()
	for i, q := range stmts {
		seq := uint64(i + 1)
		req := &resqlitepb.SessionRequest{Seq: seq, Op: &resqlitepb.SessionRequest_Write{Write: writeRequest(q, id, seq, acked.Load())}}
		if err := stream.Send(req); err != nil {
			break // the receiver sees why
		}
	}
	stream.CloseSend()
	return <-recvErr
}

// receiveWrites reads n write replies from stream, in order, raising
// acked as they come (the write seqs are the request seqs).
func receiveWrites(stream resqlitepb.ReSqlite_SessionClient, n int, acked *atomic.Uint64, session bool) error {
	for i := range n {
		resp, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("reply %d of %d: %w", i+1, n, err)
		}
		if f := resp.GetFailure(); f != nil {
			return fmt.Errorf("request %d failed: %s", resp.GetSeq(), f.GetMessage())
		}
		if err := checkWrite(resp.GetWrite()); err != nil {
			return fmt.Errorf("request %d: %w", resp.GetSeq(), err)
		}
		if session {
			acked.Store(resp.GetSeq())
		}
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("after the last reply: %v", err)
	}
	return nil
}

// exec runs one statement as a plain write (setup and clean-up).
func (s *rawWriter) exec(ctx context.Context, sql string) error {
	conn, err := s.dialLeader(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	resp, err := resqlitepb.NewReSqliteClient(conn).Execute(ctx, writeRequest(sql, 0, 0, 0))
	if err == nil {
		err = checkWrite(resp)
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", s.Name(), sql, err)
	}
	return nil
}

// setup (re)creates the concurrent workloads' table (concSystem).
func (s *rawWriter) setup(ctx context.Context, rows int) error {
	for _, q := range concSetupSQL(rows) {
		if err := s.exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// clients opens n clients, each with its own connection and, when s is
// exactly-once, its own registered session (concSystem).
func (s *rawWriter) clients(ctx context.Context, n int) ([]doer, error) {
	addr, err := s.leader(ctx)
	if err != nil {
		return nil, err
	}
	ds := make([]doer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range ds {
		wg.Go(func() {
			conn, err := s.dial(addr)
			if err != nil {
				errs[i] = err
				return
			}
			rd := &rawDoer{conn: conn, rc: resqlitepb.NewReSqliteClient(conn)}
			ds[i] = rd
			rd.id, errs[i] = s.register(ctx, rd.rc)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, d := range ds {
			if d != nil {
				d.close()
			}
		}
		return nil, err
	}
	return ds, nil
}

// rawDoer is one client of sess-conc: one write at a time, in its
// session when id is set.
type rawDoer struct {
	conn *grpc.ClientConn
	rc   resqlitepb.ReSqliteClient
	id   uint64
	seq  uint64
}

func (d *rawDoer) close() { d.conn.Close() }

func (d *rawDoer) write(ctx context.Context, q string) error {
	var req *resqlitepb.ExecuteRequest
	if d.id == 0 {
		req = writeRequest(q, 0, 0, 0)
	} else {
		d.seq++
		req = writeRequest(q, d.id, d.seq, d.seq-1)
	}
	resp, err := d.rc.Execute(ctx, req)
	if err == nil {
		err = checkWrite(resp)
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (d *rawDoer) read(ctx context.Context, q string) error {
	return errors.New("sess-conc sends writes only")
}
