package client

import (
	"context"
	"fmt"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// writeSession is a client session registered through the log (Raft
// thesis §6.3): its writes carry its id and consecutive sequence numbers,
// and the state machine applies each number once, so a write whose
// outcome is unknown may be sent again under its number. One session
// carries one write at a time; the Client keeps idle ones for its
// concurrent Execute calls.
type writeSession struct {
	id uint64
	// seq is the last sequence number used; every write up to it has its
	// result (the session is dropped otherwise).
	seq uint64
	// stream carries the session's writes (writestream.go); nil until
	// the first, and after a failure.
	stream *writeStream
}

// takeSession returns an idle session, registering one if there is none.
// It returns nil when the cluster does not support sessions (writes are
// then sent without one).
func (c *Client) takeSession(ctx context.Context) (*writeSession, error) {
	c.mu.Lock()
	if c.noSessions {
		c.mu.Unlock()
		return nil, nil
	}
	if n := len(c.idle); n > 0 {
		ws := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return ws, nil
	}
	c.mu.Unlock()
	id, err := c.register(ctx)
	if err == errSessionsUnsupported {
		c.mu.Lock()
		c.noSessions = true
		c.mu.Unlock()
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &writeSession{id: id}, nil
}

// maxIdleStreams bounds the idle sessions that keep their write stream
// open (each holds a Session stream, and its goroutines, on the node):
// a burst of many concurrent writes leaves many idle sessions behind.
const maxIdleStreams = 64

// putSession returns a session whose writes all have their results to the
// idle pool. The pool is taken from its top, so the sessions that keep
// their stream are the top maxIdleStreams; the one pushed below them
// closes its stream.
func (c *Client) putSession(ws *writeSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idle = append(c.idle, ws)
	if n := len(c.idle); n > maxIdleStreams {
		c.idle[n-1-maxIdleStreams].closeStream()
	}
}

// register registers a new session, riding out leader changes until ctx
// ends. A registration sent twice registers two sessions; the unused one
// expires.
func (c *Client) register(ctx context.Context) (uint64, error) {
	var last error
	for n := 0; ; n++ {
		verdict := true
		rc, err := c.ready(ctx)
		if err == nil {
			var trailer metadata.MD
			var resp *resqlitepb.RegisterSessionResponse
			resp, err = rc.RegisterSession(ctx, &resqlitepb.RegisterSessionRequest{}, grpc.Trailer(&trailer))
			switch status.Code(err) {
			case codes.OK:
				return resp.GetClientId(), nil
			case codes.FailedPrecondition, codes.Unimplemented:
				return 0, errSessionsUnsupported
			}
			if verdict = isVerdict(trailer); !verdict {
				c.dropConn()
			}
		}
		last = err
		if !retryable(ctx, err, verdict) || backoff(ctx, n) != nil {
			return 0, fmt.Errorf("client: register a session: %w", last)
		}
	}
}
