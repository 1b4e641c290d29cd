package raft

// stepCandidate handles a message of the current term as candidate or
// pre-candidate.
func (c *Core) stepCandidate(m Message) {
	switch m.Type {
	case MsgApp: // paper §5.2: a leader of this term exists; step down
		c.becomeFollower(m.Term, m.From)
		c.heardFromLeader(m.From)
		c.handleAppendEntries(m)
	case MsgHeartbeat: // paper §5.2
		c.becomeFollower(m.Term, m.From)
		c.heardFromLeader(m.From)
		c.handleHeartbeat(m)
	case MsgSnap: // paper §5.2, §7
		c.becomeFollower(m.Term, m.From)
		c.heardFromLeader(m.From)
		c.handleSnapshot(m)
	case MsgPreVoteResp: // thesis §9.6
		if c.role == RolePreCandidate && (m.Reject || m.Term == c.term+1) {
			c.tally(m)
		}
	case MsgVoteResp: // paper §5.2
		if c.role == RoleCandidate {
			c.tally(m)
		}
	}
}

// tally counts a vote; a majority wins the election, a majority against
// loses it (paper §5.2).
func (c *Core) tally(m Message) {
	won, lost := c.poll(m.From, !m.Reject)
	switch {
	case won && c.role == RolePreCandidate:
		c.campaign(campaignElection)
	case won:
		c.becomeLeader()
	case lost:
		c.becomeFollower(c.term, None)
	}
}
