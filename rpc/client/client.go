package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// DefaultConnectTimeout bounds connecting to one node.
const DefaultConnectTimeout = 3 * time.Second

// Options tune a Client. The zero value is usable.
type Options struct {
	// Fallback are addresses of other nodes to fail over to when the
	// current node cannot be reached. The client also learns the members'
	// addresses from Status.
	Fallback []string
	// ConnectTimeout bounds connecting to one node. Default 3s.
	ConnectTimeout time.Duration
	// Timeout is the deadline of each request whose context sets no
	// earlier one (DefaultTimeout when zero): until then a request rides
	// out leader changes and node failures.
	Timeout time.Duration
	// DialOptions are added when dialing.
	DialOptions []grpc.DialOption
	// TLS, if set, is the TLS configuration to dial with (the package
	// security's ClientConfig builds one); nil: plaintext.
	TLS *tls.Config
	// User and Password are sent as basic-auth credentials (per-RPC
	// metadata) on every call, only over TLS unless PlaintextCredentials.
	User, Password       string
	PlaintextCredentials bool
}

// Client talks to a ReSqlite cluster through one node at a time. It is
// safe for concurrent use; all its calls belong to one session.
type Client struct {
	opts Options
	seen atomic.Uint64

	mu     sync.Mutex
	addrs  []string
	cur    int
	conn   *grpc.ClientConn
	closed bool
	// idle are registered sessions free for the next write; noSessions is
	// set once the cluster refused to register one.
	idle       []*writeSession
	noSessions bool
	// noStreams is set once a node refused a write stream (its
	// -max-sessions): session writes are then unary calls.
	noStreams bool
}

// Dial connects to the node at addr and learns the cluster's members
// from it. It fails if neither that node nor a fallback can be reached
// within the connect timeout.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if err := opts.checkSecurity(); err != nil {
		return nil, err
	}
	c := &Client{opts: opts, addrs: append([]string{addr}, opts.Fallback...)}
	if _, err := c.ready(ctx); err != nil {
		return nil, err
	}
	// Learn the other members' addresses for fail-over; a node that
	// cannot answer yet is no reason to fail the dial, but one that
	// refuses the credentials is.
	if _, err := c.Status(ctx); isRefusal(err) {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Addr returns the address of the node the client currently talks to.
func (c *Client) Addr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addrs[c.cur]
}

// SeenIndex returns the highest log index the session has seen.
func (c *Client) SeenIndex() uint64 { return c.seen.Load() }

// Observe raises the session's index to at least index (for example to
// continue a session of another process).
func (c *Client) Observe(index uint64) {
	for {
		cur := c.seen.Load()
		if index <= cur || c.seen.CompareAndSwap(cur, index) {
			return
		}
	}
}

// Close closes the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, ws := range c.idle {
		ws.closeStream()
	}
	if c.conn != nil {
		err := c.conn.Close()
		c.conn = nil
		return err
	}
	return nil
}

// ready returns a stub over a ready connection, failing over to the next
// known node when the current one cannot be reached. With other nodes to
// try, a node that refuses connections (stopped, restarting) is skipped
// at once rather than waited for; the known nodes are tried again, until
// ConnectTimeout, while none can be reached.
func (c *Client) ready(ctx context.Context) (resqlitepb.ReSqliteClient, error) {
	conn, err := c.readyConn(ctx)
	if err != nil {
		return nil, err
	}
	return resqlitepb.NewReSqliteClient(conn), nil
}

// readyConn is ready's connection.
func (c *Client) readyConn(ctx context.Context) (*grpc.ClientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("client: closed")
	}
	if c.conn != nil && c.conn.GetState() == connectivity.Ready {
		return c.conn, nil
	}
	deadline := time.Now().Add(c.opts.ConnectTimeout)
	for {
		conn, errs := c.tryEach(ctx, len(c.addrs) > 1)
		if conn != nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if wait := time.Until(deadline); wait <= 0 || pause(ctx, min(wait, retryPass)) != nil {
			return nil, status.Errorf(codes.Unavailable, "client: no node reachable: %v", errors.Join(errs...))
		}
	}
}

// retryPass is the pause between two passes over the known nodes when
// none could be reached.
const retryPass = 50 * time.Millisecond

