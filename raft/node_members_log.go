package raft

// logMemberChanges logs at info level, once the configuration committed
// at index replaced the one before, each member it added, removed or
// promoted from learner to voter (thesis §4.1).
func (n *Node) logMemberChanges(index uint64, cfg Configuration) {
	old := n.committedMembers
	n.committedMembers = cfg.Clone()
	for _, m := range cfg.Members {
		prev, ok := old.Member(m.ID)
		switch {
		case !ok:
			n.cfg.Logger.Info("member added", "node", uint64(n.cfg.ID), "member", uint64(m.ID), "addr", m.Addr,
				"learner", m.Learner, "index", index)
		case prev.Learner && !m.Learner:
			n.cfg.Logger.Info("member promoted to voter", "node", uint64(n.cfg.ID), "member", uint64(m.ID), "index", index)
		}
	}
	for _, m := range old.Members {
		if _, ok := cfg.Member(m.ID); !ok {
			n.cfg.Logger.Info("member removed", "node", uint64(n.cfg.ID), "member", uint64(m.ID), "addr", m.Addr, "index", index)
		}
	}
}
