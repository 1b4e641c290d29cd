package service

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// roleName is how Status spells a node's role.
func roleName(st raft.Status) string {
	if m, ok := st.Config.Member(st.ID); ok && m.Learner {
		return "learner"
	}
	switch st.Role {
	case raft.RoleLeader:
		return "leader"
	case raft.RoleCandidate:
		return "candidate"
	case raft.RolePreCandidate:
		return "pre-candidate"
	}
	return "follower"
}

// membersToProto lists a configuration's members, with the leader's
// progress of each when st is the leader's status, and how long ago this
// node last heard from each (0 for itself, -1 for a member it has not
// heard from since it started); a leader marks the members it has not
// heard from for an election timeout unreachable.
func (s *Server) membersToProto(st raft.Status) []*resqlitepb.Member {
	ms := slices.Clone(st.Config.Members)
	slices.SortFunc(ms, func(a, b raft.Member) int { return int(a.ID) - int(b.ID) })
	out := make([]*resqlitepb.Member, len(ms))
	for i, m := range ms {
		pm := &resqlitepb.Member{Id: uint64(m.ID), Address: m.Addr, Learner: m.Learner, LastContactMs: -1}
		if d, ok := st.LastContact[m.ID]; ok {
			pm.LastContactMs = d.Milliseconds()
		}
		if m.ID == st.ID {
			pm.LastContactMs = 0
		}
		if pr, ok := st.Progress[m.ID]; ok {
			pm.MatchIndex = pr.Match
			pm.RecentActive = pr.RecentActive || m.ID == st.ID
		}
		if st.Role == raft.RoleLeader && m.ID != st.ID {
			d, heard := st.LastContact[m.ID]
			pm.Unreachable = !heard || d > s.cfg.Node.ElectionTimeout()
		}
		out[i] = pm
	}
	return out
}

// Status describes this node.
func (s *Server) Status(ctx context.Context, _ *resqlitepb.StatusRequest) (*resqlitepb.StatusResponse, error) {
	st, err := s.cfg.Node.Status(ctx)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "node %d: %v", s.cfg.Node.ID(), err)
	}
	resp := &resqlitepb.StatusResponse{
		Id: uint64(st.ID), Address: s.cfg.Addr, Role: roleName(st), Term: st.Term,
		LeaderId: uint64(st.Lead), CommitIndex: st.Commit, AppliedIndex: s.cfg.Node.AppliedIndex(),
		Members: s.membersToProto(st), ClusterId: s.cfg.ClusterID, LeaseValid: st.LeaseValid,
		MaxRulesVersion: uint32(statemachine.MaxRulesVersion), RulesVersion: uint32(s.cfg.State.RulesVersion()),
		InitialRulesVersion: uint32(s.cfg.State.InitialRulesVersion()),
	}
	if m, ok := st.Config.Member(st.Lead); ok {
		resp.LeaderAddress = m.Addr
	}
	return resp, nil
}

// Members lists the members as the leader sees them; a follower asks the
// leader.
func (s *Server) Members(ctx context.Context, req *resqlitepb.MembersRequest) (*resqlitepb.MembersResponse, error) {
	st, err := s.cfg.Node.Status(ctx)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "node %d: %v", s.cfg.Node.ID(), err)
	}
	if st.Role == raft.RoleLeader {
		return &resqlitepb.MembersResponse{LeaderId: uint64(st.ID), Members: s.membersToProto(st)}, nil
	}
	var resp *resqlitepb.MembersResponse
	fctx, cancel := context.WithTimeout(ctx, s.cfg.LeaderWait)
	defer cancel()
	err = s.forward(fctx, true, func(ctx context.Context, c resqlitepb.ReSqliteClient) error {
		var err error
		resp, err = c.Members(ctx, req)
		return err
	})
	if errors.Is(err, errLeaderIsSelf) {
		return s.Members(ctx, req)
	}
	return resp, err
}

// Digest hashes the local database.
func (s *Server) Digest(ctx context.Context, req *resqlitepb.DigestRequest) (*resqlitepb.DigestResponse, error) {
	if _, err := s.readGate(ctx, resqlitepb.Consistency_CONSISTENCY_LOCAL, req.GetMinIndex()); err != nil {
		return nil, err
	}
	d, err := s.cfg.State.Digest(ctx)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "node %d: digest: %v", s.cfg.Node.ID(), err)
	}
	return &resqlitepb.DigestResponse{AppliedIndex: d.Index, Sha256: hex.EncodeToString(d.Sum[:])}, nil
}

// TakeSnapshot makes this node record a snapshot of its state machine and
// compact its log now.
func (s *Server) TakeSnapshot(ctx context.Context, _ *resqlitepb.TakeSnapshotRequest) (*resqlitepb.TakeSnapshotResponse, error) {
	index, err := s.cfg.Node.TakeSnapshot(ctx)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "node %d: take snapshot: %v", s.cfg.Node.ID(), err)
	}
	return &resqlitepb.TakeSnapshotResponse{Index: index}, nil
}
