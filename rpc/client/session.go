package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Request is one step of a pipelined session: a write (Write set) or a
// read.
type Request struct {
	// Write holds the statements of one entry (all or none).
	Write []Statement
	// Read is a read-only statement with its parameters, run at Level.
	Read   string
	Params []Param
	Level  Consistency
	// Stream asks for a read's rows as they come (Reply.Stream) instead
	// of whole (Reply.Rows).
	Stream bool
}

// Reply is the outcome of one Request.
type Reply struct {
	// Write is a write's result (its SQL error, if any, is Write.Err).
	Write *ExecResult
	// Rows is a read's result; ReadErr its SQL error.
	Rows    *Rows
	ReadErr *SQLError
	// Stream is a streamed read's result (Request.Stream): the session's
	// later replies come after its last row, so the caller reads it to
	// its end or closes it before it waits for them.
	Stream *RowStream
	// Err is set when the request failed as a whole; for a write it wraps
	// ErrOutcomeUnknown when the write may have committed.
	Err error
}

// Session is an ordered, pipelined stream of requests: Submit does not
// wait for results, Next returns them in submission order. Writes are
// proposed without waiting for earlier writes to commit; a read waits
// only for the session's earlier writes. Submit and Next may be called
// from different goroutines; responses are buffered, so submitting many
// requests before reading any does not block.
//
// Its writes are exactly-once (a client session registered through the
// log, Raft thesis §6.3): each carries the session's id and a sequence
// number. When a request fails because the leader changed or a
// connection broke, the session opens a new stream (to another node if
// need be) and sends again, in order and under their original numbers,
// every request from the first one without a reply; the cluster answers
// a write it applied already with its recorded result. A request fails
// only once its deadline (Options.Timeout after it was submitted) has
// passed; then every later request fails too.
type Session struct {
	c      *Client
	ctx    context.Context
	cancel context.CancelFunc
	// id is the registered session (0: the cluster does not support
	// sessions, and failures are returned instead of retried).
	id uint64

	// sendMu orders sends: Submit's, and a resumed stream's re-sends.
	sendMu   sync.Mutex
	seq      uint64
	writeSeq uint64

	mu           sync.Mutex
	cond         *sync.Cond
	stream       resqlitepb.ReSqlite_SessionClient
	streamCancel context.CancelFunc
	pending      []*pendingRequest // submitted, without a reply yet
	acked        uint64            // the highest write seq with a reply
	replies      []Reply
	broken       error
	closing      bool
	// active is the streamed read whose chunks are coming in.
	active *feed
}

// pendingRequest is a submitted request waiting for its reply.
type pendingRequest struct {
	req      *resqlitepb.SessionRequest
	write    bool
	deadline time.Time
	// local is the reply of a request refused before it was sent (a
	// write over the limits: it gets no sequence number).
	local *Reply
}

// Session opens a pipelined session on the current node.
func (c *Client) Session(ctx context.Context) (*Session, error) {
	ctx, cancel := context.WithCancel(ctx)
	s := &Session{c: c, ctx: ctx, cancel: cancel}
	s.cond = sync.NewCond(&s.mu)
	rctx, rcancel := c.withDeadline(ctx)
	defer rcancel()
	id, err := c.register(rctx)
	if err != nil && !errors.Is(err, errSessionsUnsupported) {
		cancel()
		return nil, err
	}
	s.id = id
	stream, streamCancel, err := s.open(rctx)
	if err != nil {
		cancel()
		return nil, err
	}
	s.stream, s.streamCancel = stream, streamCancel
	go s.receive()
	return s, nil
}

// open opens a Session stream on the current node (failing over to the
// next one when it cannot be reached).
func (s *Session) open(ctx context.Context) (resqlitepb.ReSqlite_SessionClient, context.CancelFunc, error) {
	rc, err := s.c.ready(ctx)
	if err != nil {
		return nil, nil, err
	}
	sctx, cancel := context.WithCancel(s.ctx)
	stream, err := rc.Session(sctx)
	if err != nil {
		cancel()
		s.c.dropConn()
		return nil, nil, err
	}
	return stream, cancel, nil
}

