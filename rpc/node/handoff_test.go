package node_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
)

// Stopping the leader (what SIGTERM does) hands leadership to another
// voter first, so the cluster has a leader again at once instead of after
// an election timeout (here 3 s) — and in the next term only: nobody had
// to time out and campaign.
func TestStoppingTheLeaderHandsLeadershipOver(t *testing.T) {
	const electionTicks = 300 // 3 s at 10 ms ticks
	addrs := make([]string, 3)
	nodes := make([]*node.Node, 3)
	lis := make([]net.Listener, 3)
	for i := range nodes {
		l := listenLoopback(t)
		lis[i], addrs[i] = l, l.Addr().String()
	}
	peers := peerList(addrs)
	for i := range nodes {
		n, err := node.Start(context.Background(), node.Config{
			ID: peers[i].ID, Peers: peers, DataDir: filepath.Join(t.TempDir(), fmt.Sprint(i+1)),
			TickInterval: 10 * time.Millisecond, ElectionTicks: electionTicks,
			Listener: lis[i],
		})
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = n
		defer n.Stop()
	}
	leader := waitInProcessLeader(t, nodes, 30*time.Second)
	term := nodes[leader].Raft().Term()
	others := []*node.Node{}
	for i, n := range nodes {
		if i != leader {
			others = append(others, n)
		}
	}
	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- nodes[leader].Stop() }()
	defer func() {
		if err := <-stopped; err != nil {
			t.Error(err)
		}
	}()
	// Well under the election timeout: only a handoff elects that fast.
	deadline := start.Add(1500 * time.Millisecond)
	for {
		for _, n := range others {
			if n.Raft().IsLeader() {
				if got := n.Raft().Term(); got != term+1 {
					t.Fatalf("new leader %d is in term %d, want %d (one transfer, no election)", n.Raft().ID(), got, term+1)
				}
				t.Logf("node %d leads %v after Stop began", n.Raft().ID(), time.Since(start).Round(time.Millisecond))
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new leader within %v of stopping leader %d (election timeout 3s)", time.Since(start), nodes[leader].Raft().ID())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitInProcessLeader returns the index of the node that leads once every
// node knows the same leader.
func waitInProcessLeader(t *testing.T, nodes []*node.Node, timeout time.Duration) int {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		lead := nodes[0].Raft().Leader()
		agreed := lead != raft.None
		for _, n := range nodes[1:] {
			agreed = agreed && n.Raft().Leader() == lead
		}
		if agreed {
			for i, n := range nodes {
				if n.Raft().ID() == lead {
					return i
				}
			}
		}
	}
	t.Fatalf("no leader all nodes agree on within %v", timeout)
	return -1
}
