package raft

import "encoding/binary"

// maxReadBatches bounds the batches a follower waits on; beyond it the
// oldest are forgotten (their callers time out and retry).
const maxReadBatches = 1 << 10

// readBatchTag starts the context of a batch: 3 bytes and a sequence
// number, 11 bytes in all, which no read of raft.Node (16 bytes) carries.
const readBatchTag = "\x00rb"

// readRequestTimeoutTicks is how long a follower waits for the answer to
// its read request before it sends the reads queued since anyway: the
// leader may have dropped the request (a message lost, a leadership
// change the follower has not heard of yet).
func (c *Core) readRequestTimeoutTicks() int { return max(2*c.heartbeatTimeout, 1) }

// sendQueuedReads sends the reads a follower took in since its last
// request to the leader as one MsgReadIndex, once the leader answered
// that request (or it timed out, tickReadRequest): one request in flight
// at a time, so the reads that arrive while it is out share the next. The
// request leaves after every one of them arrived, so the read index the
// leader returns for it serves them all (thesis §6.4); it is a lease read
// only if all of them are. A single read travels with its own context.
func (c *Core) sendQueuedReads() {
	if c.reads.inflight != nil && c.lead != None && c.role != RoleLeader {
		return
	}
	q := c.reads.queued
	c.reads.queued = nil
	if len(q) == 0 || c.lead == None || c.role == RoleLeader {
		return
	}
	c.reads.inflightTicks = 0
	if len(q) == 1 {
		c.reads.inflight = q[0].ctx
		c.send(Message{Type: MsgReadIndex, To: c.lead, Context: q[0].ctx, Lease: q[0].lease})
		return
	}
	ctxs := make([][]byte, len(q))
	lease := true
	for i, r := range q {
		ctxs[i], lease = r.ctx, lease && r.lease
	}
	if len(c.reads.batches) >= maxReadBatches {
		clear(c.reads.batches)
	}
	c.reads.batchSeq++
	key := binary.BigEndian.AppendUint64([]byte(readBatchTag), c.reads.batchSeq)
	c.reads.batches[string(key)] = ctxs
	c.reads.inflight = key
	c.send(Message{Type: MsgReadIndex, To: c.lead, Context: key, Lease: lease})
}

// readsWaiting reports whether a follower has queued reads that the next
// Ready would send.
func (c *Core) readsWaiting() bool {
	return len(c.reads.queued) > 0 && (c.reads.inflight == nil || c.lead == None || c.role == RoleLeader)
}

// tickReadRequest ages the follower's read request in flight; after
// readRequestTimeoutTicks the queued reads no longer wait for its answer.
func (c *Core) tickReadRequest() {
	if c.reads.inflight == nil {
		return
	}
	c.reads.inflightTicks++
	if c.reads.inflightTicks >= c.readRequestTimeoutTicks() {
		c.reads.inflight, c.reads.inflightTicks = nil, 0
	}
}

// readAnswered hands out the leader's answer to a read request: to each
// read of a batch, or to the one read it was.
func (c *Core) readAnswered(m Message) {
	if c.reads.inflight != nil && string(m.Context) == string(c.reads.inflight) {
		c.reads.inflight, c.reads.inflightTicks = nil, 0
	}
	ctxs, ok := c.reads.batches[string(m.Context)]
	if !ok {
		c.reads.out = append(c.reads.out, ReadState{Index: m.Index, RequestCtx: m.Context})
		return
	}
	delete(c.reads.batches, string(m.Context))
	for _, ctx := range ctxs {
		c.reads.out = append(c.reads.out, ReadState{Index: m.Index, RequestCtx: ctx})
	}
}
