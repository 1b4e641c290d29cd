package service

import (
	"context"
	"errors"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Query runs one read at its consistency level and streams the rows in
// chunks as SQLite steps them (streamRead).
func (s *Server) Query(req *resqlitepb.QueryRequest, stream resqlitepb.ReSqlite_QueryServer) error {
	applied, err := s.gateRead(stream.Context(), req)
	if err != nil {
		return err
	}
	_, err = s.streamRead(stream.Context(), req, applied, nil, stream.Send)
	return err
}

// gateRead checks a read's size and consistency; it returns the applied
// index the read will be served at (at least).
func (s *Server) gateRead(ctx context.Context, req *resqlitepb.QueryRequest) (uint64, error) {
	if len(req.GetSql()) > MaxStatementBytes {
		return 0, status.Errorf(codes.InvalidArgument, "query of %d bytes refused; the largest accepted is %d bytes", len(req.GetSql()), MaxStatementBytes)
	}
	return s.readGate(ctx, req.GetConsistency(), req.GetMinIndex())
}

// read checks the read's consistency, then runs it on the local database
// and collects its result. It returns the rows, the applied index the
// read was served at (at least), or the statement's SQL error.
func (s *Server) read(ctx context.Context, req *resqlitepb.QueryRequest) (*statemachine.Rows, uint64, *resqlitepb.SqlError, error) {
	applied, err := s.gateRead(ctx, req)
	if err != nil {
		return nil, 0, nil, err
	}
	qctx, cancel := s.readContext(ctx)
	defer cancel()
	rows, err := s.cfg.State.Query(qctx, string(req.GetSql()), wire.ParamsFromProto(req.GetParams())...)
	err = timedOut(qctx, err)
	var se *statemachine.Error
	switch {
	case errors.As(err, &se):
		return nil, applied, sqlErrorToProto(se), nil
	case err != nil:
		return nil, 0, nil, s.readFailure(err)
	}
	return rows, applied, nil, nil
}

// readGate waits until the local database may serve a read: it has
// applied minIndex (the session's writes) and, for linearizable and lease
// reads, the read index the leader confirmed. Both waits together are
// bounded by ReadTimeout; a node that cannot confirm in time (isolated,
// no leader) refuses with DEADLINE_EXCEEDED and never serves stale data.
func (s *Server) readGate(ctx context.Context, level resqlitepb.Consistency, minIndex uint64) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ReadTimeout)
	defer cancel()
	n := s.cfg.Node
	if minIndex > 0 {
		if err := n.WaitApplied(ctx, minIndex); err != nil {
			return 0, s.gateError(ctx, err, "node %d has applied only %d of the session's index %d within %v", n.ID(), n.AppliedIndex(), minIndex, s.cfg.ReadTimeout)
		}
	}
	switch level {
	case resqlitepb.Consistency_CONSISTENCY_LOCAL:
		return n.AppliedIndex(), nil
	case resqlitepb.Consistency_CONSISTENCY_LINEARIZABLE, resqlitepb.Consistency_CONSISTENCY_LEASE:
	default:
		return 0, status.Errorf(codes.InvalidArgument, "unknown consistency level %d", level)
	}
	// A linearizable read always confirms leadership with a heartbeat
	// round; a lease read may be answered from the leader's lease (a
	// ReadIndex when the node runs without leases).
	readIndex := n.ReadIndex
	if level == resqlitepb.Consistency_CONSISTENCY_LEASE {
		readIndex = n.ReadIndexLease
	}
	for {
		// raft.Node.ReadIndex asks again by itself while its request
		// goes unanswered (a leadership change dropped it) or no
		// leader is known: it returns when ctx ends or the node stops.
		idx, err := readIndex(ctx)
		if err == nil {
			return max(idx, n.AppliedIndex()), nil
		}
		if errors.Is(err, raft.ErrStopped) {
			return 0, status.Errorf(codes.Unavailable, "node %d is stopping", n.ID())
		}
		if ctx.Err() != nil {
			return 0, s.gateError(ctx, err, "node %d cannot confirm with a quorum that its data is current within %v (no leader reachable, or this node is cut off); read refused", n.ID(), s.cfg.ReadTimeout)
		}
		if errors.Is(err, raft.ErrNoLeader) {
			if err := sleep(ctx, pollInterval); err != nil {
				continue
			}
		}
	}
}

// gateError reports a read that could not pass its gate: the caller's
// cancellation as such, a timeout with msg.
func (s *Server) gateError(ctx context.Context, err error, format string, args ...any) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return status.FromContextError(ctx.Err()).Err()
	}
	if errors.Is(err, raft.ErrStopped) {
		return status.Errorf(codes.Unavailable, "node %d is stopping", s.cfg.Node.ID())
	}
	return errorf(codes.DeadlineExceeded, format, args...)
}
