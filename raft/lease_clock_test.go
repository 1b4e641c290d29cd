package raft

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// stallingStore is a MemoryStorage whose next Save, once armed, blocks
// until released: a stalled fsync, as the node goroutine sees it.
type stallingStore struct {
	*MemoryStorage
	armed    atomic.Bool
	stalled  chan struct{}
	release  chan struct{}
	released sync.Once
}

func (s *stallingStore) Save(hs HardState, ents []Entry) error {
	if s.armed.CompareAndSwap(true, false) {
		close(s.stalled)
		<-s.release
	}
	return s.MemoryStorage.Save(hs, ents)
}

func (s *stallingStore) unblock() { s.released.Do(func() { close(s.release) }) }

// cuttableTransport drops everything its node sends once cut.
type cuttableTransport struct {
	Transport
	cut *atomic.Bool
}

func (t cuttableTransport) Send(msgs []Message) {
	if !t.cut.Load() {
		t.Transport.Send(msgs)
	}
}

// TestNodeStalledLeaderLeaseExpires (issue 11, bug 2; thesis §6.4.1): the
// lease ages in monotonic time, not in ticks. A leader whose goroutine
// stalls (here in an fsync) while it is cut off receives no ticks — a
// time.Ticker drops them — yet the followers elect a new leader and commit.
// When the stall ends, the old leader must not answer a lease read from
// its old lease.
func TestNodeStalledLeaderLeaseExpires(t *testing.T) {
	defer goleak.VerifyNone(t)
	cut := map[NodeID]*atomic.Bool{}
	stores := map[NodeID]*stallingStore{}
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		cfg.LeaseRead = true
		cfg.ElectionTicks = 20 // 200 ms
		if cut[cfg.ID] == nil {
			cut[cfg.ID] = &atomic.Bool{}
			stores[cfg.ID] = &stallingStore{MemoryStorage: cfg.Storage.(*MemoryStorage),
				stalled: make(chan struct{}), release: make(chan struct{})}
		}
		cfg.Transport = cuttableTransport{cfg.Transport, cut[cfg.ID]}
		cfg.Storage = stores[cfg.ID]
	})
	t.Cleanup(func() {
		for _, s := range stores {
			s.unblock()
		}
	})
	c.proposeAll(seq("a", 3))
	old := c.leader()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := old.ReadIndexLease(ctx); err != nil {
		t.Fatalf("healthy leader's lease read: %v", err)
	}

	// Stall the leader in its next fsync and cut it off both ways.
	store := stores[old.ID()]
	store.armed.Store(true)
	cut[old.ID()].Store(true)
	c.net.mu.Lock()
	delete(c.net.nodes, old.ID())
	c.net.mu.Unlock()
	if _, err := old.Propose(ctx, []byte("stall")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-store.stalled:
	case <-ctx.Done():
		t.Fatal("the leader never reached its stalled fsync")
	}

	// The others elect a leader and commit a write the old one never saw.
	var committed uint64
	for committed == 0 {
		if ctx.Err() != nil {
			t.Fatal("no new leader committed a write")
		}
		for id, n := range c.started {
			if id == old.ID() || !n.IsLeader() {
				continue
			}
			wctx, wcancel := context.WithTimeout(ctx, time.Second)
			if f, err := n.Propose(wctx, []byte("new")); err == nil {
				if res, err := f.Wait(wctx); err == nil {
					committed = res.Index
				}
			}
			wcancel()
		}
		time.Sleep(10 * time.Millisecond)
	}

	store.unblock()
	rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	idx, err := old.ReadIndexLease(rctx)
	rcancel()
	if err == nil && idx < committed {
		t.Fatalf("stalled old leader answered a lease read at index %d, but index %d was committed by its successor meanwhile", idx, committed)
	}
	for id := range c.started {
		c.stop(id)
	}
}

// TestLeaseVoterRefusesVoteAfterHigherTermReply (issue 11, bug 1; thesis
// §4.2.3, §6.4.1): a follower whose acknowledgment backs the leader's lease
// grants no vote while it heard from that leader within the election
// timeout, even after a late higher-term message that is not a vote (a
// stale rejection) moved it to the new term and cleared its leader.
func TestLeaseVoterRefusesVoteAfterHigherTermReply(t *testing.T) {
	for _, late := range []MessageType{MsgAppResp, MsgPreVoteResp, MsgHeartbeatResp} {
		t.Run(late.String(), func(t *testing.T) {
			opt := func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true; cfg.PreVote = true }
			nw := newTestNetwork(t, 3, opt)
			nw.elect(1)
			nw.tickAll(1)
			leader, voter := nw.nodes[1].core, nw.nodes[2].core
			if !leader.LeaseValid() {
				t.Fatal("leader holds no lease")
			}
			term := voter.Term()
			mustStep(t, voter, Message{Type: late, From: 3, To: 2, Term: term + 1, Reject: true})
			readMsgs(voter)
			last := voter.log.lastIndex()
			mustStep(t, voter, Message{Type: MsgVote, From: 3, To: 2, Term: term + 1, Index: last, LogTerm: voter.log.lastTerm()})
			for _, m := range filterMsgs(readMsgs(voter), MsgVoteResp) {
				if !m.Reject && leader.LeaseValid() {
					t.Fatalf("voter granted node 3 a vote in term %d while node 1's lease is valid", term+1)
				}
			}
		})
	}
}

// TestNodeIgnoresReadAnswerOfEarlierRun (issue 11): read-request ids
// restart at 1 in each run of the process, so a late MsgReadIndexResp for
// a read of the previous run (same term) must not answer the new read that
// got the same sequence number: it would carry an older index.
func TestNodeIgnoresReadAnswerOfEarlierRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := newMemCluster(t, 1, nil)
	oldCtx := c.leader().readContext(1)
	c.stop(1)
	n := c.start(1)
	b := &readBatch{id: 1, answered: make(chan struct{})}
	n.mu.Lock()
	n.reads[1] = b
	n.mu.Unlock()
	n.answerReads([]ReadState{{Index: 1, RequestCtx: oldCtx}})
	select {
	case <-b.answered:
		t.Fatalf("the previous run's answer (index %d) answered read 1 of this run", b.index)
	default:
	}
	n.answerReads([]ReadState{{Index: 7, RequestCtx: n.readContext(1)}})
	if <-b.answered; b.index != 7 {
		t.Fatalf("this run's answer carried index %d, want 7", b.index)
	}
	c.stop(1)
}
