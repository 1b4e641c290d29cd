package transport_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/rpctest"
)

// proposer proposes numbered entries at the leader until stopped,
// recording those acknowledged (applied at the leader).
type proposer struct {
	c     *rpctest.ProcCluster
	mu    sync.Mutex
	acked []string
	stop  chan struct{}
	done  chan struct{}
}

func startProposer(c *rpctest.ProcCluster, prefix string) *proposer {
	p := &proposer{c: c, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		leader := raft.None
		for i := 0; ; i++ {
			select {
			case <-p.stop:
				return
			default:
			}
			if leader == raft.None {
				for _, id := range c.Running() {
					if s, err := c.Status(id); err == nil && s.IsLeader {
						leader = id
					}
				}
				if leader == raft.None {
					time.Sleep(20 * time.Millisecond)
					continue
				}
			}
			data := fmt.Sprintf("%s-%05d", prefix, i)
			if _, err := c.Propose(leader, []byte(data)); err != nil {
				if !errors.Is(err, rpctest.ErrNotLeader) {
					time.Sleep(20 * time.Millisecond) // outcome unknown: not counted
				}
				leader = raft.None
				continue
			}
			p.mu.Lock()
			p.acked = append(p.acked, data)
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *proposer) ackedSoFar() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.acked)
}

func (p *proposer) finish() []string {
	close(p.stop)
	<-p.done
	return p.ackedSoFar()
}

// waitContainsInOrder waits until node id has applied every acknowledged
// datum, in acknowledgment order, and fails the test otherwise.
func waitContainsInOrder(t *testing.T, c *rpctest.ProcCluster, id raft.NodeID, acked []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		applied, err := c.Entries(id)
		j := 0
		for _, a := range applied {
			if j < len(acked) && a.Data == acked[j] {
				j++
			}
		}
		if err == nil && j == len(acked) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d lacks acknowledged entry %q (%d of %d found in order among %d applied; err %v)", id, acked[min(j, len(acked)-1)], j, len(acked), len(applied), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestChildProcessesSurviveSIGKILLOfTheLeader(t *testing.T) {
	c := rpctest.NewProcCluster(t, 3)
	leader := c.Leader(30 * time.Second)
	p := startProposer(c, "a")
	deadline := time.Now().Add(30 * time.Second)
	for len(p.ackedSoFar()) < 100 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// Kill the leader while proposals are in flight.
	leader = c.Leader(10 * time.Second)
	ackedBeforeKill := p.ackedSoFar()
	c.Kill(leader)
	next := c.Leader(30 * time.Second)
	if next == leader {
		t.Fatalf("killed node %d still leads", leader)
	}
	for n := len(p.ackedSoFar()); len(p.ackedSoFar()) < n+50 && time.Now().Before(deadline.Add(30*time.Second)); {
		time.Sleep(10 * time.Millisecond)
	}
	acked := p.finish()
	if len(acked) < len(ackedBeforeKill)+50 {
		t.Fatalf("only %d proposals acknowledged after the kill", len(acked)-len(ackedBeforeKill))
	}

	survivors := c.Running()
	for _, id := range survivors {
		waitContainsInOrder(t, c, id, acked)
	}
	// Survivors agree on the whole applied sequence.
	want := c.WaitEntries(next, 0, time.Second)
	for _, id := range survivors {
		deadlineConverge := time.Now().Add(30 * time.Second)
		for {
			got, err := c.Entries(id)
			if err == nil && slices.Equal(got, want) {
				break
			}
			if time.Now().After(deadlineConverge) {
				t.Fatalf("node %d applied %d entries, leader %d applied %d", id, len(got), next, len(want))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// The killed node restarts from its data and catches up.
	c.Start(leader)
	deadlineRestart := time.Now().Add(30 * time.Second)
	for {
		got, err := c.Entries(leader)
		if err == nil && slices.Equal(got, want) {
			break
		}
		if time.Now().After(deadlineRestart) {
			t.Fatalf("restarted node %d applied %d entries (err %v), want %d", leader, len(got), err, len(want))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