// tryEach tries each known node once, from the current one, and returns
// the first ready connection, or why each failed.
func (c *Client) tryEach(ctx context.Context, failFast bool) (*grpc.ClientConn, []error) {
	var errs []error
	for range len(c.addrs) {
		if c.conn == nil {
			conn, err := c.dial(c.addrs[c.cur])
			if err != nil {
				errs = append(errs, err)
				c.next()
				continue
			}
			c.conn = conn
		}
		if waitReady(ctx, c.conn, c.opts.ConnectTimeout, failFast) {
			return c.conn, nil
		}
		if ctx.Err() != nil {
			return nil, nil
		}
		errs = append(errs, fmt.Errorf("%s: %s", c.addrs[c.cur], explainConn(ctx, c.conn, c.opts.TLS != nil)))
		c.conn.Close()
		c.conn = nil
		c.next()
	}
	return nil, errs
}

func (c *Client) next() { c.cur = (c.cur + 1) % len(c.addrs) }

func (c *Client) dial(addr string) (*grpc.ClientConn, error) {
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(sqlval.MaxMessageSize), grpc.MaxCallSendMsgSize(sqlval.MaxMessageSize)),
	}, c.opts.securityDialOptions()...)
	opts = append(opts, c.opts.DialOptions...)
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", addr, err)
	}
	return conn, nil
}

// waitReady waits for conn to be ready, at most timeout; with failFast
// it gives up as soon as a connection attempt failed (TRANSIENT_FAILURE:
// refused, unreachable), for a caller that has other nodes to try.
func waitReady(ctx context.Context, conn *grpc.ClientConn, timeout time.Duration, failFast bool) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn.Connect()
	for {
		st := conn.GetState()
		if st == connectivity.Ready {
			return true
		}
		if st == connectivity.Shutdown || failFast && st == connectivity.TransientFailure || !conn.WaitForStateChange(ctx, st) {
			return false
		}
	}
}

// dropConn forgets the current connection after a transport failure, so
// the next call reconnects (or fails over).
func (c *Client) dropConn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil && c.conn.GetState() != connectivity.Ready {
		c.conn.Close()
		c.conn = nil
		c.next()
	}
}

// skipNode moves to the next known node, for a node that answers but
// cannot serve (cut off from the leader).
func (c *Client) skipNode() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.addrs) > 1 && c.conn != nil {
		c.conn.Close()
		c.conn = nil
		c.next()
	}
}

// learn adds member addresses to the fail-over list.
func (c *Client) learn(addrs []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range addrs {
		if a != "" && !slices.Contains(c.addrs, a) {
			c.addrs = append(c.addrs, a)
		}
	}
}

// isVerdict reports whether trailer marks err as the node's own error.
func isVerdict(trailer metadata.MD) bool {
	return len(trailer.Get(wire.VerdictTrailer)) > 0
}

// outcomeUnknownError is the service's verdict that a write may have
// committed, in the service's words (which say so already).
type outcomeUnknownError struct{ msg string }

