package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Restore proposes one entry of a restore (a chunk, or the finishing
// entry) through the log; see resqlite.proto and statemachine's
// restore.go. A chunk is repeatable (the state machine stages a chunk
// once however often it comes), so it follows a new leader like a session
// write; the finishing entry is not.
func (s *Server) Restore(ctx context.Context, req *resqlitepb.RestoreRequest) (*resqlitepb.ExecuteResponse, error) {
	cmd, err := restoreCommand(req)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "restore refused, nothing proposed: %v", err)
	}
	if v := s.cfg.State.RulesVersion(); v < statemachine.RulesV4 {
		return nil, status.Errorf(codes.FailedPrecondition, "restore refused, nothing proposed: restores need rules version %d, node %d is at %d (every member must run a binary that knows it)",
			statemachine.RulesV4, s.cfg.Node.ID(), v)
	}
	data := statemachine.EncodeCommand(cmd)
	if len(data) > MaxEntryBytes {
		return nil, status.Errorf(codes.InvalidArgument, "restore refused, nothing proposed: the chunk is %d bytes encoded; the largest entry is %d bytes", len(data), MaxEntryBytes)
	}
	return s.proposeOrForward(ctx, data, req.GetForwarded(), !req.GetFinish(),
		func(ctx context.Context, c resqlitepb.ReSqliteClient) (*resqlitepb.ExecuteResponse, error) {
			return c.Restore(ctx, &resqlitepb.RestoreRequest{
				RestoreId: req.GetRestoreId(), Offset: req.GetOffset(), Data: req.GetData(),
				Finish: req.GetFinish(), Size: req.GetSize(), Sha256: req.GetSha256(), Forwarded: true,
			})
		})
}

// restoreCommand is the state machine's command for req.
func restoreCommand(req *resqlitepb.RestoreRequest) (statemachine.Command, error) {
	switch {
	case req.GetRestoreId() == 0:
		return statemachine.Command{}, errors.New("no restore_id")
	case req.GetFinish() && len(req.GetSha256()) != sha256.Size:
		return statemachine.Command{}, fmt.Errorf("sha256 is %d bytes, not %d", len(req.GetSha256()), sha256.Size)
	case req.GetFinish():
		f := &statemachine.RestoreFinish{ID: req.GetRestoreId(), Size: req.GetSize()}
		copy(f.SHA256[:], req.GetSha256())
		return statemachine.Command{RestoreFinish: f}, nil
	case len(req.GetData()) == 0:
		return statemachine.Command{}, errors.New("a chunk without data")
	}
	return statemachine.Command{RestoreChunk: &statemachine.RestoreChunk{ID: req.GetRestoreId(), Offset: req.GetOffset(), Data: req.GetData()}}, nil
}
