package transport

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Register serves the Raft service of t on s: messages received are checked
// (cluster id, sender a member, addressed to this node) and delivered to
// the node set by SetHandler.
func (t *Transport) Register(s grpc.ServiceRegistrar) {
	raftpb.RegisterRaftServer(s, &raftService{t: t})
}

// raftService is the server side of the Raft service.
type raftService struct {
	raftpb.UnimplementedRaftServer
	t *Transport
}

// checkHeader verifies that a received message belongs to this cluster, is
// addressed to this node and comes from a member (a refusal of a
// non-member says which committed configuration left it out: notMember).
func (t *Transport) checkHeader(h *raftpb.Header) error {
	switch {
	case h == nil:
		return status.Error(codes.InvalidArgument, "rpc: message has no header")
	case h.GetClusterId() != t.cfg.ClusterID:
		return status.Errorf(codes.PermissionDenied, "rpc: message for cluster %016x, this node belongs to cluster %016x", h.GetClusterId(), t.cfg.ClusterID)
	case raft.NodeID(h.GetTo()) != t.cfg.ID:
		return status.Errorf(codes.PermissionDenied, "rpc: message addressed to node %d reached node %d", h.GetTo(), t.cfg.ID)
	case raft.NodeID(h.GetFrom()) == t.cfg.ID || !t.isMember(raft.NodeID(h.GetFrom())):
		return t.notMember(raft.NodeID(h.GetFrom()))
	}
	return nil
}

// deliverError turns a failure to deliver into a gRPC status.
func deliverError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Err()
	}
	return status.Errorf(codes.Unavailable, "rpc: node cannot take the message: %v", err)
}

// Replicate delivers the messages of a peer's stream in order. A message
// that fails the header check ends the stream with PermissionDenied.
func (s *raftService) Replicate(stream raftpb.Raft_ReplicateServer) error {
	var batches, msgs uint64
	for {
		b, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&raftpb.ReplicateSummary{Batches: batches, Messages: msgs})
		}
		if err != nil {
			return err
		}
		batches++
		for i, pm := range b.GetMessages() {
			m, h, err := messageFromProto(pm)
			if err != nil {
				return status.Error(codes.InvalidArgument, err.Error())
			}
			if err := s.t.checkHeader(h); err != nil {
				return err
			}
			if i == 0 {
				s.t.heardFrom(m.From)
				s.t.stats.of(m.From).received.Add(uint64(proto.Size(b)))
			}
			if err := s.t.deliver(stream.Context(), m); err != nil {
				return deliverError(err)
			}
			msgs++
		}
	}
}

// InstallSnapshot receives a snapshot's chunks into a temporary file, then
// hands it to the node.
func (s *raftService) InstallSnapshot(stream raftpb.Raft_InstallSnapshotServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	if err := s.t.checkHeader(first.GetHeader()); err != nil {
		return err
	}
	m, err := snapshotMessageFromProto(first)
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	f, err := os.CreateTemp(s.t.cfg.SnapshotDir, "resqlite-snapshot-*")
	if err != nil {
		return status.Errorf(codes.Internal, "rpc: spool snapshot: %v", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := receiveChunks(stream, first, f); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return status.Errorf(codes.Internal, "rpc: rewind snapshot: %v", err)
	}
	if err := s.t.handlerReceiveSnapshot(stream.Context(), m, f); err != nil {
		return status.Errorf(codes.Aborted, "rpc: node %d did not install the snapshot: %v", s.t.cfg.ID, err)
	}
	return stream.SendAndClose(&raftpb.InstallSnapshotResponse{
		Header: header(s.t.cfg.ClusterID, s.t.cfg.ID, m.From), Term: m.Term, MatchIndex: m.Snapshot.Index,
	})
}

// receiveChunks writes the data of first and the chunks after it to w,
// checking that offsets are contiguous, until the chunk marked done.
func receiveChunks(stream raftpb.Raft_InstallSnapshotServer, first *raftpb.InstallSnapshotRequest, w io.Writer) error {
	var off uint64
	c := first
	for {
		if c.GetOffset() != off {
			return status.Errorf(codes.InvalidArgument, "rpc: snapshot chunk at offset %d, expected %d", c.GetOffset(), off)
		}
		if _, err := w.Write(c.GetData()); err != nil {
			return status.Errorf(codes.Internal, "rpc: spool snapshot: %v", err)
		}
		off += uint64(len(c.GetData()))
		if c.GetDone() {
			return nil
		}
		next, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return status.Error(codes.InvalidArgument, "rpc: snapshot stream ended before its last chunk")
		}
		if err != nil {
			return err
		}
		c = next
	}
}

// handlerReceiveSnapshot hands a received snapshot to the node.
func (t *Transport) handlerReceiveSnapshot(ctx context.Context, m raft.Message, data io.Reader) error {
	h := t.currentHandler()
	if h == nil {
		return ErrNoHandler
	}
	return h.ReceiveSnapshot(ctx, m, data)
}
