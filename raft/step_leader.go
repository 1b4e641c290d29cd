package raft

// stepLeader handles a message of the current term as leader.
func (c *Core) stepLeader(m Message) {
	pr := c.prs[m.From]
	if pr == nil {
		// Not a member: nothing to track for it.
		c.logger.Debug("leader ignores message from non-member", "from", uint64(m.From), "type", m.Type)
		return
	}
	switch m.Type {
	case MsgAppResp: // paper §5.3
		c.handleAppendResponse(m, pr)
	case MsgSnapResp: // paper §7: the follower installed the snapshot
		c.handleAppendResponse(Message{Type: MsgAppResp, From: m.From, Index: m.Index}, pr)
	case MsgHeartbeatResp: // paper §5.2, thesis §6.4
		c.handleHeartbeatResponse(m, pr)
	case MsgReadIndex: // thesis §6.4: a follower asks for a read index
		c.leaderRead(readRequest{ctx: m.Context, from: m.From, lease: m.Lease})
	}
}

func (c *Core) handleAppendResponse(m Message, pr *progress) {
	pr.recentActive = true
	if m.Reject {
		// Paper §5.3: on a rejection, back up nextIndex; the follower's
		// hint lets it skip a whole term at once.
		hint := m.RejectHint
		if m.LogTerm > 0 {
			hint, _ = c.log.findConflictByTerm(m.RejectHint, m.LogTerm)
		}
		if pr.maybeDecrTo(m.Index, hint) {
			if pr.state == StateReplicate {
				pr.becomeProbe()
			}
			c.maybeSendAppend(m.From, true)
		}
		return
	}
	if !pr.maybeUpdate(m.Index) && !(pr.match == m.Index && pr.state == StateProbe) {
		return
	}
	switch pr.state {
	case StateProbe:
		pr.becomeReplicate()
	case StateSnapshot:
		if pr.match >= pr.pendingSnapshot {
			pr.becomeProbe()
			pr.becomeReplicate()
		}
	case StateReplicate:
		pr.inflights.freeLE(m.Index)
	}
	if !c.maybeCommit() && pr.canBumpCommit(c.log.committed) && c.commitNoticeDue() {
		// The member was paused when the commit index last advanced:
		// tell it now (at the next Ready, with bcastAppend's notices).
		c.pendingBcast = true
	}
	if c.role != RoleLeader {
		return
	}
	for c.maybeSendAppend(m.From, false) {
	}
	// Thesis §3.10: once the transfer target is up to date, tell it to
	// campaign now.
	if m.From == c.leadTransferee && pr.match == c.log.lastIndex() {
		c.sendTimeoutNow(m.From)
	}
}

func (c *Core) handleHeartbeatResponse(m Message, pr *progress) {
	pr.recentActive = true
	pr.probeSent = false
	if pr.state == StateReplicate && pr.inflights.full() {
		pr.inflights.freeFirst()
	}
	if pr.match < c.log.lastIndex() {
		// Possibly a MsgApp was lost: an empty one at next makes the
		// follower reject and the leader back up to its match.
		c.maybeSendAppend(m.From, true)
	}
	if r, ok := decodeRound(m.Context); ok && r > pr.ackedRound && r <= c.reads.round {
		pr.ackedRound = r
		if pr.lingerRound > 0 && r >= pr.lingerRound {
			// The removed server knows its removal committed.
			pr.lingerDone = true
			c.dropLingering(false)
			return
		}
		c.advanceReads()
	}
}
