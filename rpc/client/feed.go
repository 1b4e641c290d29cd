package client

import (
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
	seq    uint64
	ch     chan feedItem
	closed chan struct{}
	once   sync.Once
}

type feedItem struct {
	chunk *resqlitepb.QueryResponse
	err   error
}

// newFedStream returns the RowStream of a session read whose first chunk
// is first; the session feeds it the rest.
func newFedStream(seq uint64, first *resqlitepb.QueryResponse) *RowStream {
	f := &feed{seq: seq, ch: make(chan feedItem, 2), closed: make(chan struct{})}
	rs := &RowStream{AppliedIndex: first.GetAppliedIndex(), feed: f, recv: f.recv, cancel: f.close}
	rs.Columns = stringsOf(first.GetColumns())
	rs.take(first)
	if !first.GetMore() {
		close(f.ch)
	}
	return rs
}

// recv is the RowStream's source of chunks.
func (f *feed) recv() (*resqlitepb.QueryResponse, error) {
	it, ok := <-f.ch
	if !ok {
		return nil, io.EOF
	}
	return it.chunk, it.err
}

// close tells the receiver that nobody reads the stream any more.
func (f *feed) close() { f.once.Do(func() { close(f.closed) }) }

// put hands an item to the consumer, or drops it once the consumer is
// gone.
func (f *feed) put(it feedItem) {
	select {
	case f.ch <- it:
	case <-f.closed:
	}
}

// feedActive hands the response resp to the streamed read a; it reports
// false when the session cannot go on (a response of another request).
func (s *Session) feedActive(a *feed, resp *resqlitepb.SessionResponse) bool {
	end := true
	switch o := resp.GetOutcome().(type) {
	case *resqlitepb.SessionResponse_Read:
		if resp.GetSeq() != a.seq {
			break
		}
		a.put(feedItem{chunk: o.Read})
		end = !o.Read.GetMore()
		if end {
			close(a.ch)
		}
	case *resqlitepb.SessionResponse_Failure:
		if resp.GetSeq() != a.seq {
			break
		}
		a.put(feedItem{err: status.Error(codes.Code(o.Failure.GetCode()), o.Failure.GetMessage())})
		close(a.ch)
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
	a := s.active
	if a == nil {
		return
	}
	s.active = nil
	go func() {
		a.put(feedItem{err: err})
		close(a.ch)
	}()
}
