package raft

// A server removed while it was down or cut off never receives the entry
// that removes it: in its own latest configuration it is still a voter, so
// it would campaign forever, disrupting nobody only because the members'
// transports refuse its messages (thesis §4.2.3 discusses such removed
// servers). A refusal alone proves nothing, as a server just added may
// reach a member that has not received its addition yet. The evidence the
// transport reports is stronger: a member whose latest COMMITTED
// configuration, introduced at some log index, leaves this server out.
// Only committed configurations count, since a server removed by an
// uncommitted one may still be needed to commit it (thesis §4.2.2).

// ReportRemoved tells the core that member by refused its messages
// because by's latest committed configuration, introduced at log index
// configIndex, does not include this node. If that configuration is newer
// than this node's latest one, the node was removed: it stops campaigning
// (as a follower without a leader) but still answers messages. The mark
// holds only while no configuration newer than configIndex reaches the
// log, so a later change that adds the node again, which the leader then
// replicates to it, makes it promotable again. Evidence not newer than the
// node's latest configuration is ignored.
func (c *Core) ReportRemoved(by NodeID, configIndex uint64) {
	own := c.latestConfigIndex()
	if configIndex <= own || configIndex <= c.removedAt {
		return
	}
	c.removedAt = configIndex
	c.logger.Warn("removed from the cluster: a newer committed configuration leaves this node out; no longer campaigning",
		"reported_by", uint64(by), "config_index", configIndex, "own_config_index", own, "term", c.term)
	if c.role != RoleFollower {
		c.becomeFollower(c.term, None)
	}
}

// removed reports whether a committed configuration that leaves this node
// out is known (ReportRemoved) and no newer configuration reached its log.
func (c *Core) removed() bool {
	return c.removedAt != 0 && c.removedAt >= c.latestConfigIndex()
}

// latestConfigIndex is the log index that introduced the latest
// configuration (that of the snapshot, or 0 for the bootstrap one).
func (c *Core) latestConfigIndex() uint64 { return c.configs[len(c.configs)-1].index }

// CommittedConfigIndex returns the index of the latest committed
// configuration: the entry (or snapshot) that introduced it.
func (c *Core) CommittedConfigIndex() uint64 {
	for i := len(c.configs) - 1; i > 0; i-- {
		if c.configs[i].index <= c.log.committed {
			return c.configs[i].index
		}
	}
	return c.configs[0].index
}

// CommittedConfiguration returns the latest committed configuration and
// the index of the entry (or snapshot) that introduced it.
func (c *Core) CommittedConfiguration() (uint64, Configuration) {
	index := c.CommittedConfigIndex()
	return index, c.configAtIndex(index).Clone()
}
