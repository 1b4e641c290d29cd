package raft

import "slices"

// stepFollower handles a message of the current term as follower.
func (c *Core) stepFollower(m Message) {
	switch m.Type {
	case MsgApp: // paper §5.3
		c.heardFromLeader(m.From)
		c.handleAppendEntries(m)
	case MsgHeartbeat: // paper §5.2
		c.heardFromLeader(m.From)
		c.handleHeartbeat(m)
	case MsgSnap: // paper §7
		c.heardFromLeader(m.From)
		c.handleSnapshot(m)
	case MsgTimeoutNow: // thesis §3.10: campaign at once, skipping PreVote
		c.logger.Info("campaigning on leader's request", "term", c.term, "from", uint64(m.From))
		c.campaign(campaignTransfer)
	case MsgReadIndexResp: // thesis §6.4: the leader's read index
		if m.Commit <= c.log.lastIndex() && m.Commit <= m.Index {
			c.log.commitTo(m.Commit)
		}
		c.readAnswered(m)
	}
}

// handleAppendEntries applies AppendEntries: the consistency check, then
// conflict truncation and append, then the commit index (paper §5.3).
func (c *Core) handleAppendEntries(m Message) {
	if m.Index < c.log.committed {
		c.send(Message{Type: MsgAppResp, To: m.From, Index: c.log.committed})
		return
	}
	if !c.log.matchTerm(m.Index, m.LogTerm) {
		// Consistency check failed; hint the largest index whose term
		// is <= the leader's prevLogTerm so the leader skips a term at a
		// time.
		hint, hintTerm := c.log.findConflictByTerm(min(m.Index, c.log.lastIndex()), m.LogTerm)
		c.send(Message{Type: MsgAppResp, To: m.From, Index: m.Index, Reject: true, RejectHint: hint, LogTerm: hintTerm})
		return
	}
	for i, e := range m.Entries {
		if e.Index != m.Index+1+uint64(i) || e.Term > m.Term {
			c.logger.Warn("ignoring MsgApp with malformed entries", "from", uint64(m.From))
			return
		}
		if e.Type == EntryConfig {
			if _, err := DecodeConfiguration(e.Data); err != nil {
				c.logger.Warn("ignoring MsgApp with a malformed configuration entry", "from", uint64(m.From), "index", e.Index, "err", err)
				return
			}
		}
	}
	lastNew := m.Index + uint64(len(m.Entries))
	if ci := c.log.findConflict(m.Entries); ci != 0 {
		if ci <= c.log.committed {
			c.logger.Error("leader's entry conflicts with a committed entry", "index", ci, "from", uint64(m.From))
			return
		}
		ents := m.Entries[ci-(m.Index+1):]
		if ci <= c.log.lastIndex() {
			c.withdrawAcksFrom(ci)
		}
		c.truncateConfigs(ci)
		c.log.append(ents)
		_ = c.trackConfigs(ents)
	}
	c.log.commitTo(min(m.Commit, lastNew))
	c.send(Message{Type: MsgAppResp, To: m.From, Index: lastNew})
}

// withdrawAcksFrom drops acknowledgments not yet handed out in a Ready
// that cover entries from index on, which a conflicting append is
// replacing. Input taken in one batch (a driver that stalled drains many
// messages before its next Ready) may acknowledge an old leader's entries
// and then truncate them for a new leader's; the acknowledgment would
// leave after the Ready as if they were durable, and the old leader could
// count it toward committing entries this node no longer holds (paper
// §5.3: a follower acknowledges only what it stores).
func (c *Core) withdrawAcksFrom(index uint64) {
	c.msgs = slices.DeleteFunc(c.msgs, func(m Message) bool {
		return m.Type == MsgAppResp && !m.Reject && m.Index >= index
	})
}

func (c *Core) handleHeartbeat(m Message) {
	if m.Commit <= c.log.lastIndex() {
		c.log.commitTo(m.Commit)
	}
	c.send(Message{Type: MsgHeartbeatResp, To: m.From, Context: m.Context})
}

// handleSnapshot installs a leader's snapshot unless the log already holds
// what it covers (paper §7).
func (c *Core) handleSnapshot(m Message) {
	if m.Snapshot == nil {
		return
	}
	s := *m.Snapshot
	s.Config = s.Config.Clone()
	if err := validateMembers(s.Config.Members); err != nil || s.Term > m.Term {
		c.logger.Warn("ignoring malformed snapshot", "from", uint64(m.From), "index", s.Index, "err", err)
		return
	}
	if c.restore(s) {
		c.logger.Info("installing snapshot", "index", s.Index, "term", s.Term)
		c.send(Message{Type: MsgAppResp, To: m.From, Index: c.log.lastIndex()})
		return
	}
	c.send(Message{Type: MsgAppResp, To: m.From, Index: c.log.committed})
}

// restore makes snapshot s the start of the log, unless the log already
// covers it; it reports whether the snapshot must be installed.
func (c *Core) restore(s SnapshotMeta) bool {
	if s.Index <= c.log.committed {
		return false
	}
	if c.log.matchTerm(s.Index, s.Term) {
		// The log already holds the snapshot's last entry: only the
		// commit index moves.
		c.log.commitTo(s.Index)
		return false
	}
	c.log.restore(s)
	c.configs = []configAt{{index: s.Index, cfg: s.Config}}
	c.setConfig(s.Config)
	return true
}