// Submit sends a request without waiting for its result.
func (s *Session) Submit(req Request) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.mu.Lock()
	if s.broken != nil {
		err := s.broken
		s.mu.Unlock()
		return fmt.Errorf("client: session broken: %w", err)
	}
	var w *resqlitepb.ExecuteRequest
	if req.Write != nil {
		var err error
		if w, err = writeRequest(req.Write); err != nil {
			s.pending = append(s.pending, &pendingRequest{write: true, local: &Reply{Err: err}})
			s.flushLocal()
			s.mu.Unlock()
			return nil
		}
	}
	s.seq++
	pr := &resqlitepb.SessionRequest{Seq: s.seq}
	if w != nil {
		w.MinIndex = s.c.SeenIndex()
		if s.id != 0 {
			s.writeSeq++
			w.ClientId, w.WriteSeq, w.AckedSeq = s.id, s.writeSeq, s.acked
		}
		pr.Op = &resqlitepb.SessionRequest_Write{Write: w}
	} else {
		pr.Op = &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{Sql: []byte(req.Read), Params: wire.ParamsToProto(req.Params), Consistency: req.Level, MinIndex: s.c.SeenIndex(), Chunked: req.Stream, Packed: true}}
	}
	s.pending = append(s.pending, &pendingRequest{req: pr, write: req.Write != nil, deadline: time.Now().Add(s.c.opts.Timeout)})
	stream := s.stream
	s.mu.Unlock()
	// A failed send needs no handling here: the receiver sees the
	// stream's end and sends the request again (or fails it).
	stream.Send(pr)
	return nil
}

