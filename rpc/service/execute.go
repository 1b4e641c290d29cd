package service

import (
	"context"
	"errors"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Execute applies one entry through the log; see resqlite.proto.
func (s *Server) Execute(ctx context.Context, req *resqlitepb.ExecuteRequest) (*resqlitepb.ExecuteResponse, error) {
	data, rejected, err := s.prepareWrite(ctx, req, true)
	if err != nil || rejected != nil {
		return rejected, err
	}
	return s.proposeOrForward(ctx, data, req.GetForwarded(), req.GetClientId() != 0,
		func(ctx context.Context, c resqlitepb.ReSqliteClient) (*resqlitepb.ExecuteResponse, error) {
			fwd := &resqlitepb.ExecuteRequest{
				Statements: req.GetStatements(), MinIndex: req.GetMinIndex(), Forwarded: true,
				ClientId: req.GetClientId(), WriteSeq: req.GetWriteSeq(), AckedSeq: req.GetAckedSeq(),
			}
			return c.Execute(ctx, fwd)
		})
}

// proposeOrForward proposes data when this node leads (or the request was
// forwarded to it) and waits for its result; otherwise it forwards the
// request to the leader with send, waiting for one until the request's
// deadline. This node may become the leader while it forwards: then it
// proposes itself. repeatable marks a request the state machine applies
// once however often it is sent (a session write, a registration): it is
// sent again to a new leader even when its outcome was unknown.
func (s *Server) proposeOrForward(ctx context.Context, data []byte, forwarded, repeatable bool,
	send func(context.Context, resqlitepb.ReSqliteClient) (*resqlitepb.ExecuteResponse, error)) (*resqlitepb.ExecuteResponse, error) {
	for attempt := 0; ; attempt++ {
		f, err := s.propose(ctx, data, forwarded)
		if err == nil {
			return s.await(ctx, f, forwarded)
		}
		if !errors.Is(err, errNotLeader) {
			return nil, err
		}
		var resp *resqlitepb.ExecuteResponse
		// Only the failure of a call that was sent may leave the outcome
		// unknown: forward's own UNAVAILABLE (no leader, none reachable,
		// none accepted it) means nothing was proposed.
		err = s.forward(ctx, repeatable, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
			var err error
			resp, err = send(ctx, c)
			return unknownOutcome(err)
		})
		switch {
		case errors.Is(err, errLeaderIsSelf) && attempt < 3:
			continue
		case errors.Is(err, errLeaderIsSelf):
			return nil, status.Error(codes.Unavailable, "leadership keeps moving; nothing was proposed")
		case err != nil:
			return nil, err
		}
		return resp, nil
	}
}

// errNotLeader is returned by propose when this node is not the leader
// and the request may be forwarded.
var errNotLeader = errors.New("server: not the leader")

// prepareWrite validates a write and, with precheck set, runs the
// determinism pre-check. It returns the entry's payload, or the response
// that rejects it (nothing is proposed, its index is 0), or an
// INVALID_ARGUMENT error.
func (s *Server) prepareWrite(ctx context.Context, req *resqlitepb.ExecuteRequest, precheck bool) ([]byte, *resqlitepb.ExecuteResponse, error) {
	cmd, err := commandFromProto(req)
	if err != nil {
		return nil, nil, status.Errorf(codes.InvalidArgument, "write refused, nothing proposed: %v", err)
	}
	if cmd.Session != nil {
		// The proposer's clock stamps session writes: sessions expire by
		// these stamps, carried in the log (Raft thesis §6.3).
		cmd.Time = time.Now().UnixMilli()
	}
	data := statemachine.EncodeCommand(cmd)
	if len(data) > MaxEntryBytes {
		return nil, nil, status.Errorf(codes.InvalidArgument, "write refused, nothing proposed: the entry is %d bytes encoded; the largest accepted is %d bytes", len(data), MaxEntryBytes)
	}
	if req.GetForwarded() || !precheck {
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
