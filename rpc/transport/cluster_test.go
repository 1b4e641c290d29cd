package transport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/rpctest"
)

func payloads(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

// pipeline proposes every datum at the leader without waiting for the
// earlier ones, then waits for them all; they apply in proposal order.
func pipeline(t *testing.T, c *rpctest.Cluster, data []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	leader := c.Leader(20 * time.Second)
	futures := make([]*raft.Future, len(data))
	for i, d := range data {
		f, err := leader.Node.Propose(ctx, []byte(d))
		if err != nil {
			t.Fatalf("propose %d at leader %d: %v", i, leader.ID, err)
		}
		futures[i] = f
	}
	var last uint64
	for i, f := range futures {
		res, err := f.Wait(ctx)
		if err != nil {
			t.Fatalf("proposal %d: %v", i, err)
		}
		if res.Index != f.Index() || res.Index <= last {
			t.Fatalf("proposal %d resolved at index %d (future index %d, previous %d)", i, res.Index, f.Index(), last)
		}
		last = res.Index
	}
}

// sequential proposes data one at a time through the cluster's leader,
// whichever it is.
func sequential(t *testing.T, c *rpctest.Cluster, data []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i, d := range data {
		if _, err := c.Propose(ctx, []byte(d)); err != nil {
			t.Fatalf("proposal %d: %v", i, err)
		}
	}
}

func TestClusterReplicatesFailsOverAndCatchesUp(t *testing.T) {
	c := rpctest.NewCluster(t, rpctest.Options{Size: 3})
	first := c.Leader(20 * time.Second)
	term := first.Node.Term()
	want := payloads("a", 1000)
	pipeline(t, c, want)
	c.WaitConverged(30*time.Second, want)
	// The default timings hold leadership steady under load (and -race).
	if l := c.Leader(10 * time.Second); l.ID != first.ID || l.Node.Term() != term {
		t.Fatalf("leadership changed during the run: node %d term %d, then node %d term %d", first.ID, term, l.ID, l.Node.Term())
	}

	old := c.Leader(10 * time.Second)
	c.Stop(old.ID)
	next := c.Leader(20 * time.Second)
	if next.ID == old.ID {
		t.Fatalf("stopped node %d still leads", old.ID)
	}
	more := payloads("b", 100)
	sequential(t, c, more)
	want = append(want, more...)
	c.WaitConverged(30*time.Second, want)

	c.Start(old.ID)
	c.WaitConverged(30*time.Second, want)
	if got := c.Machine(old.ID).Entries(); len(got) != len(want) {
		t.Fatalf("restarted node has %d entries, want %d", len(got), len(want))
	}
}

// storages runs a test with nodes keeping their log in memory and in
// raft/wal on disk.
func storages(t *testing.T, test func(t *testing.T, open func(string) (raft.LogStore, error))) {
	t.Run("storage=memory", func(t *testing.T) { test(t, nil) })
	t.Run("storage=wal", func(t *testing.T) { test(t, rpctest.OpenWAL) })
}

func TestSnapshotInstallationOverGRPC(t *testing.T) {
	storages(t, testSnapshotInstallation)
}

func testSnapshotInstallation(t *testing.T, open func(string) (raft.LogStore, error)) {
	c := rpctest.NewCluster(t, rpctest.Options{Size: 3, OpenStore: open, Tweak: func(cfg *raft.NodeConfig) {
		cfg.SnapshotEntries, cfg.CompactionMargin = 50, 10
	}})
	want := payloads("a", 20)
	sequential(t, c, want)
	leader := c.Leader(10 * time.Second)
	var down raft.NodeID
	for _, s := range c.Running() {
		if s.ID != leader.ID {
			down = s.ID
			break
		}
	}
	c.WaitConverged(30*time.Second, want)
	c.Stop(down)
	more := payloads("b", 300)
	pipeline(t, c, more)
	want = append(want, more...)

	// The nodes compact off their step functions once the entries are
	// applied (a sync on the apply lane, then the log): wait for every
	// running node, the leader and the follower that may lead by the time
	// the stopped one is back.
	applied := c.Machine(down).AppliedIndex()
	for _, s := range c.Running() {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			first, err := s.Store.FirstIndex()
			if err != nil {
				t.Fatal(err)
			}
			if first > applied+1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d's log starts at %d: it still holds what follower %d (applied %d) lacks", s.ID, first, down, applied)
			}
		}
	}
	c.Start(down)
	c.WaitConverged(30*time.Second, want)
	if c.Machine(down).Restores() == 0 {
		t.Fatalf("follower %d caught up without restoring a snapshot", down)
	}
}

