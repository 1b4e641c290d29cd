package raft

import "fmt"

// ProposeConfChange proposes a single-server membership change (thesis
// §4.1). The new configuration takes effect on each server as soon as its
// entry is in that server's log. The leader accepts a change only after it
// has committed an entry of its own term and while no other change is
// uncommitted (thesis §4.1 with the 2015 correction): ErrConfChangePending
// otherwise. A learner is promoted (ConfAddVoter) only once its log
// reaches the leader's commit index (ErrLearnerNotCaughtUp).
func (c *Core) ProposeConfChange(cc ConfChange) (index, term uint64, err error) {
	if c.log.err != nil {
		return 0, 0, c.log.err
	}
	if c.role != RoleLeader || c.leadTransferee != None || c.isRemovedLeader() {
		return 0, 0, ErrProposalDropped
	}
	if !c.committedInTerm() || c.configs[len(c.configs)-1].index > c.log.committed {
		return 0, 0, ErrConfChangePending
	}
	next, err := cc.apply(c.cfg)
	if err != nil {
		return 0, 0, err
	}
	if cc.Type == ConfAddVoter {
		if m, ok := c.cfg.Member(cc.Member.ID); ok && m.Learner {
			if pr := c.prs[m.ID]; pr == nil || pr.match < c.log.committed {
				return 0, 0, fmt.Errorf("%w: %d", ErrLearnerNotCaughtUp, m.ID)
			}
		}
	}
	var prev *Member
	if m, ok := c.cfg.Member(cc.Member.ID); ok {
		prev = &m
	}
	c.appendEntries(Entry{Type: EntryConfig, Data: encodeConfigChange(next, cc.Member.ID, prev)})
	c.logger.Info("proposed configuration change", "change", cc.Type.String(), "member", uint64(cc.Member.ID), "index", c.log.lastIndex())
	// The quorum changed: entries may now be committed.
	c.maybeCommit()
	return c.log.lastIndex(), c.term, nil
}
