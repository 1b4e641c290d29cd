package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// feed carries the chunks of a streamed session read from the session's
// receiver to its RowStream. The channel is small: a consumer that reads
// slowly holds the receiver back, and gRPC's flow control the node.
type feed struct {
	seq uint64
	ch  chan *resqlitepb.QueryResponse
	// end is why the feed ended (nil: the read's last chunk came); set
	// before ch is closed.
	end     error
	endOnce sync.Once
	closed  chan struct{} // closed when the consumer is gone
	gone    sync.Once
}

// newFedStream returns the RowStream of a session read whose first chunk
// is first; the session feeds it the rest.
func newFedStream(seq uint64, first *resqlitepb.QueryResponse) *RowStream {
	f := &feed{seq: seq, ch: make(chan *resqlitepb.QueryResponse, 2), closed: make(chan struct{})}
	rs := &RowStream{AppliedIndex: first.GetAppliedIndex(), feed: f, recv: f.recv, cancel: f.close}
	rs.Columns = stringsOf(first.GetColumns())
	rs.take(first)
	if !first.GetMore() {
		f.finish(nil)
	}
	return rs
}

// recv is the RowStream's source of chunks.
func (f *feed) recv() (*resqlitepb.QueryResponse, error) {
	chunk, ok := <-f.ch
	if !ok {
		if f.end != nil {
			return nil, f.end
		}
		return nil, io.EOF
	}
	return chunk, nil
}

// close tells the receiver that nobody reads the stream any more.
func (f *feed) close() { f.gone.Do(func() { close(f.closed) }) }

// finish ends the feed with err (nil: the read is complete), once.
func (f *feed) finish(err error) {
	f.endOnce.Do(func() {
		f.end = err
		close(f.ch)
	})
}

// put hands a chunk to the consumer; it reports false when the session
// ended first (ctx), and drops the chunk once the consumer is gone.
func (f *feed) put(ctx context.Context, chunk *resqlitepb.QueryResponse) bool {
	select {
	case f.ch <- chunk:
	case <-f.closed:
	case <-ctx.Done():
		return false
	}
	return true
}

// errSessionEnded ends a streamed read whose session was closed.
var errSessionEnded = errors.New("client: the session ended before the read's last rows came")

// feedActive hands the response resp to the streamed read a; it reports
// false when the session cannot go on (a response of another request).
func (s *Session) feedActive(a *feed, resp *resqlitepb.SessionResponse) bool {
	end := true
	if resp.GetSeq() == a.seq {
		switch o := resp.GetOutcome().(type) {
		case *resqlitepb.SessionResponse_Read:
			end = !o.Read.GetMore()
			switch {
			case !a.put(s.ctx, o.Read):
				a.finish(errSessionEnded)
			case end:
				a.finish(nil)
			}
		case *resqlitepb.SessionResponse_Failure:
			a.finish(status.Error(codes.Code(o.Failure.GetCode()), o.Failure.GetMessage()))
		default:
			a.finish(errors.New("client: the node answered a read with a write's result"))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if resp.GetSeq() != a.seq {
		s.fail(fmt.Errorf("node answered request %d amid the rows of read %d", resp.GetSeq(), a.seq), nil)
		return false
	}
	if end && s.active == a {
		s.active = nil
	}
	return true
}

// endActive ends the streamed read in progress, if any, with err (it is
// never sent again: rows of it were delivered). Called with s.mu held.
func (s *Session) endActive(err error) {
	if a := s.active; a != nil {
		s.active = nil
		a.finish(err)
	}
}
