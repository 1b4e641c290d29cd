package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// errLeaderIsSelf tells a forwarding caller that this node became the
// leader meanwhile: it should serve the request itself.
var errLeaderIsSelf = errors.New("server: this node is the leader")

// pollInterval is how often a wait for a leader looks again.
const pollInterval = 20 * time.Millisecond

// leader returns the leader's id and address, waiting until deadline for
// one to be known. It returns errLeaderIsSelf when this node leads.
func (s *Server) leader(ctx context.Context, deadline time.Time) (raft.NodeID, string, error) {
	for {
		if id := s.cfg.Node.Leader(); id != raft.None {
			if id == s.cfg.Node.ID() {
				return id, s.cfg.Addr, errLeaderIsSelf
			}
			st, err := s.cfg.Node.Status(ctx)
			if err != nil {
				return 0, "", status.Errorf(codes.Unavailable, "node %d: %v", s.cfg.Node.ID(), err)
			}
			if m, ok := st.Config.Member(id); ok && m.Addr != "" {
				return id, m.Addr, nil
			}
		}
		if !time.Now().Before(deadline) {
			return 0, "", status.Errorf(codes.Unavailable, "node %d knew no leader until the request's deadline; nothing was proposed", s.cfg.Node.ID())
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return 0, "", status.FromContextError(err).Err()
		}
	}
}

// forwardDeadline is how long a request may wait for a leader: until
// shortly before the caller's deadline, so that the answer "nothing was
// proposed" still reaches the caller in time, or RequestTimeout when the
// caller set none.
func (s *Server) forwardDeadline(ctx context.Context) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(s.cfg.RequestTimeout)
	}
	margin := min(time.Until(d)/10, time.Second)
	return d.Add(-margin)
}

// whileLeader returns a context that is cancelled when this node learns
// that id no longer leads (Raft told it of another leader or of an
// election), so that a request waiting on a former leader is re-targeted
// at once instead of timing out.
func (s *Server) whileLeader(ctx context.Context, id raft.NodeID) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if s.cfg.Node.Leader() != id {
					cancel(errLeaderChanged)
					return
				}
			}
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// errLeaderChanged is the cause of a context cancelled by whileLeader.
var errLeaderChanged = errors.New("service: the leader changed")

// leaderChanged reports whether ctx ended because the leader changed.
func leaderChanged(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), errLeaderChanged)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// conn returns the cached connection to addr, creating it if needed.
func (s *Server) conn(addr string) (*grpc.ClientConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil, status.Error(codes.Unavailable, "server: shutting down")
	}
	if c, ok := s.conns[addr]; ok {
		return c, nil
	}
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(sqlval.MaxMessageSize), grpc.MaxCallSendMsgSize(sqlval.MaxMessageSize)),
	}, s.cfg.DialOptions...)
	c, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "server: connect to %s: %v", addr, err)
	}
	s.conns[addr] = c
	return c, nil
}

// connected waits until c is ready, at most until ctx ends. A request is
// sent to the leader only over a ready connection, so a failure to
// connect is known to have sent nothing.
func connected(ctx context.Context, c *grpc.ClientConn) bool {
	c.Connect()
	for {
		st := c.GetState()
		if st == connectivity.Ready {
			return true
		}
		if st == connectivity.Shutdown || !c.WaitForStateChange(ctx, st) {
			return false
		}
	}
}

// forward calls the leader with call, waiting for a leader and a
// connection to it until the request's deadline (forwardDeadline). It
// re-targets as soon as Raft names another leader, and calls again while
// the leader answers FAILED_PRECONDITION (it is not the leader: nothing
// was proposed). With repeatable set (a session write, whose repeats the
// state machine answers with the recorded result; a registration), a call
// in flight is also cancelled and sent again to the new leader. It
// returns errLeaderIsSelf when this node becomes the leader. Any other
// failure of a call that was sent is returned as it is; the caller
// decides what it means.
func (s *Server) forward(ctx context.Context, repeatable bool, call func(context.Context, resqlitepb.ReSqliteClient) error) error {
	deadline := s.forwardDeadline(ctx)
	var unknown error // the outcome of a repeatable call cut off by a leader change
	for {
		id, addr, err := s.leader(ctx, deadline)
		if err != nil && !errors.Is(err, errLeaderIsSelf) && unknown != nil {
			return unknown
		}
		if err != nil {
			return err
		}
		c, err := s.conn(addr)
		if err != nil {
			return err
		}
		again, err := s.attempt(ctx, id, c, deadline, repeatable, call)
		switch {
		case ctx.Err() != nil:
			return status.FromContextError(ctx.Err()).Err()
		case !again:
			return err
		case repeatable && status.Code(err) == codes.Aborted:
			unknown = err
		}
		if !time.Now().Before(deadline) {
			if unknown != nil {
				return unknown
			}
			if err == nil {
				return status.Errorf(codes.Unavailable, "node %d could not reach the leader at %s before the request's deadline; nothing was proposed", s.cfg.Node.ID(), addr)
			}
			return status.Errorf(codes.Unavailable, "no leader accepted the request before its deadline (last: %v); nothing was proposed", status.Convert(err).Message())
		}
		if s.cfg.Node.Leader() == id {
			if err := sleep(ctx, pollInterval); err != nil {
				return status.FromContextError(err).Err()
			}
		}
	}
}

// attempt makes one call to the leader id over c. again says whether to
// try again: c did not connect (err nil), the node answered that it is not
// the leader, or a repeatable call was cut off because Raft named another
// leader.
func (s *Server) attempt(ctx context.Context, id raft.NodeID, c *grpc.ClientConn, deadline time.Time, repeatable bool, call func(context.Context, resqlitepb.ReSqliteClient) error) (again bool, err error) {
	wctx, cancel := s.whileLeader(ctx, id)
	defer cancel()
	dctx, dcancel := context.WithDeadline(wctx, deadline)
	ok := connected(dctx, c)
	dcancel()
	if !ok {
		return true, nil
	}
	callCtx := ctx
	if repeatable {
		callCtx = wctx
	}
	err = call(callCtx, resqlitepb.NewReSqliteClient(c))
	if err != nil && repeatable && leaderChanged(wctx) {
		return true, err
	}
	return status.Code(err) == codes.FailedPrecondition, err
}

// unknownOutcome classifies the failure of a write that was sent to the
// leader: the leader's own verdicts pass through (it answers a forwarded
// write it did not propose with FAILED_PRECONDITION, never UNAVAILABLE),
// anything else (a broken connection, a cancelled call) leaves the outcome
// unknown.
func unknownOutcome(err error) error {
	switch status.Code(err) {
	case codes.OK, codes.Aborted, codes.InvalidArgument, codes.FailedPrecondition:
		return err
	}
	return status.Errorf(codes.Aborted, "write outcome unknown: the call to the leader failed after the write was sent (%v); it may have committed, do not retry it blindly", status.Convert(err).Message())
}

// errorf builds a status error with a formatted message.
func errorf(c codes.Code, format string, args ...any) error {
	return status.Error(c, fmt.Sprintf(format, args...))
}
