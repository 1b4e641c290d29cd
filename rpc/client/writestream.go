package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A write session's writes go over a Session stream of its own that stays
// open between writes, one write at a time: each write is one message
// each way, instead of a call of its own (a new HTTP/2 stream with its
// headers and trailers, a handler goroutine on the node, interceptors).
// The node treats them as any session's writes: exactly-once under
// (session, seq), forwarded to the leader over one stream, judged by the
// determinism rules at apply (a session write is not pre-checked: a
// refusal is its result, under its log index).

// writeStream is the open Session stream of one write session.
type writeStream struct {
	// conn is the connection the stream runs on: a stream of a
	// connection the client dropped is not used again.
	conn   *grpc.ClientConn
	stream resqlitepb.ReSqlite_SessionClient
	cancel context.CancelFunc
	// seq is the last request number sent on the stream.
	seq uint64
}

// executeOnce makes one attempt at a write and returns the node's error
// as it is; verdict tells whether the error is the node's own answer
// (not a broken connection or stream). A session write goes over the
// session's stream unless the node refused streams; others, and writes
// of a client whose node refused a stream, are a unary Execute call.
func (c *Client) executeOnce(ctx context.Context, ws *writeSession, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, bool, error) {
	if ws != nil && !c.streamsRefused() {
		resp, verdict, err := c.executeStreamed(ctx, ws, req)
		if !refusedStream(verdict, err) {
			return resp, verdict, err
		}
		// The node refused the stream before reading the write:
		// nothing was proposed.
		c.refuseStreams()
	}
	return callOnce(ctx, c, resqlitepb.ReSqliteClient.Execute, req)
}

// refusedStream reports whether a stream's failure is the node refusing
// Session streams as such: it has no Session method, or its
// -max-sessions are open (its own verdict).
func refusedStream(verdict bool, err error) bool {
	switch status.Code(err) {
	case codes.Unimplemented:
		return true
	case codes.ResourceExhausted:
		return verdict
	}
	return false
}

func (c *Client) streamsRefused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.noStreams
}

func (c *Client) refuseStreams() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noStreams = true
}

// executeStreamed sends req over ws's stream, opening one if it has none
// on the current connection, and waits for its response. Ending ctx ends
// the stream (the write's outcome is then unknown). A stream that failed
// is not used again.
func (c *Client) executeStreamed(ctx context.Context, ws *writeSession, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, bool, error) {
	st, err := c.writeStream(ctx, ws)
	if err != nil {
		return nil, true, err
	}
	stop := context.AfterFunc(ctx, st.cancel)
	defer stop()
	st.seq++
	resp, err := st.roundTrip(&resqlitepb.SessionRequest{Seq: st.seq, Op: &resqlitepb.SessionRequest_Write{Write: req}})
	if err == nil {
		if f := resp.GetFailure(); f != nil {
			// The node's answer to this write; the stream goes on.
			return nil, true, status.Error(codes.Code(f.GetCode()), f.GetMessage())
		}
		if w := resp.GetWrite(); w != nil && resp.GetSeq() == st.seq {
			return w, true, nil
		}
		err = status.Errorf(codes.Internal, "client: the node answered write %d of the stream with %T (seq %d)", st.seq, resp.GetOutcome(), resp.GetSeq())
	}
	ws.closeStream()
	if ctx.Err() != nil {
		return nil, false, status.FromContextError(ctx.Err()).Err()
	}
	verdict := status.Code(err) != codes.Internal && isVerdict(st.stream.Trailer())
	if !verdict {
		c.dropConn()
	}
	return nil, verdict, err
}

// roundTrip sends one request and receives its response.
func (st *writeStream) roundTrip(req *resqlitepb.SessionRequest) (*resqlitepb.SessionResponse, error) {
	err := st.stream.Send(req)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	// After Send's io.EOF (the stream ended) Recv returns why.
	resp, rerr := st.stream.Recv()
	if errors.Is(rerr, io.EOF) {
		rerr = status.Error(codes.Unavailable, "client: the node ended the write stream")
	}
	if rerr == nil && err != nil {
		rerr = fmt.Errorf("client: send on the write stream: %w", err)
	}
	return resp, rerr
}

// writeStream returns ws's stream, opening one on the current
// connection if it has none there.
func (c *Client) writeStream(ctx context.Context, ws *writeSession) (*writeStream, error) {
	conn, err := c.readyConn(ctx)
	if err != nil {
		return nil, err
	}
	if ws.stream != nil && ws.stream.conn == conn {
		return ws.stream, nil
	}
	ws.closeStream()
	// The stream outlives this call: it ends with the session, the
	// connection, or a failure.
	sctx, cancel := context.WithCancel(context.Background())
	stream, err := resqlitepb.NewReSqliteClient(conn).Session(sctx)
	if err != nil {
		cancel()
		c.dropConn()
		return nil, err
	}
	ws.stream = &writeStream{conn: conn, stream: stream, cancel: cancel}
	return ws.stream, nil
}

// closeStream ends ws's stream, if it has one.
func (ws *writeSession) closeStream() {
	if ws.stream != nil {
		ws.stream.cancel()
		ws.stream = nil
	}
}