// receive turns responses into replies, in order, and resumes the
// session on a new stream when one breaks.
func (s *Session) receive() {
	for {
		s.mu.Lock()
		stream := s.stream
		s.mu.Unlock()
		resp, err := stream.Recv()
		if err != nil {
			if !s.recover(stream, err) {
				return
			}
			continue
		}
		s.mu.Lock()
		if s.stream != stream {
			// A response of a stream given up: its request was sent again.
			s.mu.Unlock()
			continue
		}
		if a := s.active; a != nil {
			s.mu.Unlock()
			if !s.feedActive(a, resp) {
				return
			}
			continue
		}
		if len(s.pending) == 0 {
			s.fail(errors.New("node sent a reply to no request"), nil)
			s.mu.Unlock()
			return
		}
		p := s.pending[0]
		r, again := s.reply(resp, p)
		if again && s.id != 0 && time.Now().Before(p.deadline) {
			s.mu.Unlock()
			if status.Code(r.Err) == codes.DeadlineExceeded {
				// The node answers but cannot confirm its data is
				// current (cut off): go on at another.
				s.c.skipNode()
			}
			if !s.resume(stream, r.Err) {
				return
			}
			continue
		}
		s.pending = s.pending[1:]
		if w := p.req.GetWrite(); w != nil {
			s.acked = max(s.acked, w.GetWriteSeq())
		}
		if r.Stream != nil && resp.GetRead().GetMore() {
			s.active = r.Stream.feed
		}
		s.replies = append(s.replies, r)
		s.flushLocal()
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// flushLocal answers the requests at the head of the queue that were
// refused before they were sent. Called with s.mu held.
func (s *Session) flushLocal() {
	for len(s.pending) > 0 && s.pending[0].local != nil {
		s.replies = append(s.replies, *s.pending[0].local)
		s.pending = s.pending[1:]
	}
	s.cond.Broadcast()
}

// recover handles the end of stream: a closed session ends; a session
// without a registered id fails what is pending; otherwise it resumes.
func (s *Session) recover(stream resqlitepb.ReSqlite_SessionClient, err error) bool {
	s.mu.Lock()
	if s.stream != stream {
		s.mu.Unlock()
		return true
	}
	if s.closing || s.id == 0 {
		if errors.Is(err, io.EOF) {
			err = errors.New("session ended")
		}
		s.fail(err, stream.Trailer())
		s.mu.Unlock()
		return false
	}
	s.mu.Unlock()
	return s.resume(stream, err)
}

// resume gives up stream and opens a new one, on which it sends again
// every request without a reply, in order. It keeps trying until the
// oldest such request's deadline; then it fails the session.
func (s *Session) resume(stream resqlitepb.ReSqlite_SessionClient, cause error) bool {
	s.mu.Lock()
	// A streamed read that delivered rows is never sent again.
	s.endActive(cause)
	if s.streamCancel != nil {
		s.streamCancel()
	}
	s.mu.Unlock()
	s.c.dropConn()
	for n := 0; ; n++ {
		s.mu.Lock()
		if s.closing {
			s.fail(fmt.Errorf("session ended: %w", cause), nil)
			s.mu.Unlock()
			return false
		}
		deadline := time.Now().Add(s.c.opts.Timeout)
		if len(s.pending) > 0 {
			deadline = s.pending[0].deadline
		}
		s.mu.Unlock()
		ctx, cancel := context.WithDeadline(s.ctx, deadline)
		next, nextCancel, err := s.reopen(ctx, n)
		cancel()
		if err != nil {
			if ctx.Err() != nil || s.ctx.Err() != nil {
				s.mu.Lock()
				s.fail(fmt.Errorf("no node took the session again before the deadline: %w", cause), nil)
				s.mu.Unlock()
				return false
			}
			cause = err
			continue
		}
		s.sendMu.Lock()
		s.mu.Lock()
		s.stream, s.streamCancel = next, nextCancel
		reqs := make([]*resqlitepb.SessionRequest, 0, len(s.pending))
		for _, p := range s.pending {
			if p.local != nil {
				continue
			}
			if w := p.req.GetWrite(); w != nil {
				w.AckedSeq = s.acked
			}
			if r := p.req.GetRead(); r != nil {
				r.MinIndex = max(r.MinIndex, s.c.SeenIndex())
			}
			reqs = append(reqs, p.req)
		}
		s.mu.Unlock()
		// Send from another goroutine, so that the receiver reads the
		// replies while many requests go out (the node stops reading
		// requests while too many replies wait).
		go func() {
			defer s.sendMu.Unlock()
			for _, r := range reqs {
				if next.Send(r) != nil {
					return
				}
			}
		}()
		return true
	}
}

// reopen waits before attempt n and opens a new stream.
func (s *Session) reopen(ctx context.Context, n int) (resqlitepb.ReSqlite_SessionClient, context.CancelFunc, error) {
	if err := backoff(ctx, n); err != nil {
		return nil, nil, err
	}
	return s.open(ctx)
}

// reply converts one response; again reports a failure that sending the
// request again may cure (a session write only ever applies once).
func (s *Session) reply(resp *resqlitepb.SessionResponse, p *pendingRequest) (r Reply, again bool) {
	write := p.write
	switch o := resp.GetOutcome().(type) {
	case *resqlitepb.SessionResponse_Write:
		if se := o.Write.GetSessionError(); se != nil {
			err := fmt.Errorf("%w: %s", ErrOutcomeUnknown, se.GetMessage())
			return Reply{Err: err}, se.GetKind() == resqlitepb.SessionError_KIND_OUT_OF_ORDER
		}
		s.c.Observe(o.Write.GetIndex())
		return Reply{Write: execResultFromProto(o.Write)}, false
	case *resqlitepb.SessionResponse_Read:
		if e := o.Read.GetError(); e != nil && !wire.HasRows(o.Read) {
			return Reply{ReadErr: sqlErrorFromProto(e)}, false
		}
		s.c.Observe(o.Read.GetAppliedIndex())
		if p.req.GetRead().GetChunked() {
			return Reply{Stream: newFedStream(resp.GetSeq(), o.Read)}, false
		}
		rows, err := wire.ResponseRows(o.Read)
		if err != nil {
			return Reply{Err: fmt.Errorf("client: read %d: %w", resp.GetSeq(), err)}, false
		}
		return Reply{Rows: &Rows{Columns: wire.Strings(o.Read.GetColumns()), Rows: rows, AppliedIndex: o.Read.GetAppliedIndex()}}, false
	case *resqlitepb.SessionResponse_Failure:
		code := codes.Code(o.Failure.GetCode())
		err := status.Error(code, o.Failure.GetMessage())
		if write && code == codes.Aborted {
			err = outcomeUnknown(o.Failure.GetMessage())
		}
		return Reply{Err: err}, retryableCode(code)
	}
	return Reply{Err: errors.New("client: node sent an empty reply")}, false
}

// fail answers every request still pending after the session broke.
// Called with s.mu held.
func (s *Session) fail(err error, trailer metadata.MD) {
	s.broken = err
	s.endActive(err)
	for _, p := range s.pending {
		r := Reply{Err: fmt.Errorf("client: session broke: %w", err)}
		switch {
		case p.local != nil:
			r = *p.local
		case p.write:
			r.Err = fmt.Errorf("%w: the session broke before the write's result came back: %v", ErrOutcomeUnknown, err)
		}
		s.replies = append(s.replies, r)
	}
	s.pending = nil
	if !isVerdict(trailer) {
		s.c.dropConn()
	}
	s.cond.Broadcast()
}

// Next returns the reply to the oldest request not yet returned. After
// the session broke and every pending request was answered, it returns
// the error that broke it.
func (s *Session) Next() (Reply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.replies) == 0 {
		if s.broken != nil {
			return Reply{}, s.broken
		}
		s.cond.Wait()
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	return r, nil
}

// Close ends the session; requests without a reply are abandoned.
func (s *Session) Close() error {
	s.sendMu.Lock()
	s.mu.Lock()
	s.closing = true
	stream := s.stream
	s.mu.Unlock()
	err := stream.CloseSend()
	s.sendMu.Unlock()
	s.cancel()
	return err
}
