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
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
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
//
// A client that asked for packed rows gets them packed (enc, cut by
// bytes); any other gets Row messages (cut by bytes or rows).
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
	// enc packs the chunk being filled (packed reads only; begun once
	// the columns are known).
	enc  *rowpack.Encoder
	cols int
}

func newChunker(out chan<- *resqlitepb.QueryResponse, idle time.Duration, turn *turn, applied uint64, packed bool) *chunker {
	ch := &chunker{
		out: out, idle: idle, turn: turn, cur: &resqlitepb.QueryResponse{AppliedIndex: applied},
		maxBytes: FirstChunkBytes, maxRows: FirstChunkRows, cols: -1,
	}
	if packed {
		ch.enc = &rowpack.Encoder{}
	}
	return ch
}

func (ch *chunker) columns(cols []string) error {
	ch.cur.Columns = wire.Bytes(cols)
	ch.cols = len(cols)
	if ch.enc != nil {
		ch.beginPacked()
	}
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

// packedRow is called after the state machine appended a row to enc.
func (ch *chunker) packedRow(ctx context.Context) error {
	if ch.enc.Len() < ch.maxBytes {
		return nil
	}
	return ch.flush(ctx, true)
}

// beginPacked starts packing a chunk in a new buffer: the one handed
// over belongs to the message being sent. The first chunk starts small
// (most reads return a few rows) and grows as rows come; later ones get
// room for a whole chunk.
func (ch *chunker) beginPacked() {
	size := firstPackedBuffer
	if ch.maxBytes != FirstChunkBytes {
		size = ch.maxBytes + ch.maxBytes/8
	}
	ch.enc.Begin(make([]byte, 0, size), ch.cols)
}

// firstPackedBuffer is the initial capacity of a read's first packed
// chunk.
const firstPackedBuffer = 512

// seal puts the packed rows of the chunk being filled into its message.
func (ch *chunker) seal() {
	if ch.enc == nil || ch.cols < 0 {
		return
	}
	if ch.enc.Rows() == 0 {
		return
	}
	ch.cur.PackedRows = ch.enc.Bytes()
}

// flush hands the current chunk to the sender (more: it is not the last),
// waiting at most the idle limit for it to take it.
func (ch *chunker) flush(ctx context.Context, more bool) error {
	ch.cur.More = more
	ch.seal()
	select {
	case ch.out <- ch.cur:
		ch.next(more)
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
	ch.next(more)
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

// next starts a new chunk after one was handed over (more: not the
// last).
func (ch *chunker) next(more bool) {
	ch.cur, ch.size = &resqlitepb.QueryResponse{}, 0
	ch.maxBytes, ch.maxRows = QueryChunkBytes, QueryChunkRows
	if more && ch.enc != nil && ch.cols >= 0 {
		ch.beginPacked()
	}
}

// rowSize estimates the encoded size of a row.
func rowSize(r []statemachine.Value) int {
	n := 2
	for _, v := range r {
		n += 10 + len(v.Text) + len(v.Blob)
	}
	return n
}

// query runs req on sm into the chunker, packed or as values.
func (ch *chunker) query(ctx context.Context, sm *statemachine.StateMachine, req *resqlitepb.QueryRequest) error {
	sql, params := string(req.GetSql()), wire.ParamsFromProto(req.GetParams())
	if ch.enc == nil {
		return sm.QueryEach(ctx, sql, params, ch.columns, ch.row)
	}
	return sm.QueryPacked(ctx, sql, params, statemachine.PackedSink{Enc: ch.enc, Columns: ch.columns, Row: ch.packedRow})
}

// setRows puts a whole result's rows of cols columns into resp: packed
// when the client asked for it, as Row messages otherwise.
func setRows(resp *resqlitepb.QueryResponse, packed bool, cols int, rows [][]statemachine.Value) {
	switch {
	case !packed:
		resp.Rows = wire.RowsToProto(rows)
	case len(rows) > 0:
		resp.PackedRows = rowpack.Encode(cols, rows)
	}
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
		ch := newChunker(chunks, s.cfg.StreamIdleLimit, turn, applied, req.GetPacked())
		err := ch.query(ctx, s.cfg.State, req)
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
