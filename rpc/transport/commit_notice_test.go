package transport_test

import (
	"context"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/rpctest"
)

// commitlessHeartbeats strips the commit index from the heartbeats a node
// sends, so that a follower can learn of a commit only from the leader's
// MsgApp (heartbeats still keep the leader in office).
type commitlessHeartbeats struct{ raft.Transport }

func (t commitlessHeartbeats) Send(msgs []raft.Message) {
	for i := range msgs {
		if msgs[i].Type == raft.MsgHeartbeat {
			msgs[i].Commit = 0
		}
	}
	t.Transport.Send(msgs)
}

// A write followed by a read of it at a follower (read-your-writes) does
// not wait for a heartbeat: the leader tells the followers of each commit
// index advance at once. With the heartbeats' commit index stripped, a
// follower would otherwise learn that a write committed only with the
// next write, and never for the last one.
func TestFollowerLearnsCommitWithoutHeartbeat(t *testing.T) {
	c := rpctest.NewCluster(t, rpctest.Options{Size: 3, Tweak: func(cfg *raft.NodeConfig) {
		cfg.Transport = commitlessHeartbeats{cfg.Transport}
	}})
	leader := c.Leader(20 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := range 20 {
		res, err := c.Propose(ctx, []byte{byte(i)})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		for _, s := range c.Running() {
			if s.ID == leader.ID {
				continue
			}
			wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
			err := s.Node.WaitApplied(wctx, res.Index)
			wcancel()
			if err != nil {
				t.Fatalf("write %d at index %d: follower %d: %v", i, res.Index, s.ID, err)
			}
		}
	}
}