// confChange proposes cc at the leader until it is accepted and applied,
// retrying while the leader refuses it for now.
func confChange(t *testing.T, c *rpctest.Cluster, cc raft.ConfChange) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		leader := c.Leader(10 * time.Second)
		f, err := leader.Node.ProposeConfChange(ctx, cc)
		if err == nil {
			if _, err = f.Wait(ctx); err == nil {
				return
			}
		}
		var nle *raft.NotLeaderError
		if !errors.Is(err, raft.ErrConfChangePending) && !errors.Is(err, raft.ErrLearnerNotCaughtUp) && !errors.As(err, &nle) {
			t.Fatalf("%v of node %d: %v", cc.Type, cc.Member.ID, err)
		}
		if ctx.Err() != nil {
			t.Fatalf("%v of node %d not accepted in time: %v", cc.Type, cc.Member.ID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMembershipChangeOverTheNetwork(t *testing.T) {
	storages(t, testMembershipChange)
}

func testMembershipChange(t *testing.T, open func(string) (raft.LogStore, error)) {
	c := rpctest.NewCluster(t, rpctest.Options{Size: 3, OpenStore: open})
	want := payloads("a", 50)
	sequential(t, c, want)

	joiner := c.AddNode(4)
	confChange(t, c, raft.ConfChange{Type: raft.ConfAddLearner, Member: raft.Member{ID: 4, Addr: joiner.Addr}})
	c.WaitConverged(30*time.Second, want)
	confChange(t, c, raft.ConfChange{Type: raft.ConfAddVoter, Member: raft.Member{ID: 4}})

	leader := c.Leader(10 * time.Second)
	var removed raft.NodeID
	for _, s := range c.Running() {
		if s.ID != leader.ID && s.ID != 4 {
			removed = s.ID
			break
		}
	}
	confChange(t, c, raft.ConfChange{Type: raft.ConfRemove, Member: raft.Member{ID: removed}})
	c.Stop(removed)

	more := payloads("b", 50)
	sequential(t, c, more)
	want = append(want, more...)
	c.WaitConverged(30*time.Second, want)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.Leader(10 * time.Second).Node.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Config.IsVoter(4) || len(st.Config.Voters()) != 3 {
		t.Fatalf("configuration after the changes: %+v", st.Config)
	}
	if _, ok := st.Config.Member(removed); ok {
		t.Fatalf("removed node %d still in %+v", removed, st.Config)
	}
	// With node 4 a voter, the cluster survives losing one more voter.
	if l := c.Leader(10 * time.Second); l.ID != 4 {
		c.Stop(l.ID)
		extra := payloads("c", 10)
		sequential(t, c, extra)
		want = append(want, extra...)
		c.WaitConverged(30*time.Second, want)
	}
}

func TestReadIndexAtFollowersAndLeaseReads(t *testing.T) {
	for _, lease := range []bool{false, true} {
		t.Run(fmt.Sprintf("lease=%v", lease), func(t *testing.T) {
			c := rpctest.NewCluster(t, rpctest.Options{Size: 3, Tweak: func(cfg *raft.NodeConfig) { cfg.LeaseRead = lease }})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for i := range 20 {
				res, err := c.Propose(ctx, []byte(fmt.Sprint("w", i)))
				if err != nil {
					t.Fatal(err)
				}
				// Every node, followers included, reads its own
				// write: the read index covers it and is applied
				// locally before ReadIndex returns.
				for _, s := range c.Running() {
					idx, err := s.Node.ReadIndex(ctx)
					if err != nil {
						t.Fatalf("node %d ReadIndex: %v", s.ID, err)
					}
					if idx < res.Index || s.Node.AppliedIndex() < res.Index {
						t.Fatalf("node %d: read index %d, applied %d, write at %d", s.ID, idx, s.Node.AppliedIndex(), res.Index)
					}
					if got := s.Machine.Entries(); got[len(got)-1].Data != fmt.Sprint("w", i) {
						t.Fatalf("node %d reads %q, want its last write", s.ID, got[len(got)-1].Data)
					}
				}
			}
		})
	}
}

func TestLeadershipTransferOverTheNetwork(t *testing.T) {
	c := rpctest.NewCluster(t, rpctest.Options{Size: 3})
	sequential(t, c, payloads("a", 10))
	leader := c.Leader(10 * time.Second)
	var target raft.NodeID
	for _, s := range c.Running() {
		if s.ID != leader.ID {
			target = s.ID
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := leader.Node.TransferLeadership(ctx, target); err != nil {
		t.Fatal(err)
	}
	for c.Leader(10*time.Second).ID != target {
		if ctx.Err() != nil {
			t.Fatalf("leadership did not move to node %d", target)
		}
		time.Sleep(10 * time.Millisecond)
	}
	more := payloads("b", 10)
	sequential(t, c, more)
	c.WaitConverged(30*time.Second, append(payloads("a", 10), more...))
}
