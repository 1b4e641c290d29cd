package service

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errIdle ends a streamed read whose client took no chunk for the idle
// limit.
var errIdle = errors.New("stream idle")

// chunker cuts a read's rows into chunks as SQLite steps them and hands
// each to the sender over out (capacity 1): with the chunk being sent and
// the one being filled, at most three chunks of a read are in memory. The
// sender blocks in gRPC's flow control when the client reads slowly, and
// the chunker then blocks on out: the node's memory does not grow.
type chunker struct {
	out  chan<- *resqlitepb.QueryResponse
	idle time.Duration
	// turn, for a session read, tells when the session starts sending
	// it.
	turn *turn
	cur  *resqlitepb.QueryResponse
	size int
	// maxBytes and maxRows bound the chunk being filled (smaller for the
	// first).
	maxBytes, maxRows int
}

func newChunker(out chan<- *resqlitepb.QueryResponse, idle time.Duration, turn *turn, applied uint64) *chunker {
	return &chunker{
		out: out, idle: idle, turn: turn, cur: &resqlitepb.QueryResponse{AppliedIndex: applied},
		maxBytes: FirstChunkBytes, maxRows: FirstChunkRows,
	}
}

func (ch *chunker) columns(cols []string) error {
	ch.cur.Columns = wire.Bytes(cols)
	return nil
}

func (ch *chunker) row(ctx context.Context, row []statemachine.Value) error {
	ch.cur.Rows = append(ch.cur.Rows, wire.RowToProto(row))
	ch.size += rowSize(row)
	if ch.size < ch.maxBytes && len(ch.cur.Rows) < ch.maxRows {
		return nil
	}
	return ch.flush(ctx, true)
}

// flush hands the current chunk to the sender (more: it is not the last),
// waiting at most the idle limit for it to take it.
func (ch *chunker) flush(ctx context.Context, more bool) error {
	ch.cur.More = more
	select {
	case ch.out <- ch.cur:
		ch.next()
		return nil
	default:
	}
	if ch.turn != nil {
		if err := ch.turn.wait(ctx, ch.idle); err != nil {
			return err
		}
	}
	t := time.NewTimer(ch.idle)
	defer t.Stop()
	select {
	case ch.out <- ch.cur:
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return errIdle
	}
	ch.next()
	return nil
}

// turn tells a session's streamed read when the session starts sending
// it (ready is closed) and since when the response the session is sending
// waits for its client (sending, Unix nanoseconds; 0 while none does).
type turn struct {
	ready   <-chan struct{}
	sending *atomic.Int64
}

// wait waits for the read's turn. Until then the session sends the
// responses before it, and a send that waits for the client for the idle
// limit ends this read too (its read transaction would pin the WAL
// meanwhile).
func (t *turn) wait(ctx context.Context, idle time.Duration) error {
	tick := time.NewTicker(max(idle/8, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-t.ready:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
			if since := t.sending.Load(); since != 0 && time.Since(time.Unix(0, since)) > idle {
				return errIdle
			}
		}
	}
}

// next starts a new chunk.
func (ch *chunker) next() {
	ch.cur, ch.size = &resqlitepb.QueryResponse{}, 0
	ch.maxBytes, ch.maxRows = QueryChunkBytes, QueryChunkRows
}

// rowSize estimates the encoded size of a row.
func rowSize(r []statemachine.Value) int {
	n := 2
	for _, v := range r {
		n += 10 + len(v.Text) + len(v.Blob)
	}
	return n
}

// streamRead runs a read that passed its gate and sends its result in
// chunks with send as SQLite steps it: the first chunk carries the columns
// and applied index, a statement error comes in the last chunk (after the
// rows SQLite produced before it), every chunk but the last has more set.
// It returns the read's failure as a gRPC status; sent reports whether any
// chunk went out. turn, for a session read, holds the read back until the
// session sends it.
func (s *Server) streamRead(ctx context.Context, req *resqlitepb.QueryRequest, applied uint64, turn *turn, send func(*resqlitepb.QueryResponse) error) (sent bool, err error) {
	ctx, cancel := s.readContext(ctx)
	defer cancel()
	chunks := make(chan *resqlitepb.QueryResponse, 1)
	done := make(chan error, 1)
	go func() {
		defer close(chunks)
		ch := newChunker(chunks, s.cfg.StreamIdleLimit, turn, applied)
		err := s.cfg.State.QueryEach(ctx, string(req.GetSql()), wire.ParamsFromProto(req.GetParams()), ch.columns, ch.row)
		var se *statemachine.Error
		if err == nil || errors.As(err, &se) {
			if se != nil {
				ch.cur.Error = sqlErrorToProto(se)
			}
			err = ch.flush(ctx, false)
		}
		done <- err
	}()
	for c := range chunks {
		if err := send(c); err != nil {
			cancel()
			for range chunks {
			}
			return sent, err
		}
		sent = true
	}
	return sent, s.readFailure(timedOut(ctx, <-done))
}

// errQueryTimeout is the cause of a read cancelled by Config.QueryTimeout.
var errQueryTimeout = errors.New("the read ran longer than the node's query timeout")

// readContext is the context a read statement runs under: ctx, bounded
// by QueryTimeout when there is one.
func (s *Server) readContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.cfg.QueryTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, s.cfg.QueryTimeout, errQueryTimeout)
}

// timedOut returns errQueryTimeout for a read that failed (with err)
// because ctx, its readContext, ran out; err otherwise.
func timedOut(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errQueryTimeout) {
		return errQueryTimeout
	}
	return err
}

// readFailure turns the error that ended a streamed read into a gRPC
// status (nil for none).
func (s *Server) readFailure(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errQueryTimeout):
		return status.Errorf(codes.DeadlineExceeded, "read cancelled by node %d: it ran longer than the node's query timeout of %v (-query-timeout)", s.cfg.Node.ID(), s.cfg.QueryTimeout)
	case errors.Is(err, errIdle):
		return status.Errorf(codes.Aborted, "read cancelled by node %d: the client took no rows for %v (the stream's idle limit); an open read would keep the node's WAL from being checkpointed", s.cfg.Node.ID(), s.cfg.StreamIdleLimit)
	case errors.Is(err, statemachine.ErrRestored):
		return status.Errorf(codes.Aborted, "read cancelled by node %d: it restored a snapshot that replaced the database the read was reading", s.cfg.Node.ID())
	case errors.Is(err, statemachine.ErrNotReadOnly):
		return status.Error(codes.InvalidArgument, "the statement is not read-only; send it as a write (Execute)")
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return status.FromContextError(err).Err()
	}
	return status.Errorf(codes.Internal, "node %d: read: %v", s.cfg.Node.ID(), fmt.Errorf("stream: %w", err))
}
