package raft

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// followerOfCluster returns a follower of c that knows the leader and
// has served a read.
func followerOfCluster(t *testing.T, c *memCluster) *Node {
	t.Helper()
	l := c.leader()
	for _, n := range c.started {
		if n == l {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := n.ReadIndex(ctx); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Fatal("no follower")
	return nil
}

// Thesis §6.4: ReadIndex calls that begin before their request is handed
// to the core share it: one request, one index for all of them.
func TestNodeReadsShareOneRequest(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 3, nil)
	c.proposeAll([]string{"a"})
	f := followerOfCluster(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Hold the node goroutine, so that the reads wait to be handed over.
	release, held := make(chan struct{}), make(chan struct{})
	go f.do(ctx, func() { close(held); <-release })
	<-held
	rounds := f.Metrics().ReadIndexRounds
	const readers = 16
	type answer struct {
		index uint64
		err   error
	}
	answers := make(chan answer, readers)
	for range readers {
		go func() {
			idx, err := f.ReadIndex(ctx)
			answers <- answer{idx, err}
		}()
	}
	waitFor(t, ctx, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.joining[0] != nil && f.joining[0].waiters == readers
	})
	close(release)
	var first answer
	for i := range readers {
		a := <-answers
		if a.err != nil {
			t.Fatal(a.err)
		}
		if i == 0 {
			first = a
		} else if a.index != first.index {
			t.Fatalf("reads of one request got indexes %d and %d", first.index, a.index)
		}
	}
	if got := f.Metrics().ReadIndexRounds - rounds; got != 1 {
		t.Fatalf("%d read requests for %d concurrent reads, want 1", got, readers)
	}
	c.stopAll()
}

// A call that begins after its batch was handed to the core (closed)
// starts a new one: the request made before it began does not answer it.
func TestNodeReadAfterHandOverStartsNewRequest(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 1, nil)
	n := c.leader()
	b1, first1, _ := n.joinRead(false)
	b2, first2, _ := n.joinRead(false)
	if !first1 || first2 || b1 != b2 {
		t.Fatalf("second call: batch %p (first %v), want to join %p", b2, first2, b1)
	}
	lease, firstLease, _ := n.joinRead(true)
	if lease == b1 || !firstLease {
		t.Fatal("a lease read joined a linearizable read's batch")
	}
	n.closeBatch(b1)
	b3, first3, _ := n.joinRead(false)
	if b3 == b1 || !first3 {
		t.Fatal("a call after the batch was handed over joined it")
	}
	for _, b := range []*readBatch{b1, b2, lease, b3} {
		n.leaveRead(b)
	}
	n.mu.Lock()
	left := len(n.reads)
	n.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d batches left after every call left", left)
	}
	c.stopAll()
}

// waitFor waits until cond holds, failing the test when ctx ends.
func waitFor(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition not reached in time")
		case <-tick.C:
		}
	}
}
