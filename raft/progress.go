package raft

import "fmt"

// ProgressState is how a leader currently replicates to one follower.
type ProgressState uint8

const (
	// StateProbe: the leader does not know where the follower's log
	// matches; it sends one MsgApp per heartbeat interval until one is
	// accepted.
	StateProbe ProgressState = iota
	// StateReplicate: the follower's log matches; the leader streams
	// entries optimistically, up to MaxInflightMsgs messages in flight.
	StateReplicate
	// StateSnapshot: the follower needs entries the leader has compacted;
	// a snapshot is on its way and nothing else is sent meanwhile.
	StateSnapshot
)

func (s ProgressState) String() string {
	switch s {
	case StateProbe:
		return "Probe"
	case StateReplicate:
		return "Replicate"
	case StateSnapshot:
		return "Snapshot"
	}
	return fmt.Sprintf("ProgressState(%d)", uint8(s))
}

// progress is the leader's record of one member's log (paper §5.3's
// nextIndex and matchIndex, plus flow control).
type progress struct {
	match, next uint64
	state       ProgressState
	// pendingSnapshot is the index of the snapshot being sent.
	pendingSnapshot uint64
	// probeSent pauses a probing follower until it answers or a heartbeat
	// interval passes.
	probeSent bool
	// recentActive records that the follower was heard from during the
	// current CheckQuorum interval.
	recentActive bool
	// snapshotStale marks a snapshot still unacknowledged at an election
	// timeout boundary; at the next one the leader gives up on it.
	snapshotStale bool
	// ackedRound is the highest heartbeat round the member acknowledged.
	ackedRound uint64
	learner    bool
	// lingerUntil, for a server no longer in the configuration, is the
	// index of the entry that removed it (0 for members).
	lingerUntil uint64
	// lingerRound is the heartbeat round that first told the removed
	// server its removal committed; lingerDone is set once it answered
	// it, lingerExpiring once its removal committed an expiry ago.
	lingerRound    uint64
	lingerDone     bool
	lingerExpiring bool
	inflights      inflights
	// sentCommit is the commit index the last MsgApp to the member
	// carried. It only decides whether a commit notice is worth sending
	// (canBumpCommit); a lost message costs a heartbeat's delay, never
	// safety.
	sentCommit uint64
}

func newProgress(next uint64, maxInflight int, learner bool) *progress {
	return &progress{next: next, learner: learner, recentActive: true, inflights: newInflights(maxInflight)}
}

func (p *progress) resetState(s ProgressState) {
	p.probeSent = false
	p.pendingSnapshot = 0
	p.snapshotStale = false
	p.state = s
	p.inflights.reset()
}

func (p *progress) becomeProbe() {
	if p.state == StateSnapshot {
		pending := p.pendingSnapshot
		p.resetState(StateProbe)
		p.next = max(p.match+1, pending+1)
		return
	}
	p.resetState(StateProbe)
	p.next = p.match + 1
}

func (p *progress) becomeReplicate() {
	p.resetState(StateReplicate)
	p.next = p.match + 1
}

func (p *progress) becomeSnapshot(index uint64) {
	p.resetState(StateSnapshot)
	p.pendingSnapshot = index
}

// maybeUpdate records that the follower's log matches up to n.
func (p *progress) maybeUpdate(n uint64) bool {
	updated := false
	if p.match < n {
		p.match = n
		updated = true
		p.probeSent = false
	}
	p.next = max(p.next, n+1)
	return updated
}

// sentEntries updates flow control after a MsgApp carrying ents was sent.
func (p *progress) sentEntries(ents []Entry) {
	switch p.state {
	case StateReplicate:
		if n := len(ents); n > 0 {
			last := ents[n-1].Index
			p.next = last + 1
			p.inflights.add(last)
		}
	case StateProbe:
		p.probeSent = true
	}
}

// canBumpCommit reports whether a MsgApp carrying commit could advance
// the member's commit index: commit is newer than the one last sent, and
// the member's log (next-1 once what is in flight arrives) reaches past
// that one. As in etcd-io/raft's Progress.CanBumpCommit.
func (p *progress) canBumpCommit(commit uint64) bool {
	return commit > p.sentCommit && p.sentCommit < p.next-1
}

// maybeDecrTo moves next back after the follower rejected the MsgApp whose
// prevLogIndex was rejected; hint is the leader-side index the follower's
// conflict hint points at. It returns false for a stale rejection.
func (p *progress) maybeDecrTo(rejected, hint uint64) bool {
	if p.state == StateReplicate {
		if rejected <= p.match {
			return false
		}
		p.next = p.match + 1
		return true
	}
	if p.next-1 != rejected {
		return false
	}
	p.next = max(min(rejected, hint+1), p.match+1)
	p.probeSent = false
	return true
}

// isPaused reports whether nothing more may be sent to the follower now.
func (p *progress) isPaused() bool {
	switch p.state {
	case StateProbe:
		return p.probeSent
	case StateReplicate:
		return p.inflights.full()
	}
	return true
}

// inflights is a bounded FIFO of the last indexes of the MsgApp messages
// in flight to one follower.
type inflights struct {
	buf   []uint64
	start int
	count int
}

func newInflights(size int) inflights { return inflights{buf: make([]uint64, size)} }

func (in *inflights) add(last uint64) {
	if in.full() {
		return
	}
	in.buf[(in.start+in.count)%len(in.buf)] = last
	in.count++
}

// freeLE releases every message whose last index is <= to.
func (in *inflights) freeLE(to uint64) {
	for in.count > 0 && in.buf[in.start] <= to {
		in.start = (in.start + 1) % len(in.buf)
		in.count--
	}
}

func (in *inflights) freeFirst() {
	if in.count > 0 {
		in.start = (in.start + 1) % len(in.buf)
		in.count--
	}
}

func (in *inflights) full() bool { return in.count == len(in.buf) }

func (in *inflights) reset() { in.start, in.count = 0, 0 }
