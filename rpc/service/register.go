package service

import (
	"context"
	"time"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// RegisterSession registers a client session through the log (Raft thesis
// §6.3); its id is the registration's log index. A follower forwards the
// request to the leader. A registration sent twice (its answer lost)
// registers two sessions; the unused one expires.
func (s *Server) RegisterSession(ctx context.Context, req *resqlitepb.RegisterSessionRequest) (*resqlitepb.RegisterSessionResponse, error) {
	if v := s.cfg.State.RulesVersion(); v < statemachine.RulesV3 {
		return nil, status.Errorf(codes.FailedPrecondition, "client sessions need rules version %d; this cluster is at version %d until every member is upgraded", statemachine.RulesV3, v)
	}
	data := statemachine.EncodeCommand(statemachine.Command{Register: true, Time: time.Now().UnixMilli()})
	resp, err := s.proposeOrForward(ctx, data, req.GetForwarded(), true,
		func(ctx context.Context, c resqlitepb.ReSqliteClient) (*resqlitepb.ExecuteResponse, error) {
			r, err := c.RegisterSession(ctx, &resqlitepb.RegisterSessionRequest{Forwarded: true})
			if err != nil {
				return nil, err
			}
			return &resqlitepb.ExecuteResponse{Index: r.GetClientId()}, nil
		})
	if err != nil {
		return nil, err
	}
	if resp.GetError() != nil || resp.GetSessionError() != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "session not registered: %s%s", resp.GetError().GetMessage(), resp.GetSessionError().GetMessage())
	}
	return &resqlitepb.RegisterSessionResponse{ClientId: resp.GetIndex()}, nil
}