func (e *outcomeUnknownError) Error() string        { return e.msg }
func (e *outcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// outcomeUnknown wraps the service's ABORTED message as ErrOutcomeUnknown,
// without saying "write outcome unknown" twice.
func outcomeUnknown(msg string) error {
	if strings.HasPrefix(msg, ErrOutcomeUnknown.Error()) {
		return &outcomeUnknownError{msg: msg}
	}
	return fmt.Errorf("%w: %s", ErrOutcomeUnknown, msg)
}

// writeError interprets the failure of a write that was sent; verdict
// tells whether the error is the node's own (see isVerdict).
func writeError(err error, verdict bool) error {
	st := status.Convert(err)
	if verdict {
		if st.Code() == codes.Aborted {
			return outcomeUnknown(st.Message())
		}
		return err
	}
	return fmt.Errorf("%w: the write was sent but no answer came back: %v", ErrOutcomeUnknown, err)
}

// Execute applies one entry (its statements all or none) through the
// log. A statement's SQL error is in ExecResult.Err; the returned error
// means the entry as a whole failed, and wraps ErrOutcomeUnknown when it
// may have committed.
//
// The write is exactly-once: it goes out in a client session under a
// sequence number, so when a leader change or a broken connection leaves
// its outcome unknown it is sent again (to another node if this one
// cannot be reached), and the cluster answers a repeat with the first
// one's result. Until the deadline (Options.Timeout or ctx's) the caller
// sees neither "not proposed" nor "outcome unknown".
func (c *Client) Execute(ctx context.Context, stmts ...Statement) (*ExecResult, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	req, err := writeRequest(stmts)
	if err != nil {
		return nil, err
	}
	for fresh := false; ; fresh = true {
		ws, err := c.takeSession(ctx)
		if err != nil {
			return nil, err
		}
		if ws != nil {
			ws.seq++
			req.ClientId, req.WriteSeq, req.AckedSeq = ws.id, ws.seq, ws.seq-1
		}
		resp, err := c.executeRetrying(ctx, ws, req)
		if err != nil {
			// The session's write is unresolved: the session is not
			// used again (its next write would wait behind this one).
			if ws != nil {
				ws.closeStream()
			}
			return nil, err
		}
		se := resp.GetSessionError()
		if se.GetKind() == resqlitepb.SessionError_KIND_UNKNOWN_SESSION && !fresh {
			// The session expired while idle (sessions live an hour of
			// leader time past their last write, far beyond a request's
			// deadline, so no copy of this write applied under it):
			// send the write in a new session.
			ws.closeStream()
			continue
		}
		if se != nil {
			return nil, fmt.Errorf("%w: %s", ErrOutcomeUnknown, se.GetMessage())
		}
		if ws != nil && resp.GetIndex() != 0 {
			// (A write refused before the log, by the pre-check, left
			// its number unused, or an earlier copy used it: the session
			// is not used again.)
			c.putSession(ws)
		} else if ws != nil {
			ws.closeStream()
		}
		c.Observe(resp.GetIndex())
		return execResultFromProto(resp), nil
	}
}

// executeRetrying sends req until it gets an answer, a final error, or
// ctx ends. A write without a session is sent again only when the node
// said nothing was proposed.
func (c *Client) executeRetrying(ctx context.Context, ws *writeSession, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, error) {
	sent := false // whether an attempt may have reached the log
	var last error
	for n := 0; ; n++ {
		req.MinIndex = c.SeenIndex()
		resp, verdict, err := c.executeOnce(ctx, ws, req)
		if err == nil {
			return resp, nil
		}
		// Judged on the node's status, before writeError turns an
		// ABORTED verdict into ErrOutcomeUnknown.
		mayHaveCommitted := !verdict || status.Code(err) == codes.Aborted
		sent = sent || mayHaveCommitted
		last = writeError(err, verdict)
		again := retryable(ctx, err, verdict) && (req.ClientId != 0 || !mayHaveCommitted)
		if !again || backoff(ctx, n) != nil {
			break
		}
	}
	switch {
	case !sent:
		return nil, last
	case errors.Is(last, ErrOutcomeUnknown):
		return nil, last
	default:
		return nil, fmt.Errorf("%w: the write was sent but no answer came back before the deadline: %v", ErrOutcomeUnknown, last)
	}
}

// callOnce makes one unary call of c's node and returns its gRPC error as
// it is; verdict tells whether the error is the node's own answer (not a
// broken connection, after which c dials again).
func callOnce[Req, Resp any](ctx context.Context, c *Client, call func(resqlitepb.ReSqliteClient, context.Context, Req, ...grpc.CallOption) (Resp, error), req Req) (resp Resp, verdict bool, err error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return resp, true, err
	}
	var trailer metadata.MD
	resp, err = call(rc, ctx, req, grpc.Trailer(&trailer))
	if err == nil {
		return resp, true, nil
	}
	verdict = isVerdict(trailer)
	if !verdict {
		c.dropConn()
	}
	var zero Resp
	return zero, verdict, err
}

// Exec is Execute of SQL texts without parameters.
func (c *Client) Exec(ctx context.Context, sql ...string) (*ExecResult, error) {
	stmts := make([]Statement, len(sql))
	for i, s := range sql {
		stmts[i] = Statement{SQL: s}
	}
	return c.Execute(ctx, stmts...)
}

// Query runs one read-only statement at a consistency level, after the
// serving node has applied the session's index, and returns its whole
// result (QueryStream returns the rows as they arrive). A statement's SQL
// error is returned as *SQLError. A read that fails because its node
// cannot be reached, or cannot confirm its data is current (no leader,
// cut off), is tried again, on the next node, until the deadline
// (Options.Timeout or ctx's), which bounds the whole read; never once
// rows arrived.
func (c *Client) Query(ctx context.Context, level Consistency, sql string, params ...Param) (*Rows, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	rs, err := c.QueryStream(ctx, level, sql, params...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	rows := &Rows{Columns: rs.Columns, AppliedIndex: rs.AppliedIndex}
	for {
		more, err := rs.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		rows.Rows = append(rows.Rows, more...)
	}
}
