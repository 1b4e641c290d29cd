package raft

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestNodeReadRetriedAtOnceWhenTheLeaderChanges: a follower's read
// request lost with its leader's leadership (here: dropped on the way,
// then the leader hands over, as a stopping node does) is sent again to
// the new leader as soon as the follower learns of it, not after an
// election timeout of waiting for an answer that cannot come.
func TestNodeReadRetriedAtOnceWhenTheLeaderChanges(t *testing.T) {
	defer goleak.VerifyNone(t)
	// A long election timeout (3 s), the time a lost read used to wait.
	const electionTicks = 300
	c := newMemCluster(t, 3, func(cfg *NodeConfig) { cfg.ElectionTicks = electionTicks })
	defer func() {
		for id := range c.started {
			c.stop(id)
		}
	}()
	c.proposeAll(seq("a", 5))
	l := c.leader()
	var f, g *Node
	for id, n := range c.started {
		switch {
		case id == l.ID():
		case f == nil:
			f = n
		default:
			g = n
		}
	}
	dropped := make(chan struct{})
	c.net.mu.Lock()
	c.net.drop = func(m Message) bool {
		if m.Type != MsgReadIndex || m.From != f.ID() {
			return false
		}
		c.net.drop = nil // only the first one
		close(dropped)
		return true
	}
	c.net.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		idx uint64
		err error
	}
	done := make(chan result, 1)
	go func() {
		idx, err := f.ReadIndex(ctx)
		done <- result{idx, err}
	}()
	select {
	case <-dropped:
	case <-ctx.Done():
		t.Fatal("the follower sent no read request")
	}
	start := time.Now()
	if err := l.TransferLeadership(ctx, g.ID()); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	r := <-done
	took := time.Since(start)
	if r.err != nil || r.idx < 6 {
		t.Fatalf("follower ReadIndex = %d, %v", r.idx, r.err)
	}
	if retry := electionTicks * 10 * time.Millisecond; took > retry/2 {
		t.Fatalf("the read took %v after the leader handed over; want it sent again to the new leader at once (the retry timeout is %v)", took, retry)
	}
}
