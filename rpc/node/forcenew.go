package node

import (
	"fmt"

	"github.com/resqlite/resqlite/raft"
)

// forceNewCluster turns the node's stored log into a one-node cluster's
// (Config.ForceNewCluster) before the Raft node starts, with a loud
// warning. The state machine must not be ahead of the log (an
// interrupted snapshot install, which a normal start repairs first).
func (n *Node) forceNewCluster(existed bool) error {
	if !existed {
		return fmt.Errorf("%w: force-new-cluster needs the data of a member of the lost cluster; %s holds none", ErrConfig, n.cfg.DataDir)
	}
	last, err := n.store.LastIndex()
	if err != nil {
		return fmt.Errorf("%w: force-new-cluster: %w", ErrConfig, err)
	}
	if applied := n.state.AppliedIndex(); applied > last {
		return fmt.Errorf("%w: force-new-cluster: the database is at index %d, past the log's %d (an interrupted snapshot install): start the node once without the flag, stop it, then force", ErrConfig, applied, last)
	}
	self := raft.Member{ID: n.cfg.ID, Addr: n.cfg.Advertise}
	old, index, err := raft.ForceNewCluster(n.store, self)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if index == 0 {
		n.log.Warn("force-new-cluster: this node already is the only member of its cluster; nothing changed",
			"id", uint64(n.cfg.ID), "addr", self.Addr)
		return nil
	}
	n.log.Warn("FORCING A NEW CLUSTER: this node is now the only member of its cluster, with every entry of its log committed; the other members must never run again with their old data",
		"id", uint64(n.cfg.ID), "addr", self.Addr, "old_members", memberIDs(old), "config_index", index, "last_index", last)
	return nil
}

// memberIDs lists a configuration's member ids.
func memberIDs(c raft.Configuration) []uint64 {
	out := make([]uint64, 0, len(c.Members))
	for _, m := range c.Members {
		out = append(out, uint64(m.ID))
	}
	return out
}
