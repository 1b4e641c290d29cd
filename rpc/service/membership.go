package service

import (
	"context"
	"errors"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultCatchUpWait bounds how long AddMember waits for a new learner to
// catch up with the leader's log before it promotes it.
const DefaultCatchUpWait = time.Minute

// confChange proposes a membership change at the leader and waits for it
// to apply. While an earlier change is pending (or the learner to promote
// has not caught up) it tries again until deadline.
func (s *Server) confChange(ctx context.Context, cc raft.ConfChange, deadline time.Time) error {
	for {
		f, err := s.cfg.Node.ProposeConfChange(ctx, cc)
		if err == nil {
			if _, err := f.Wait(ctx); err != nil {
				return status.Errorf(codes.Aborted, "membership change %v of node %d: outcome unknown: %v", cc.Type, cc.Member.ID, err)
			}
			return nil
		}
		var nl *raft.NotLeaderError
		switch {
		case errors.As(err, &nl):
			return errNotLeader
		case errors.Is(err, raft.ErrInvalidConfChange):
			return status.Errorf(codes.InvalidArgument, "membership change %v of node %d refused: %v", cc.Type, cc.Member.ID, err)
		case errors.Is(err, raft.ErrConfChangePending), errors.Is(err, raft.ErrLearnerNotCaughtUp):
			if !time.Now().Before(deadline) {
				return status.Errorf(codes.FailedPrecondition, "membership change %v of node %d not possible yet: %v", cc.Type, cc.Member.ID, err)
			}
			if err := sleep(ctx, 50*time.Millisecond); err != nil {
				return status.FromContextError(err).Err()
			}
		default:
			return status.Errorf(codes.Unavailable, "membership change %v of node %d: %v", cc.Type, cc.Member.ID, err)
		}
	}
}

// membersNow returns the members as this node sees them.
func (s *Server) membersNow(ctx context.Context) []*resqlitepb.Member {
	st, err := s.cfg.Node.Status(ctx)
	if err != nil {
		return nil
	}
	return s.membersToProto(st)
}

// AddMember adds a node as a learner, waits for it to catch up, and
// promotes it to voter (unless learner_only). A follower forwards the
// call to the leader.
func (s *Server) AddMember(ctx context.Context, req *resqlitepb.AddMemberRequest) (*resqlitepb.AddMemberResponse, error) {
	id := raft.NodeID(req.GetId())
	if id == raft.None || req.GetAddress() == "" {
		return nil, status.Error(codes.InvalidArgument, "AddMember needs a node id and its address")
	}
	st, err := s.cfg.Node.Status(ctx)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "node %d: %v", s.cfg.Node.ID(), err)
	}
	if m, ok := st.Config.Member(id); !ok || m.Addr != req.GetAddress() {
		if ok {
			return nil, status.Errorf(codes.AlreadyExists, "node %d is already a member at %s", id, m.Addr)
		}
		cc := raft.ConfChange{Type: raft.ConfAddLearner, Member: raft.Member{ID: id, Addr: req.GetAddress(), Learner: true}}
		err = s.confChange(ctx, cc, time.Now().Add(s.cfg.LeaderWait))
	}
	if err == nil && !req.GetLearnerOnly() {
		if m, ok := st.Config.Member(id); !ok || m.Learner {
			cc := raft.ConfChange{Type: raft.ConfAddVoter, Member: raft.Member{ID: id, Addr: req.GetAddress()}}
			err = s.confChange(ctx, cc, time.Now().Add(DefaultCatchUpWait))
		}
	}
	if errors.Is(err, errNotLeader) {
		var resp *resqlitepb.AddMemberResponse
		err = s.forward(ctx, false, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
			var err error
			resp, err = c.AddMember(ctx, req)
			return err
		})
		if errors.Is(err, errLeaderIsSelf) {
			return s.AddMember(ctx, req)
		}
		return resp, err
	}
	if err != nil {
		return nil, err
	}
	return &resqlitepb.AddMemberResponse{Members: s.membersNow(ctx), Promoted: !req.GetLearnerOnly()}, nil
}

