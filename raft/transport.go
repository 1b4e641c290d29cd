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
	// SetCommittedConfiguration tells the transport the latest committed
	// configuration and the log index that introduced it (its entry's,
	// or its snapshot's). The transport says which one it is when it
	// refuses a message from a node that is not a member, so that a node
	// removed while cut off learns of its removal (Node.ReportRemoved).
	// The node calls it at start and whenever that index changes.
	SetCommittedConfiguration(index uint64, c Configuration)
}
