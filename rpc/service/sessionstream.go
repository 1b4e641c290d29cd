package service

import (
	"context"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// readChunked serves a chunked session read once the session's earlier
// writes settled: its rows go out in chunks as SQLite steps them
// (streamRead), on sl.stream. It passes its consistency check at once,
// then waits until the session's previous chunked read (prev) has
// stepped to its end, and closes done when it has itself: a session runs
// one such statement at a time, in order, so the one running is always
// the oldest unsent, and a stream waiting its turn holds no read
// connection. Its idle limit counts from when the session starts sending
// it.
func (sess *session) readChunked(ctx context.Context, sl *slot, req *resqlitepb.QueryRequest, lastWrite *slot, prev <-chan struct{}, done chan<- struct{}) {
	defer close(sl.stream)
	defer close(done)
	q, err := afterWrites(ctx, req, lastWrite)
	var applied uint64
	if err == nil {
		applied, err = sess.s.gateRead(ctx, q)
	}
	if err == nil && prev != nil {
		select {
		case <-prev:
		case <-ctx.Done():
			err = status.FromContextError(ctx.Err()).Err()
		}
	}
	if err == nil {
		_, err = sess.s.streamRead(ctx, q, applied, &turn{ready: sl.started, sending: sess.sending}, func(c *resqlitepb.QueryResponse) error {
			resp := &resqlitepb.SessionResponse{Seq: sl.seq, Outcome: &resqlitepb.SessionResponse_Read{Read: c}}
			select {
			case sl.stream <- resp:
				return nil
			case <-ctx.Done():
				return status.FromContextError(ctx.Err()).Err()
			}
		})
	}
	if err == nil {
		return
	}
	st := status.Convert(err)
	resp := &resqlitepb.SessionResponse{Seq: sl.seq, Outcome: &resqlitepb.SessionResponse_Failure{
		Failure: &resqlitepb.RequestError{Code: int32(st.Code()), Message: st.Message()},
	}}
	if st.Code() == codes.OK {
		return
	}
	select {
	case sl.stream <- resp:
	case <-ctx.Done():
	}
}
