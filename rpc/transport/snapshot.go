package transport

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/raftpb"
)

// SendSnapshot streams the snapshot msg describes, with its data read from
// data, to msg.To in chunks, and returns once the peer's node has taken it.
func (t *Transport) SendSnapshot(ctx context.Context, msg raft.Message, data io.Reader) error {
	if msg.Type != raft.MsgSnap || msg.Snapshot == nil || msg.Snapshot.Index == 0 {
		return fmt.Errorf("rpc: SendSnapshot needs a MsgSnap with snapshot metadata, got %v", msg.Type)
	}
	p := t.peer(msg.To)
	if p == nil {
		return fmt.Errorf("rpc: send snapshot: node %d is not a known peer", msg.To)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel) // peer removed or transport closed
	defer stop()
	stream, err := p.client.InstallSnapshot(ctx)
	if err != nil {
		return fmt.Errorf("rpc: send snapshot to node %d: %w", msg.To, err)
	}
	chunk := snapshotHeaderToProto(msg, t.cfg.ClusterID)
	var off uint64
	for {
		// A fresh buffer per chunk: gRPC may hold a sent message.
		buf := make([]byte, t.cfg.SnapshotChunkSize)
		n, rerr := io.ReadFull(data, buf)
		if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
			return fmt.Errorf("rpc: read snapshot for node %d: %w", msg.To, rerr)
		}
		if chunk == nil {
			chunk = &raftpb.InstallSnapshotRequest{}
		}
		chunk.Offset, chunk.Data, chunk.Done = off, buf[:n], rerr != nil
		if err := stream.Send(chunk); err != nil {
			if errors.Is(err, io.EOF) {
				_, err = stream.CloseAndRecv()
			}
			return fmt.Errorf("rpc: send snapshot to node %d at offset %d: %w", msg.To, off, err)
		}
		off += uint64(n)
		chunk = nil
		if rerr != nil {
			break
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return fmt.Errorf("rpc: send snapshot to node %d: %w", msg.To, err)
	}
	if err := t.checkReply(resp.GetHeader(), msg.To); err != nil {
		return err
	}
	if resp.GetReject() {
		return fmt.Errorf("rpc: node %d rejected the snapshot at index %d", msg.To, msg.Snapshot.Index)
	}
	return nil
}

// checkReply verifies the header of InstallSnapshot's reply from peer from.
func (t *Transport) checkReply(h *raftpb.Header, from raft.NodeID) error {
	if h.GetClusterId() != t.cfg.ClusterID || raft.NodeID(h.GetFrom()) != from || raft.NodeID(h.GetTo()) != t.cfg.ID {
		return fmt.Errorf("rpc: reply header %v does not match a reply from node %d in cluster %016x", h, from, t.cfg.ClusterID)
	}
	return nil
}
