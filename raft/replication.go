package raft

import (
	"encoding/binary"
	"errors"
	"slices"
)

// bcastAppend sends pending entries to every other member, and the
// commit index to every member that has not been told it (an empty MsgApp
// when there are no entries to send) once the whole log is committed.
// Paper §5.3: the leader "includes that index in future AppendEntries
// RPCs ... so that the other servers eventually find out"; sending it at
// once, as etcd-io/raft's leader does, lets a follower apply (and serve a
// read of) a write without waiting for the next heartbeat. Called at most
// once per Ready (flush), so commit advances made together share one
// notice; while entries are still uncommitted, the MsgApps that carry
// them, and the notice once they commit, tell followers the commit index
// instead (a notice per commit advance under load doubled the messages).
func (c *Core) bcastAppend() {
	notice := c.commitNoticeDue()
	for _, id := range c.replicaIDs() {
		pr := c.prs[id]
		c.maybeSendAppend(id, notice && pr != nil && pr.canBumpCommit(c.log.committed))
	}
}

// commitNoticeDue reports whether followers that do not know the commit
// index should be sent it now: every entry of the leader's log is
// committed, so no later MsgApp will carry it.
func (c *Core) commitNoticeDue() bool { return c.log.committed == c.log.lastIndex() }

// maybeSendAppend sends one MsgApp (or, when the entries it needs were
// compacted, a MsgSnap) to member to, unless flow control pauses it. With
// sendIfEmpty false nothing is sent when there are no new entries. It
// reports whether a message was sent.
func (c *Core) maybeSendAppend(to NodeID, sendIfEmpty bool) bool {
	pr := c.prs[to]
	if pr == nil || pr.isPaused() {
		return false
	}
	prevIndex := pr.next - 1
	prevTerm, errT := c.log.term(prevIndex)
	ents, errE := c.log.entries(pr.next, c.maxMsgSize)
	if errT != nil || errE != nil {
		if errors.Is(errT, ErrCompacted) || errors.Is(errE, ErrCompacted) {
			// Paper §7: the follower needs entries that were compacted.
			return c.sendSnapshot(to, pr)
		}
		return false
	}
	if len(ents) == 0 && !sendIfEmpty {
		return false
	}
	c.send(Message{Type: MsgApp, To: to, Index: prevIndex, LogTerm: prevTerm, Entries: ents, Commit: c.log.committed})
	pr.sentEntries(ents)
	pr.sentCommit = c.log.committed
	return true
}

func (c *Core) sendSnapshot(to NodeID, pr *progress) bool {
	if !pr.recentActive {
		return false
	}
	snap, err := c.log.storage.Snapshot()
	if err != nil {
		c.logger.Warn("cannot read snapshot for follower", "to", uint64(to), "err", err)
		return false
	}
	if snap.IsEmpty() {
		return false
	}
	snap.Config = snap.Config.Clone()
	pr.becomeSnapshot(snap.Index)
	c.send(Message{Type: MsgSnap, To: to, Snapshot: &snap})
	c.logger.Debug("sending snapshot", "to", uint64(to), "index", snap.Index)
	return true
}

// encodeRound and decodeRound carry a heartbeat round in a Context.
func encodeRound(r uint64) []byte { return binary.BigEndian.AppendUint64(nil, r) }

func decodeRound(b []byte) (uint64, bool) {
	if len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// bcastHeartbeat starts a new heartbeat round (paper §5.2). Every round
// carries its number, so acknowledgments confirm pending reads (thesis
// §6.4) and extend the lease (§6.4.1).
func (c *Core) bcastHeartbeat() {
	c.reads.round++
	r := c.reads.round
	c.reads.wantRound = false
	if c.leaseRead {
		c.reads.roundSent[r] = c.now()
	}
	ctx := encodeRound(r)
	for _, id := range c.replicaIDs() {
		pr := c.prs[id]
		commit := min(pr.match, c.log.committed)
		if pr.lingerUntil > 0 && commit >= pr.lingerUntil && pr.lingerRound == 0 {
			pr.lingerRound = r
		}
		c.send(Message{Type: MsgHeartbeat, To: id, Commit: commit, Context: ctx})
	}
	if self := c.prs[c.id]; self != nil {
		self.ackedRound = r
	}
	c.advanceReads()
}

// quorumIndex returns the largest value that a quorum of voters has
// reached, given each voter's value.
func (c *Core) quorumIndex(value func(*progress) uint64) uint64 {
	if len(c.voterIDs) == 0 {
		return 0
	}
	var buf [9]uint64
	vals := buf[:0]
	for _, id := range c.voterIDs {
		if pr := c.prs[id]; pr != nil {
			vals = append(vals, value(pr))
		} else {
			vals = append(vals, 0)
		}
	}
	slices.Sort(vals)
	return vals[len(vals)-c.quorum()]
}

// committedInTerm reports whether the leader has committed an entry of its
// own term (thesis §6.4 step 1, and §4.1's 2015 correction).
func (c *Core) committedInTerm() bool {
	return c.log.termOrZero(c.log.committed) == c.term
}

// maybeCommit advances the commit index to the highest index stored on a
// quorum, if that entry is of the current term (paper §5.4.2, Fig. 8).
func (c *Core) maybeCommit() bool {
	if c.role != RoleLeader {
		return false
	}
	mci := c.quorumIndex(func(pr *progress) uint64 { return pr.match })
	if mci <= c.log.committed || c.log.termOrZero(mci) != c.term {
		return false
	}
	first := !c.committedInTerm()
	c.log.commitTo(mci)
	if c.commitNoticeDue() {
		c.pendingBcast = true // tell the followers (bcastAppend)
	}
	if c.eagerCommit {
		c.reads.wantRound = true
	}
	if first {
		c.releaseReadsAwaitingCommit()
	}
	// Thesis §4.2.2: a leader that removed itself steps down once the
	// configuration without it is committed.
	if c.isRemovedLeader() && c.configs[len(c.configs)-1].index <= c.log.committed {
		c.logger.Info("stepping down: removed from the configuration", "term", c.term)
		c.becomeFollower(c.term, None)
	}
	return true
}
