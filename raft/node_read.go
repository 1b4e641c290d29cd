package raft

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// ReadIndex returns an index such that the state machine, once it has
// applied that index, reflects every write acknowledged before the call
// (thesis §6.4); it waits for this node to apply it before returning. The
// leader always confirms its leadership with a heartbeat round, leases or
// not. While no leader is known, or when a request goes unanswered for an
// election timeout (the core drops reads on a leadership change), it asks
// again; ctx bounds the whole wait, and its error names the last reason.
//
// Concurrent calls share read requests: a call joins the batch that has
// not been handed to the core yet, if there is one, and every call of a
// batch gets the index of its one request, made after each of them
// began.
func (n *Node) ReadIndex(ctx context.Context) (uint64, error) {
	return n.readIndex(ctx, false)
}

// ReadIndexLease is ReadIndex answered from the leader's lease (thesis
// §6.4.1) when NodeConfig.LeaseRead is on and the leader holds one: no
// heartbeat round at the leader, one round trip to it from a follower.
// Without a valid lease it is ReadIndex.
func (n *Node) ReadIndexLease(ctx context.Context) (uint64, error) {
	return n.readIndex(ctx, true)
}

func (n *Node) readIndex(ctx context.Context, lease bool) (uint64, error) {
	retry := time.Duration(n.cfg.ElectionTicks) * n.cfg.TickInterval
	lastErr := errors.New("no answer from the leader")
	for {
		index, err := n.readIndexOnce(ctx, retry, lease)
		if err == nil {
			return index, n.WaitApplied(ctx, index)
		}
		if errors.Is(err, ErrStopped) {
			return 0, err
		}
		if !errors.Is(err, errReadTimeout) && !errors.Is(err, errLeaderChanged) {
			lastErr = err
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("raft: read index: %w (last: %v)", ctx.Err(), lastErr)
		}
		if errors.Is(err, ErrNoLeader) {
			select {
			case <-time.After(n.cfg.TickInterval):
			case <-ctx.Done():
			case <-n.done:
			}
		}
	}
}

// errReadTimeout marks a read request that went unanswered (or that the
// call that was to make it could not hand to the core).
var errReadTimeout = errors.New("raft: read request unanswered")

// errLeaderChanged marks a read request outlived by its leader: the
// leader that lost its role dropped it (thesis §6.4 confirms a read at
// one leader), so it is made again, to the new leader.
var errLeaderChanged = errors.New("raft: the leader changed while a read was pending")

// readBatch is one read request to the core, shared by the ReadIndex
// calls that joined it before the node goroutine made it. Its fields
// change under Node.mu; answered is closed once index or err is set.
type readBatch struct {
	id       uint64
	lease    bool
	answered chan struct{}
	index    uint64
	err      error
	// waiters counts the calls waiting for it; timeout resolves it
	// with errReadTimeout if it is not answered in time.
	waiters int
	timeout *time.Timer
}

func leaseSlot(lease bool) int {
	if lease {
		return 1
	}
	return 0
}

// readIndexOnce makes one read request (a lease read if lease), or joins
// the one about to be made, and waits up to wait for its answer.
func (n *Node) readIndexOnce(ctx context.Context, wait time.Duration, lease bool) (uint64, error) {
	b, first, leadChanged := n.joinRead(lease)
	defer n.leaveRead(b)
	if first {
		n.makeRead(ctx, b, wait)
	}
	select {
	case <-b.answered:
		return b.index, b.err
	case <-leadChanged:
		return 0, errLeaderChanged
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-n.done:
		return 0, n.stoppedErr()
	}
}

// joinRead returns the batch a read joins (first: a new one, which the
// caller hands to the core) and the channel closed at the next
// leadership change.
func (n *Node) joinRead(lease bool) (b *readBatch, first bool, leadChanged <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	slot := leaseSlot(lease)
	b = n.joining[slot]
	if b == nil {
		b = &readBatch{id: n.readSeq.Add(1), lease: lease, answered: make(chan struct{})}
		n.joining[slot] = b
		n.reads[b.id] = b
		first = true
	}
	b.waiters++
	return b, first, n.leadCh
}

// makeRead hands b to the core on the node goroutine, which closes it to
// new calls first: the request is made after every call in it began. If
// it cannot be handed over, the calls in it try again.
func (n *Node) makeRead(ctx context.Context, b *readBatch, wait time.Duration) {
	n.counters.readIndexRounds.Add(1)
	read := n.core.ReadIndex
	if b.lease {
		read = n.core.ReadIndexLease
	}
	n.mu.Lock()
	b.timeout = time.AfterFunc(wait, func() { n.resolveRead(b, 0, errReadTimeout) })
	n.mu.Unlock()
	derr := n.do(ctx, func() {
		n.closeBatch(b)
		if err := read(n.readContext(b.id)); err != nil {
			n.resolveRead(b, 0, err)
		}
	})
	if derr != nil {
		n.closeBatch(b)
		n.resolveRead(b, 0, errReadTimeout)
	}
}

// closeBatch makes later calls start a new batch instead of joining b.
func (n *Node) closeBatch(b *readBatch) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if slot := leaseSlot(b.lease); n.joining[slot] == b {
		n.joining[slot] = nil
	}
}

// resolveRead answers b's calls with index or err (the first answer
// counts).
func (n *Node) resolveRead(b *readBatch, index uint64, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.resolveReadLocked(b, index, err)
}

func (n *Node) resolveReadLocked(b *readBatch, index uint64, err error) {
	select {
	case <-b.answered:
		return
	default:
	}
	b.index, b.err = index, err
	close(b.answered)
	if b.timeout != nil {
		b.timeout.Stop()
	}
	delete(n.reads, b.id)
	if slot := leaseSlot(b.lease); n.joining[slot] == b {
		n.joining[slot] = nil
	}
}

// leaveRead forgets b once no call waits for it.
func (n *Node) leaveRead(b *readBatch) {
	n.mu.Lock()
	defer n.mu.Unlock()
	b.waiters--
	if b.waiters > 0 {
		return
	}
	if b.timeout != nil {
		b.timeout.Stop()
	}
	delete(n.reads, b.id)
	if slot := leaseSlot(b.lease); n.joining[slot] == b {
		n.joining[slot] = nil
	}
}

// readContext is the request context of this run's read number id.
func (n *Node) readContext(id uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, n.readNonce), id)
}

// answerReads hands read states to the ReadIndex calls waiting for them.
func (n *Node) answerReads(rss []ReadState) {
	if len(rss) == 0 {
		return
	}
	if n.readHook != nil {
		for _, rs := range rss {
			if len(rs.RequestCtx) == 16 && binary.BigEndian.Uint64(rs.RequestCtx) == n.readNonce {
				n.readHook(rs)
			}
		}
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, rs := range rss {
		if len(rs.RequestCtx) != 16 || binary.BigEndian.Uint64(rs.RequestCtx) != n.readNonce {
			continue // not a read of this run of the process
		}
		if b, ok := n.reads[binary.BigEndian.Uint64(rs.RequestCtx[8:])]; ok {
			n.resolveReadLocked(b, rs.Index, nil)
		}
	}
}
