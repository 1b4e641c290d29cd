package metrics

import (
	"context"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// requests are the counters fed by the node's gRPC interceptors: the
// client calls it serves and the writes it forwards to the leader.
type requests struct {
	statements *prometheus.CounterVec
	errors     *prometheus.CounterVec
	reads      *prometheus.CounterVec
	sessions   prometheus.Gauge
	forwarded  prometheus.Counter
}

func newRequests() *requests {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	}
	return &requests{
		statements: counter("statements_total", "SQL statements clients sent to this node, by kind: write or read.", "kind"),
		errors: counter("statement_errors_total",
			"Client requests to this node that failed, by error kind: an SQL error's kind (parse, runtime, rejected, malformed) or the gRPC code of a failed request.", "kind"),
		reads: counter("reads_total", "Client reads served by this node, by consistency level.", "consistency"),
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "client_sessions",
			Help: "Client sessions (Session streams) open on this node."}),
		forwarded: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "raft_proposals_forwarded_total",
			Help: "Writes this node forwarded to the leader."}),
	}
}

func (r *requests) register(reg prometheus.Registerer) {
	reg.MustRegister(r.statements, r.errors, r.reads, r.sessions, r.forwarded)
}

// write counts a client's write (not one forwarded to this node, counted
// where the client sent it) and its outcome.
func (r *requests) write(req *resqlitepb.ExecuteRequest, resp *resqlitepb.ExecuteResponse, err error) {
	if req.GetForwarded() {
		return
	}
	r.statements.WithLabelValues("write").Add(float64(len(req.GetStatements())))
	r.outcome(resp.GetError(), err)
}

// read counts a client's read, its consistency level and its outcome.
func (r *requests) read(req *resqlitepb.QueryRequest, sqlErr *resqlitepb.SqlError, err error) {
	r.statements.WithLabelValues("read").Inc()
	r.reads.WithLabelValues(consistencyName(req.GetConsistency())).Inc()
	r.outcome(sqlErr, err)
}

// outcome counts a failed request by its error kind.
func (r *requests) outcome(sqlErr *resqlitepb.SqlError, err error) {
	switch {
	case err != nil:
		r.errors.WithLabelValues(codeName(status.Code(err))).Inc()
	case sqlErr != nil:
		r.errors.WithLabelValues(strings.ToLower(strings.TrimPrefix(sqlErr.GetKind().String(), "ERROR_KIND_"))).Inc()
	}
}

func consistencyName(c resqlitepb.Consistency) string {
	return strings.ToLower(strings.TrimPrefix(c.String(), "CONSISTENCY_"))
}

// codeName is a gRPC code in snake case ("deadline_exceeded").
func codeName(c codes.Code) string {
	var b strings.Builder
	prevLower := false
	for _, ch := range c.String() {
		upper := ch >= 'A' && ch <= 'Z'
		if upper && prevLower {
			b.WriteByte('_')
		}
		prevLower = ch >= 'a' && ch <= 'z'
		b.WriteRune(unicode.ToLower(ch))
	}
	return b.String()
}

// Service methods the interceptors count.
const (
	methodExecute = "/resqlite.v1.ReSqlite/Execute"
	methodQuery   = "/resqlite.v1.ReSqlite/Query"
	methodSession = "/resqlite.v1.ReSqlite/Session"
)

// UnaryInterceptor counts the client writes (Execute) the node serves.
func (s *Set) UnaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if info.FullMethod == methodExecute {
		execResp, _ := resp.(*resqlitepb.ExecuteResponse)
		s.requests.write(req.(*resqlitepb.ExecuteRequest), execResp, err)
	}
	return resp, err
}

// StreamInterceptor counts the reads (Query) and the session streams and
// their requests the node serves.
func (s *Set) StreamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	switch info.FullMethod {
	case methodQuery:
		qs := &queryStream{ServerStream: ss}
		err := handler(srv, qs)
		if qs.req != nil {
			s.requests.read(qs.req, qs.sqlErr, err)
		}
		return err
	case methodSession:
		s.requests.sessions.Inc()
		sess := &sessionStream{ServerStream: ss, r: s.requests}
		defer func() {
			if !sess.forwarded.Load() {
				s.requests.sessions.Dec()
			}
		}()
		return handler(srv, sess)
	}
	return handler(srv, ss)
}

// queryStream notes a Query's request and its SQL error, if any.
type queryStream struct {
	grpc.ServerStream
	req    *resqlitepb.QueryRequest
	sqlErr *resqlitepb.SqlError
}

func (q *queryStream) RecvMsg(m any) error {
	err := q.ServerStream.RecvMsg(m)
	if req, ok := m.(*resqlitepb.QueryRequest); ok && err == nil {
		q.req = req
	}
	return err
}

func (q *queryStream) SendMsg(m any) error {
	if resp, ok := m.(*resqlitepb.QueryResponse); ok && resp.GetError() != nil {
		q.sqlErr = resp.GetError()
	}
	return q.ServerStream.SendMsg(m)
}

// sessionStream counts a client session's requests as they arrive and
// their failures as they are answered. A session another node forwards
// its writes on (marked Forwarded) is counted where the client is, not
// here.
type sessionStream struct {
	grpc.ServerStream
	r         *requests
	forwarded atomic.Bool
}

func (s *sessionStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if req, ok := m.(*resqlitepb.SessionRequest); ok && err == nil {
		switch {
		case req.GetWrite().GetForwarded():
			if s.forwarded.CompareAndSwap(false, true) {
				s.r.sessions.Dec()
			}
		case req.GetWrite() != nil:
			s.r.statements.WithLabelValues("write").Add(float64(len(req.GetWrite().GetStatements())))
		case req.GetRead() != nil:
			s.r.statements.WithLabelValues("read").Inc()
			s.r.reads.WithLabelValues(consistencyName(req.GetRead().GetConsistency())).Inc()
		}
	}
	return err
}

func (s *sessionStream) SendMsg(m any) error {
	if resp, ok := m.(*resqlitepb.SessionResponse); ok && !s.forwarded.Load() {
		switch {
		case resp.GetFailure() != nil:
			s.r.errors.WithLabelValues(codeName(codes.Code(resp.GetFailure().GetCode()))).Inc()
		case resp.GetWrite().GetError() != nil:
			s.r.outcome(resp.GetWrite().GetError(), nil)
		case resp.GetRead().GetError() != nil:
			s.r.outcome(resp.GetRead().GetError(), nil)
		}
	}
	return s.ServerStream.SendMsg(m)
}

// ClientUnaryInterceptor counts the writes the node's service forwards
// to the leader (it goes into the service's dial options).
func (s *Set) ClientUnaryInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
	invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if method == methodExecute {
		s.requests.forwarded.Inc()
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

// ClientStreamInterceptor counts the session writes the node's service
// forwards to the leader.
func (s *Set) ClientStreamInterceptor(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
	streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	cs, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil || method != methodSession {
		return cs, err
	}
	return &forwardStream{ClientStream: cs, forwarded: s.requests.forwarded}, nil
}

// forwardStream counts the writes sent on a forwarded session.
type forwardStream struct {
	grpc.ClientStream
	forwarded prometheus.Counter
}

func (f *forwardStream) SendMsg(m any) error {
	if req, ok := m.(*resqlitepb.SessionRequest); ok && req.GetWrite() != nil {
		f.forwarded.Inc()
	}
	return f.ClientStream.SendMsg(m)
}
