package raft

import "time"

// ReadState answers a ReadIndex request: once the state machine has
// applied Index, a read of it reflects every write acknowledged before the
// request was made (thesis §6.4). RequestCtx is the request's ctx.
type ReadState struct {
	Index      uint64
	RequestCtx []byte
}

// maxPendingReads bounds the reads a leader keeps waiting; beyond it the
// oldest are dropped (their callers time out and retry), so a leader that
// cannot reach a quorum does not accumulate reads without end.
const maxPendingReads = 1 << 14

// readRequest is a read waiting at the leader.
type readRequest struct {
	index uint64
	ctx   []byte
	from  NodeID
	round uint64
	// lease lets the leader answer from its lease.
	lease bool
}

// readState is the leader's bookkeeping of read-index requests and its
// lease, plus the read states ready for the driver.
type readState struct {
	// round is the number of the last heartbeat round sent; it only grows.
	round uint64
	// confirmed is the highest round a quorum has acknowledged this term.
	confirmed uint64
	// roundSent records when (on the core's clock) each unconfirmed
	// round was sent (leases).
	roundSent map[uint64]time.Duration
	// wantRound asks for a heartbeat round at the next Ready, shared by
	// every read that arrives until then (requestRound).
	wantRound      bool
	pending        []readRequest
	awaitingCommit []readRequest
	// leaseUntil is the clock reading before which the lease holds.
	leaseUntil time.Duration
	// leaseForfeited is set once the leader sent MsgTimeoutNow: the
	// target's forced campaign may be granted by voters inside the lease,
	// so the lease is void for the rest of the term.
	leaseForfeited bool
	out            []ReadState
	// queued holds a follower's reads until a Ready sends them
	// (sendQueuedReads); batches maps the context of each batch sent and
	// not yet answered to the contexts of its reads.
	queued   []readRequest
	batches  map[string][][]byte
	batchSeq uint64
	// inflight is the context of the follower's request the leader has
	// not answered yet (nil: none), sent inflightTicks ticks ago; while
	// it is out, new reads wait in queued for the next request.
	inflight      []byte
	inflightTicks int
}

func (r *readState) init() {
	r.roundSent = map[uint64]time.Duration{}
	r.batches = map[string][][]byte{}
}

// reset drops leader-side state on a role change. Requests still waiting
// are dropped: their callers retry (see the package documentation).
func (r *readState) reset() {
	r.confirmed = r.round
	clear(r.roundSent)
	r.wantRound = false
	r.pending = nil
	r.awaitingCommit = nil
	r.leaseUntil = 0
	r.leaseForfeited = false
	r.queued = nil
	clear(r.batches)
	r.inflight, r.inflightTicks = nil, 0
}

// ReadIndex requests a linearizable read (thesis §6.4), always confirmed
// by a heartbeat round, whether or not leases are on. The answer comes as
// a ReadState carrying ctx in a later Ready; the read may be served once
// the state machine has applied ReadState.Index. A follower forwards the
// request to the leader (ErrNoLeader if it knows none). A request is
// dropped without an answer if leadership changes first; callers retry
// after a timeout.
func (c *Core) ReadIndex(ctx []byte) error { return c.readIndex(ctx, false) }

// ReadIndexLease requests a lease read (thesis §6.4.1): like ReadIndex,
// but with Config.LeaseRead the leader answers at once while it holds a
// valid lease (a follower's request then costs one round trip to the
// leader and no heartbeat round). Without a valid lease it is a ReadIndex.
func (c *Core) ReadIndexLease(ctx []byte) error { return c.readIndex(ctx, true) }

func (c *Core) readIndex(ctx []byte, lease bool) error {
	if c.log.err != nil {
		return c.log.err
	}
	if c.role == RoleLeader {
		c.leaderRead(readRequest{ctx: ctx, from: c.id, lease: lease})
		return nil
	}
	if c.lead == None {
		return ErrNoLeader
	}
	c.reads.queued = append(c.reads.queued, readRequest{ctx: ctx, lease: lease})
	return nil
}

