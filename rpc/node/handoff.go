package node

import (
	"context"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// handoffTimeout bounds how long Stop waits for another voter to take
// over leadership before it shuts the node down anyway.
const handoffTimeout = 2 * time.Second

// handOffLeadership, on a leader with other voters, transfers leadership
// to the most up-to-date voter (thesis §3.10; service.HandOffLeadership,
// what .stepdown does) and waits up to handoffTimeout for it to lead, so
// a routine restart of the leader leaves the cluster no election timeout
// without a leader.
func (n *Node) handOffLeadership() {
	if n.service == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), handoffTimeout)
	defer cancel()
	to, err := n.service.HandOffLeadership(ctx)
	switch {
	case err != nil:
		n.log.Warn("leadership not handed over before stopping", "err", err)
	case to != raft.None:
		n.log.Info("stopping: leadership handed over", "to", uint64(to))
	}
}
