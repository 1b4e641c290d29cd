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
			return 0, "", status.Errorf(codes.Unavailable, "node %d knows no reachable leader after waiting %v; nothing was proposed", s.cfg.Node.ID(), s.cfg.LeaderWait)
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return 0, "", status.FromContextError(err).Err()
		}
	}
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

// connected waits until c is ready, at most until deadline. A request is
// sent to the leader only over a ready connection, so a failure to
// connect is known to have sent nothing.
func connected(ctx context.Context, c *grpc.ClientConn, deadline time.Time) bool {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
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

// forward calls the leader with call, waiting up to LeaderWait for a
// leader and a connection to it. call is retried only while the leader
// answers FAILED_PRECONDITION (it is not the leader: nothing was
// proposed). It returns errLeaderIsSelf when this node becomes the leader.
// Any other failure of a call that was sent is returned as it is; the
// caller decides what it means.
func (s *Server) forward(ctx context.Context, call func(context.Context, resqlitepb.ReSqliteClient) error) error {
	deadline := time.Now().Add(s.cfg.LeaderWait)
	for {
		_, addr, err := s.leader(ctx, deadline)
		if err != nil {
			return err
		}
		c, err := s.conn(addr)
		if err != nil {
			return err
		}
		if !connected(ctx, c, deadline) {
			if ctx.Err() != nil {
				return status.FromContextError(ctx.Err()).Err()
			}
			if !time.Now().Before(deadline) {
				return status.Errorf(codes.Unavailable, "node %d cannot reach the leader at %s within %v; nothing was proposed", s.cfg.Node.ID(), addr, s.cfg.LeaderWait)
			}
			continue
		}
		err = call(ctx, resqlitepb.NewReSqliteClient(c))
		if status.Code(err) != codes.FailedPrecondition {
			return err
		}
		if !time.Now().Before(deadline) {
			return status.Errorf(codes.Unavailable, "no leader accepted the request within %v (last: %v); nothing was proposed", s.cfg.LeaderWait, status.Convert(err).Message())
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return status.FromContextError(err).Err()
		}
	}
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
