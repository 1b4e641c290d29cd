package client

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultTimeout is a request's deadline when neither Options.Timeout nor
// the caller's context sets one: until then a request rides out a leader
// change (it waits for the next leader, fails over to another node, and
// sends a session write again under its sequence number).
const DefaultTimeout = 30 * time.Second

// withDeadline bounds ctx by the client's timeout unless it already ends
// sooner.
func (c *Client) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	d := time.Now().Add(c.opts.Timeout)
	if cur, ok := ctx.Deadline(); ok && cur.Before(d) {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, d)
}

// retryable reports whether a request that failed with err may succeed
// if sent again: the node or the leader could not be reached or lost
// leadership (UNAVAILABLE), a session write's outcome was cut off
// (ABORTED; only safe to send again under the same sequence number), a
// read's consistency check timed out on a node that is cut off
// (DEADLINE_EXCEEDED while the caller's context has time left), or the
// connection broke (no verdict of the node).
func retryable(ctx context.Context, err error, verdict bool) bool {
	if ctx.Err() != nil {
		return false
	}
	if !verdict {
		return true
	}
	return retryableCode(status.Code(err))
}

// retryableCode reports whether a node's answer with code c may be cured
// by sending the request again (see retryable).
func retryableCode(c codes.Code) bool {
	switch c {
	case codes.Unavailable, codes.Aborted, codes.DeadlineExceeded:
		return true
	}
	return false
}

// backoff waits before attempt n+1 (growing from 20ms to 500ms) or until
// ctx ends.
func backoff(ctx context.Context, n int) error {
	d := 20 * time.Millisecond << min(n, 5)
	return pause(ctx, min(d, 500*time.Millisecond))
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errSessionsUnsupported: the cluster refused to register a session (its
// rules version predates sessions, or the node's binary does).
var errSessionsUnsupported = errors.New("client: the cluster does not support client sessions")
