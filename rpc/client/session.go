package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

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
}

// Reply is the outcome of one Request.
type Reply struct {
	// Write is a write's result (its SQL error, if any, is Write.Err).
	Write *ExecResult
	// Rows is a read's result; ReadErr its SQL error.
	Rows    *Rows
	ReadErr *SQLError
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
type Session struct {
	c      *Client
	stream resqlitepb.ReSqlite_SessionClient
	cancel context.CancelFunc

	sendMu sync.Mutex
	seq    uint64

	mu      sync.Mutex
	cond    *sync.Cond
	kinds   []bool // per request not yet answered: true for a write
	replies []Reply
	broken  error
}

// Session opens a pipelined session on the current node.
func (c *Client) Session(ctx context.Context) (*Session, error) {
	rc, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	stream, err := rc.Session(ctx)
	if err != nil {
		cancel()
		c.dropConn()
		return nil, err
	}
	s := &Session{c: c, stream: stream, cancel: cancel}
	s.cond = sync.NewCond(&s.mu)
	go s.receive()
	return s, nil
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
	s.seq++
	pr := &resqlitepb.SessionRequest{Seq: s.seq}
	if req.Write != nil {
		pr.Op = &resqlitepb.SessionRequest_Write{Write: &resqlitepb.ExecuteRequest{Statements: statementsToProto(req.Write), MinIndex: s.c.SeenIndex()}}
	} else {
		pr.Op = &resqlitepb.SessionRequest_Read{Read: &resqlitepb.QueryRequest{Sql: req.Read, Params: wire.ParamsToProto(req.Params), Consistency: req.Level, MinIndex: s.c.SeenIndex()}}
	}
	s.kinds = append(s.kinds, req.Write != nil)
	s.mu.Unlock()
	if err := s.stream.Send(pr); err != nil {
		// The receiver sees the stream's end and fails what is pending.
		return fmt.Errorf("client: session send: %w", err)
	}
	return nil
}

// receive buffers replies as they arrive.
func (s *Session) receive() {
	for {
		resp, err := s.stream.Recv()
		s.mu.Lock()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("session ended")
			}
			s.fail(err, s.stream.Trailer())
			s.mu.Unlock()
			return
		}
		if len(s.kinds) == 0 {
			s.fail(errors.New("node sent a reply to no request"), nil)
			s.mu.Unlock()
			return
		}
		write := s.kinds[0]
		s.kinds = s.kinds[1:]
		s.replies = append(s.replies, s.reply(resp, write))
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// reply converts one response.
func (s *Session) reply(resp *resqlitepb.SessionResponse, write bool) Reply {
	switch o := resp.GetOutcome().(type) {
	case *resqlitepb.SessionResponse_Write:
		s.c.Observe(o.Write.GetIndex())
		return Reply{Write: execResultFromProto(o.Write)}
	case *resqlitepb.SessionResponse_Read:
		if e := o.Read.GetError(); e != nil {
			return Reply{ReadErr: sqlErrorFromProto(e)}
		}
		s.c.Observe(o.Read.GetAppliedIndex())
		return Reply{Rows: &Rows{Columns: o.Read.GetColumns(), Rows: wire.RowsFromProto(o.Read.GetRows()), AppliedIndex: o.Read.GetAppliedIndex()}}
	case *resqlitepb.SessionResponse_Failure:
		err := status.Error(codes.Code(o.Failure.GetCode()), o.Failure.GetMessage())
		if write && codes.Code(o.Failure.GetCode()) == codes.Aborted {
			err = fmt.Errorf("%w: %s", ErrOutcomeUnknown, o.Failure.GetMessage())
		}
		return Reply{Err: err}
	}
	return Reply{Err: errors.New("client: node sent an empty reply")}
}

// fail answers every request still pending after the stream broke.
// Called with s.mu held.
func (s *Session) fail(err error, trailer metadata.MD) {
	s.broken = err
	for _, write := range s.kinds {
		r := Reply{Err: fmt.Errorf("client: session broke: %w", err)}
		if write {
			r.Err = fmt.Errorf("%w: the session broke before the write's result came back: %v", ErrOutcomeUnknown, err)
		}
		s.replies = append(s.replies, r)
	}
	s.kinds = nil
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
	err := s.stream.CloseSend()
	s.sendMu.Unlock()
	s.cancel()
	return err
}
