package raft

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// gatedMachine is a logMachine whose Apply of an entry with data "slow"
// blocks until gate is closed (or a minute passes), like a heavy SQL
// entry.
type gatedMachine struct {
	*logMachine
	gate chan struct{}
}

func (m gatedMachine) Apply(ents []Entry) ([]any, error) {
	for _, e := range ents {
		if string(e.Data) == "slow" {
			select {
			case <-m.gate:
			case <-time.After(time.Minute):
			}
		}
	}
	return m.logMachine.Apply(ents)
}

// gatedCluster starts a 3-node cluster whose state machines block on the
// entry "slow" until release is called.
func gatedCluster(t *testing.T, tweak func(*NodeConfig)) (c *memCluster, release func()) {
	gate := make(chan struct{})
	var once sync.Once
	c = newMemCluster(t, 3, func(cfg *NodeConfig) {
		cfg.StateMachine = gatedMachine{logMachine: cfg.StateMachine.(*logMachine), gate: gate}
		if tweak != nil {
			tweak(cfg)
		}
	})
	return c, func() { once.Do(func() { close(gate) }) }
}

// stopAll stops every started node.
func (c *memCluster) stopAll() {
	for id := range c.started {
		c.stop(id)
	}
}

// waitCommitted waits until the leader's commit index reaches index.
func waitCommitted(t *testing.T, n *Node, index uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := n.Status(ctx)
		cancel()
		if err == nil && st.Commit >= index {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("entry %d not committed within 10s (status err %v, commit %d)", index, err, st.Commit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// While every node takes long to apply an entry, the nodes keep
// answering Status and the leader keeps its term: apply runs off the Raft
// goroutine, so heartbeats keep flowing. The entry then applies, once,
// everywhere.
func TestNodeSlowApplyKeepsLeader(t *testing.T) {
	defer goleak.VerifyNone(t)
	c, release := gatedCluster(t, nil)
	defer c.stopAll()
	defer release()
	lead := c.leader()
	term := lead.Term()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := lead.Propose(ctx, []byte("slow"))
	if err != nil {
		t.Fatal(err)
	}
	waitCommitted(t, lead, f.Index())
	// Watch for 20 election timeouts (of 16-32 ticks of 10ms).
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for end := time.Now().Add(3200 * time.Millisecond); time.Now().Before(end); <-tick.C {
		for id, n := range c.started {
			sctx, scancel := context.WithTimeout(ctx, 500*time.Millisecond)
			st, err := n.Status(sctx)
			scancel()
			if err != nil {
				t.Fatalf("node %d: Status during a slow apply: %v", id, err)
			}
			if st.Term != term || st.Lead != lead.ID() {
				t.Fatalf("node %d: term %d leader %d during a slow apply, want term %d leader %d", id, st.Term, st.Lead, term, lead.ID())
			}
			if st.Applied >= f.Index() {
				t.Fatalf("node %d applied %d before the slow entry %d was let through", id, st.Applied, f.Index())
			}
		}
	}
	release()
	if _, err := f.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	c.proposeAll([]string{"after"})
	c.waitConverged([]string{"slow", "after"})
}

// While apply is stuck, the backlog handed to it stays near its bound,
// Status shows it and that hand-out is paused, the leader keeps leading
// and commits on; once apply resumes every entry applies in order.
func TestNodeApplyBacklogIsBounded(t *testing.T) {
	defer goleak.VerifyNone(t)
	const bound = 4
	c, release := gatedCluster(t, func(cfg *NodeConfig) { cfg.MaxApplyBacklogEntries = bound })
	defer c.stopAll()
	defer release()
	lead := c.leader()
	term := lead.Term()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := lead.Propose(ctx, []byte("slow"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"slow"}
	last := f
	for _, d := range seq("x", 30) {
		if last, err = lead.Propose(ctx, []byte(d)); err != nil {
			t.Fatal(err)
		}
		waitCommitted(t, lead, last.Index())
		want = append(want, d)
	}
	for id, n := range c.started {
		st := waitPaused(t, n)
		t.Logf("node %d: commit %d applied %d backlog %+v", id, st.Commit, st.Applied, st.ApplyBacklog)
		if st.Term != term {
			t.Fatalf("node %d: term %d, want %d", id, st.Term, term)
		}
		// A Ready hands out no more than the room left (LimitApply),
		// however many entries one Ready commits.
		if st.ApplyBacklog.Entries > bound {
			t.Fatalf("node %d: backlog %+v, want about %d entries", id, st.ApplyBacklog, bound)
		}
	}
	if st, _ := lead.Status(ctx); st.Commit < last.Index() || st.Applied >= f.Index() {
		t.Fatalf("leader commit %d applied %d, want commit >= %d, applied < %d", st.Commit, st.Applied, last.Index(), f.Index())
	}
	release()
	if _, err := last.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	c.waitConverged(want)
	for id, n := range c.started {
		st, err := n.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.ApplyBacklog.Paused {
			t.Fatalf("node %d: backlog %+v still paused once applied", id, st.ApplyBacklog)
		}
	}
}

// waitPaused waits until n reports its apply hand-out paused (a follower
// learns the last commit index a heartbeat later).
func waitPaused(t *testing.T, n *Node) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := n.Status(ctx)
		cancel()
		if err == nil && st.ApplyBacklog.Paused {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d: apply not paused within 10s (status err %v, backlog %+v)", n.ID(), err, st.ApplyBacklog)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
