package service

import (
	"context"
	"errors"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Execute applies one entry through the log; see resqlite.proto.
func (s *Server) Execute(ctx context.Context, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, error) {
	data, rejected, err := s.prepareWrite(ctx, req)
	if err != nil || rejected != nil {
		return rejected, err
	}
	// This node may become the leader while it forwards: then it
	// proposes itself (a few times at most, if leadership flaps).
	for attempt := 0; ; attempt++ {
		f, err := s.propose(ctx, data, req.GetForwarded())
		if err == nil {
			return s.await(ctx, f, req.GetForwarded())
		}
		if !errors.Is(err, errNotLeader) {
			return nil, err
		}
		var resp *resqlitepb.ExecuteResponse
		// Only the failure of a call that was sent may leave the outcome
		// unknown: forward's own UNAVAILABLE (no leader, none reachable,
		// none accepted it) means nothing was proposed.
		err = s.forward(ctx, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
			fwd := &resqlitepb.ExecuteRequest{Statements: req.GetStatements(), MinIndex: req.GetMinIndex(), Forwarded: true}
			var err error
			resp, err = c.Execute(ctx, fwd)
			return unknownOutcome(err)
		})
		if errors.Is(err, errLeaderIsSelf) && attempt < 3 {
			continue
		}
		if errors.Is(err, errLeaderIsSelf) {
			return nil, status.Error(codes.Unavailable, "leadership keeps moving; nothing was proposed")
		}
		if err != nil {
			return nil, err
		}
		return resp, nil
	}
}

// errNotLeader is returned by propose when this node is not the leader
// and the request may be forwarded.
var errNotLeader = errors.New("server: not the leader")

// prepareWrite validates a write and runs the determinism pre-check. It
// returns the entry's payload, or the response that rejects it (nothing
// is proposed), or an INVALID_ARGUMENT error.
func (s *Server) prepareWrite(ctx context.Context, req *resqlitepb.ExecuteRequest) ([]byte, *resqlitepb.ExecuteResponse, error) {
	cmd, err := commandFromProto(req)
	if err != nil {
		return nil, nil, status.Errorf(codes.InvalidArgument, "write refused, nothing proposed: %v", err)
	}
	data := statemachine.EncodeCommand(cmd)
	if len(data) > MaxEntryBytes {
		return nil, nil, status.Errorf(codes.InvalidArgument, "write refused, nothing proposed: the entry is %d bytes encoded; the largest accepted is %d bytes", len(data), MaxEntryBytes)
	}
	if req.GetForwarded() {
		// The forwarding node ran the pre-check already.
		return data, nil, nil
	}
	for i, st := range cmd.Statements {
		_, err := s.cfg.State.Precheck(ctx, st.SQL)
		var se *statemachine.Error
		if errors.As(err, &se) {
			e := *se
			e.Statement = i
			return nil, &resqlitepb.ExecuteResponse{Error: sqlErrorToProto(&e)}, nil
		}
		if err != nil {
			return nil, nil, status.Errorf(codes.Unavailable, "node %d cannot pre-check the write, nothing proposed: %v", s.cfg.Node.ID(), err)
		}
	}
	return data, nil, nil
}

// propose appends data to the leader's log. It returns errNotLeader when
// this node is not the leader and the request was not forwarded to it;
// a forwarded request that finds no leader here fails with
// FAILED_PRECONDITION (nothing proposed, the forwarder may try again).
func (s *Server) propose(ctx context.Context, data []byte, forwarded bool) (*raft.Future, error) {
	f, err := s.cfg.Node.Propose(ctx, data)
	if err == nil {
		return f, nil
	}
	var nl *raft.NotLeaderError
	if errors.As(err, &nl) {
		if forwarded {
			return nil, status.Errorf(codes.FailedPrecondition, "node %d is not the leader (it knows leader %d); nothing was proposed", s.cfg.Node.ID(), nl.Leader)
		}
		return nil, errNotLeader
	}
	return nil, notProposed(err, forwarded)
}

// notProposed reports a write that was refused before it entered the log.
func notProposed(err error, forwarded bool) error {
	c := codes.Unavailable
	if forwarded {
		c = codes.FailedPrecondition
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Errorf(c, "write not proposed: %v", err)
}

// await waits for a proposed entry to apply.
func (s *Server) await(ctx context.Context, f *raft.Future, forwarded bool) (*resqlitepb.ExecuteResponse, error) {
	res, err := f.Wait(ctx)
	switch {
	case errors.Is(err, raft.ErrEntryReplaced):
		return nil, notProposed(err, forwarded)
	case err != nil:
		return nil, status.Errorf(codes.Aborted, "write outcome unknown (entry %d): %v; it may have committed, do not retry it blindly", f.Index(), err)
	}
	r, ok := res.Value.(*statemachine.Result)
	if !ok {
		return nil, status.Errorf(codes.Internal, "entry %d applied without a statement result (%T)", res.Index, res.Value)
	}
	return resultToProto(r), nil
}