// RemoveMember removes a node from the configuration. A follower forwards
// the call to the leader.
func (s *Server) RemoveMember(ctx context.Context, req *resqlitepb.RemoveMemberRequest) (*resqlitepb.RemoveMemberResponse, error) {
	id := raft.NodeID(req.GetId())
	if id == raft.None {
		return nil, status.Error(codes.InvalidArgument, "RemoveMember needs a node id")
	}
	err := s.confChange(ctx, raft.ConfChange{Type: raft.ConfRemove, Member: raft.Member{ID: id}}, time.Now().Add(s.cfg.LeaderWait))
	if errors.Is(err, errNotLeader) {
		var resp *resqlitepb.RemoveMemberResponse
		err = s.forward(ctx, false, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
			var err error
			resp, err = c.RemoveMember(ctx, req)
			return err
		})
		if errors.Is(err, errLeaderIsSelf) {
			return s.RemoveMember(ctx, req)
		}
		return resp, err
	}
	if err != nil {
		return nil, err
	}
	return &resqlitepb.RemoveMemberResponse{Members: s.membersNow(ctx)}, nil
}

// TransferLeadership hands leadership to req.To (or the most up-to-date
// other voter) and waits, up to LeaderWait, for the new leader to be
// known. A follower forwards the call to the leader.
func (s *Server) TransferLeadership(ctx context.Context, req *resqlitepb.TransferLeadershipRequest) (*resqlitepb.TransferLeadershipResponse, error) {
	n := s.cfg.Node
	if !n.IsLeader() {
		var resp *resqlitepb.TransferLeadershipResponse
		fctx, cancel := context.WithTimeout(ctx, s.cfg.LeaderWait)
		defer cancel()
		err := s.forward(fctx, false, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
			var err error
			resp, err = c.TransferLeadership(ctx, req)
			return err
		})
		if errors.Is(err, errLeaderIsSelf) {
			return s.TransferLeadership(ctx, req)
		}
		return resp, err
	}
	to := raft.NodeID(req.GetTo())
	if to == raft.None {
		var err error
		if to, err = s.successor(ctx); err != nil {
			return nil, err
		}
		if to == raft.None {
			return nil, status.Error(codes.FailedPrecondition, "there is no other voter to hand leadership to")
		}
	}
	return s.transferFromHere(ctx, to)
}

// HandOffLeadership, on the leader, hands leadership to the most
// up-to-date voter and waits (bounded by ctx) for it to lead, as a
// TransferLeadership without a target does; on a follower, or a leader
// with no other voter, it does nothing. A stopping node calls it so that its restart leaves no
// election gap.
func (s *Server) HandOffLeadership(ctx context.Context) (raft.NodeID, error) {
	if !s.cfg.Node.IsLeader() {
		return raft.None, nil
	}
	to, err := s.successor(ctx)
	if err != nil || to == raft.None {
		return raft.None, err
	}
	resp, err := s.transferFromHere(ctx, to)
	if err != nil {
		return raft.None, err
	}
	return raft.NodeID(resp.GetLeaderId()), nil
}

// transferFromHere, on the leader, hands leadership to to and waits, up
// to LeaderWait, for the new leader to be known.
func (s *Server) transferFromHere(ctx context.Context, to raft.NodeID) (*resqlitepb.TransferLeadershipResponse, error) {
	n := s.cfg.Node
	if to == n.ID() {
		return &resqlitepb.TransferLeadershipResponse{LeaderId: uint64(to)}, nil
	}
	if err := n.TransferLeadership(ctx, to); err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "transfer leadership to %d: %v", to, err)
	}
	deadline := time.Now().Add(s.cfg.LeaderWait)
	for time.Now().Before(deadline) {
		if l := n.Leader(); l != raft.None && l != n.ID() {
			return &resqlitepb.TransferLeadershipResponse{LeaderId: uint64(l)}, nil
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return nil, status.FromContextError(err).Err()
		}
	}
	return nil, status.Errorf(codes.DeadlineExceeded, "leadership did not move to node %d within %v", to, s.cfg.LeaderWait)
}

// successor returns the voter this leader would hand leadership to (see
// successor); None if there is no other voter.
func (s *Server) successor(ctx context.Context) (raft.NodeID, error) {
	st, err := s.cfg.Node.Status(ctx)
	if err != nil {
		return raft.None, status.Errorf(codes.Unavailable, "node %d: %v", s.cfg.Node.ID(), err)
	}
	return successor(st, s.cfg.Node.ID()), nil
}

// successor picks, from the leader's status, the other voter with the
// highest match index, preferring those it heard from recently (a stopped
// voter cannot take over); None if there is no other voter.
func successor(st raft.Status, self raft.NodeID) raft.NodeID {
	best, bestMatch, bestActive := raft.None, uint64(0), false
	for _, id := range st.Config.Voters() {
		pr, ok := st.Progress[id]
		if id == self || !ok {
			continue
		}
		better := best == raft.None || pr.RecentActive && !bestActive ||
			pr.RecentActive == bestActive && pr.Match > bestMatch
		if better {
			best, bestMatch, bestActive = id, pr.Match, pr.RecentActive
		}
	}
	return best
}
