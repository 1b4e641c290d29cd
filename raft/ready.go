package raft

// SoftState is the volatile part of a node's state the driver may want to
// know about: who leads and what this node is.
type SoftState struct {
	Lead NodeID
	Role Role
}

// Ready is a batch of work the core hands its driver. See the package
// documentation for the order in which the driver must carry it out.
type Ready struct {
	// SoftState is non-nil when leader or role changed.
	SoftState *SoftState
	// HardState is non-empty when term, vote or commit changed; it must be
	// persisted.
	HardState HardState
	// Entries must be appended to the durable log (truncating any
	// conflicting suffix: LogStore.Save does).
	Entries []Entry
	// Snapshot, when not empty, must be installed: the state machine
	// restored from its data and LogStore.ApplySnapshot called.
	Snapshot SnapshotMeta
	// CommittedEntries must be applied to the state machine, in order.
	CommittedEntries []Entry
	// Messages must be sent to their To nodes.
	Messages []Message
	// ReadStates answer ReadIndex requests.
	ReadStates []ReadState
	// Configuration is non-nil when the configuration in force changed
	// (the transport learns members' addresses from it).
	Configuration *Configuration
	// MustSync says whether HardState and Entries must be fsynced (term,
	// vote or entries changed); a commit-only change may be written
	// lazily.
	MustSync bool

	// termOrVoteChanged records that HardState carries a new term or vote.
	termOrVoteChanged bool
}

// MaySendBeforePersist reports whether m, one of rd.Messages, may be sent
// before rd's HardState and Entries are durable (thesis §10.2.1): it is a
// message only a leader sends (MsgApp, MsgHeartbeat, MsgSnap,
// MsgTimeoutNow, MsgReadIndexResp) and rd does not change the term or
// vote. (A single-voter cluster elects itself within one Ready; its first
// MsgApp to a learner must not carry a term that is not yet durable.)
// Every other message leaves only after the Ready is durable.
func (rd Ready) MaySendBeforePersist(m Message) bool {
	if rd.termOrVoteChanged {
		return false
	}
	switch m.Type {
	case MsgApp, MsgHeartbeat, MsgSnap, MsgTimeoutNow, MsgReadIndexResp:
		return true
	}
	return false
}

// flush sends the replication and read rounds deferred until the Ready.
func (c *Core) flush() {
	if c.role != RoleLeader {
		c.pendingBcast, c.reads.wantRound = false, false
		c.sendQueuedReads()
		return
	}
	if c.pendingBcast {
		c.pendingBcast = false
		c.bcastAppend()
	}
	if c.reads.wantRound {
		c.bcastHeartbeat()
	}
}

// HasReady reports whether Ready would return any work.
func (c *Core) HasReady() bool {
	if c.log.err != nil {
		return false
	}
	if c.role == RoleLeader && (c.pendingBcast || c.reads.wantRound) {
		return true
	}
	if c.softState() != c.prevSoft || c.hardState() != c.prevHard || c.configChanged {
		return true
	}
	u := &c.log.unstable
	return u.snapshot != nil || len(c.unwritten()) > 0 || len(c.msgs) > 0 ||
		len(c.reads.out) > 0 || c.readsWaiting() || c.log.hasNextCommittedEnts()
}

// Ready returns the pending work. The driver must carry it out and call
// Advance(rd) before it calls Ready again.
func (c *Core) Ready() Ready {
	c.flush()
	rd := Ready{
		Entries:          c.unwritten(),
		CommittedEntries: c.log.nextCommittedEnts(),
		Messages:         c.msgs,
		ReadStates:       c.reads.out,
	}
	c.msgsHint = min(len(c.msgs), maxMsgsHint)
	c.msgs, c.reads.out = nil, nil
	if soft := c.softState(); soft != c.prevSoft {
		c.prevSoft = soft
		rd.SoftState = &SoftState{Lead: soft.Lead, Role: soft.Role} // allocated only on a change
	}
	hs := c.hardState()
	if hs != c.prevHard {
		rd.HardState = hs
		rd.termOrVoteChanged = hs.Term != c.prevHard.Term || hs.Vote != c.prevHard.Vote
		rd.MustSync = rd.termOrVoteChanged
		c.prevHard = hs
	}
	if s := c.log.unstable.snapshot; s != nil {
		rd.Snapshot = *s
		rd.MustSync = true
	}
	if len(rd.Entries) > 0 {
		rd.MustSync = true
	}
	if c.configChanged {
		cfg := c.cfg.Clone()
		rd.Configuration = &cfg
		c.configChanged = false
	}
	return rd
}

// Advance tells the core that rd was carried out: its snapshot installed,
// its HardState and Entries durable, its messages handed to the transport
// and its committed entries applied.
func (c *Core) Advance(rd Ready) {
	if !rd.Snapshot.IsEmpty() {
		c.log.unstable.stableSnapTo(rd.Snapshot.Index)
		c.log.appliedTo(rd.Snapshot.Index)
	}
	if n := len(rd.Entries); n > 0 {
		e := rd.Entries[n-1]
		c.writing = entryID{}
		c.Durable(e.Index, e.Term)
	}
	if n := len(rd.CommittedEntries); n > 0 {
		c.log.appliedTo(rd.CommittedEntries[n-1].Index)
	}
}

// entryID names a log entry.
type entryID struct{ index, term uint64 }

// AdvanceWritten is Advance for a Ready whose Entries (and HardState) the
// driver wrote without an fsync yet (a leader's log, AsyncLogStore). Its
// entries stay unstable, so the core's idea of its durable log
// (lastStableIndex) stays exact, but no later Ready returns them again;
// they count toward commit once the driver reports them with Durable.
// The Ready must not carry a snapshot.
func (c *Core) AdvanceWritten(rd Ready) {
	if n := len(rd.Entries); n > 0 {
		e := rd.Entries[n-1]
		c.writing = entryID{e.Index, e.Term}
	}
	rd.Entries = nil
	c.Advance(rd)
}

// Durable tells the core that its log up to index, whose entry has term,
// is durable. A leader's own log counts toward commit only from here
// (thesis §10.2.1): its entries reach a quorum only with a durable copy
// of its own, or with copies at enough followers, each of which
// acknowledges only what it made durable. An entry replaced since it was
// written (its term differs) is ignored.
func (c *Core) Durable(index, term uint64) {
	c.log.unstable.stableTo(index, term)
	if c.role == RoleLeader && c.log.matchTerm(index, term) {
		if self := c.prs[c.id]; self != nil {
			self.maybeUpdate(index)
		}
		c.maybeCommit()
	}
}

// unwritten returns the unstable entries the driver has not written yet:
// those after the entry AdvanceWritten recorded, or all of them once that
// entry is durable or was replaced.
func (c *Core) unwritten() []Entry {
	u := &c.log.unstable
	ents := u.pending()
	w := c.writing
	if w.index == 0 || len(ents) == 0 || w.index < u.offset {
		return ents
	}
	if t, ok := u.maybeTerm(w.index); !ok || t != w.term {
		return ents
	}
	return ents[w.index+1-u.offset:]
}
