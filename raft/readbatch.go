package raft

import "encoding/binary"

// maxReadBatches bounds the batches a follower waits on; beyond it the
// oldest are forgotten (their callers time out and retry).
const maxReadBatches = 1 << 10

// readBatchTag starts the context of a batch: 3 bytes and a sequence
// number, 11 bytes in all, which no read of raft.Node (16 bytes) carries.
const readBatchTag = "\x00rb"

// sendQueuedReads sends the reads a follower took in since the last Ready
// to the leader as one MsgReadIndex. The request leaves after every one of
// them arrived, so the read index the leader returns for it serves them
// all (thesis §6.4); it is a lease read only if all of them are. A single
// read travels with its own context.
func (c *Core) sendQueuedReads() {
	q := c.reads.queued
	c.reads.queued = nil
	if len(q) == 0 || c.lead == None || c.role == RoleLeader {
		return
	}
	if len(q) == 1 {
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
	c.send(Message{Type: MsgReadIndex, To: c.lead, Context: key, Lease: lease})
}

// readAnswered hands out the leader's answer to a read request: to each
// read of a batch, or to the one read it was.
func (c *Core) readAnswered(m Message) {
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
