package raft

// ReportRemoved tells the node that member by refused its messages
// because by's latest committed configuration, introduced at log index
// configIndex, does not include it. If that configuration is newer than
// the node's own latest one, the node was removed from the cluster and
// stops campaigning (Core.ReportRemoved; thesis §4.2.2, §4.2.3). It never
// blocks: a report is dropped when the node is busy (the next refusal
// repeats it).
func (n *Node) ReportRemoved(by NodeID, configIndex uint64) {
	select {
	case n.reqc <- func() { n.core.ReportRemoved(by, configIndex) }:
	default:
	}
}

// updateCommittedConfiguration tells the transport the latest committed
// configuration when it changed, so that its refusals of non-members say
// which one it is.
func (n *Node) updateCommittedConfiguration() {
	index := n.core.CommittedConfigIndex()
	if index == n.committedConfig {
		return
	}
	_, cfg := n.core.CommittedConfiguration()
	n.cfg.Transport.SetCommittedConfiguration(index, cfg)
	n.committedConfig = index
	n.logMemberChanges(index, cfg)
}
