package raft

import (
	"context"
	"io"
)

// Transport carries messages between nodes. Send never blocks on a slow or
// dead peer: messages it cannot deliver are dropped, as Raft tolerates.
type Transport interface {
	// Send queues messages for delivery to their To nodes, in order per
	// peer.
	Send(msgs []Message)
	// SendSnapshot streams a snapshot (msg.Type == MsgSnap) and its data
	// to msg.To, returning once the peer has received it or on failure.
	SendSnapshot(ctx context.Context, msg Message, data io.Reader) error
	// SetMembers tells the transport the configuration in force: the
	// members it can reach (and their addresses) and accepts messages
	// from. The node calls it at start and whenever the configuration
	// changes, before sending the messages of that Ready.
	SetMembers(c Configuration)
}