// leaderRead serves or queues a read at the leader.
func (c *Core) leaderRead(req readRequest) {
	if !c.committedInTerm() {
		// Thesis §6.4 step 1: until it commits an entry of its term, a
		// new leader does not know the commit index; the read waits.
		c.reads.awaitingCommit = appendBounded(c.reads.awaitingCommit, req)
		return
	}
	req.index = c.log.committed
	if c.cfg.IsVoter(c.id) && len(c.voterIDs) == 1 {
		c.answerRead(req)
		return
	}
	if req.lease && c.LeaseValid() {
		// Thesis §6.4.1: within its lease the leader needs no round.
		c.answerRead(req)
		return
	}
	// Thesis §6.4 steps 2-3: confirm leadership with a heartbeat round
	// started after the request; reads arriving before it starts share
	// it.
	req.round = c.reads.round + 1
	c.reads.pending = appendBounded(c.reads.pending, req)
	c.requestRound()
}

// requestRound asks for a heartbeat round at the next Ready for the
// pending reads, unless a round is in flight (sent, not yet confirmed by
// a quorum): reads that arrive during a round wait for the next one,
// which advanceReads asks for once the round in flight is confirmed (or
// the next heartbeat tick starts). So one round serves every read that
// arrived while the previous one was out, and the leader heartbeats its
// followers once per round, not once per read.
func (c *Core) requestRound() {
	if c.reads.confirmed >= c.reads.round {
		c.reads.wantRound = true
	}
}

func appendBounded(reqs []readRequest, req readRequest) []readRequest {
	if len(reqs) >= maxPendingReads {
		reqs = append(reqs[:0], reqs[len(reqs)-maxPendingReads+1:]...)
	}
	return append(reqs, req)
}

func (c *Core) answerRead(req readRequest) {
	if req.from == c.id {
		c.reads.out = append(c.reads.out, ReadState{Index: req.index, RequestCtx: req.ctx})
		return
	}
	commit := req.index
	if pr := c.prs[req.from]; pr != nil {
		commit = min(pr.match, req.index)
	}
	c.send(Message{Type: MsgReadIndexResp, To: req.from, Index: req.index, Commit: commit, Context: req.ctx})
}

func (c *Core) releaseReadsAwaitingCommit() {
	waiting := c.reads.awaitingCommit
	c.reads.awaitingCommit = nil
	for _, req := range waiting {
		c.leaderRead(req)
	}
}

// advanceReads releases the reads whose round a quorum acknowledged and
// extends the lease from the send time of that round.
func (c *Core) advanceReads() {
	confirmed := c.quorumIndex(func(pr *progress) uint64 { return pr.ackedRound })
	if confirmed <= c.reads.confirmed {
		return
	}
	c.reads.confirmed = confirmed
	if sent, ok := c.reads.roundSent[confirmed]; ok {
		c.reads.leaseUntil = max(c.reads.leaseUntil, sent+LeaseDuration(c.electionTimeoutDuration()))
	}
	for r := range c.reads.roundSent {
		if r <= confirmed {
			delete(c.reads.roundSent, r)
		}
	}
	n := 0
	for n < len(c.reads.pending) && c.reads.pending[n].round <= confirmed {
		c.answerRead(c.reads.pending[n])
		n++
	}
	c.reads.pending = c.reads.pending[n:]
	if len(c.reads.pending) > 0 {
		c.requestRound()
	}
}

// LeaseValid reports whether this node is a leader holding a lease: a
// quorum acknowledged a heartbeat sent less than LeaseDuration ago on the
// monotonic clock (a stalled driver's missed ticks do not count), so
// no other leader can have been elected since (thesis §6.4.1). Always
// false without Config.LeaseRead, during a leadership transfer, and for
// the rest of the term once MsgTimeoutNow was sent (voters grant the
// target's forced campaign even inside the lease).
func (c *Core) LeaseValid() bool {
	return c.leaseRead && c.role == RoleLeader && c.leadTransferee == None && !c.reads.leaseForfeited &&
		c.committedInTerm() && c.now() < c.reads.leaseUntil
}
