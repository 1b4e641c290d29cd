package raft

// Tests for linearizable reads: ReadIndex (thesis §6.4) and leases
// (thesis §6.4.1).

import (
	"slices"
	"testing"
	"time"
)

// leaderWithActiveFollowers returns a leader of a 3-node cluster that has
// committed its no-op, with followers 2 and 3 in sync.
func leaderWithActiveFollowers(t *testing.T, opt func(*Config)) (*Core, *MemoryStorage) {
	t.Helper()
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, opt)
	becomeLeaderNow(t, c, store)
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: c.Term(), Index: 1})
	mustStep(t, c, Message{Type: MsgAppResp, From: 3, Term: c.Term(), Index: 1})
	persistAll(t, c, store)
	if c.Committed() != 1 {
		t.Fatalf("commit %d, want 1", c.Committed())
	}
	return c, store
}

// Thesis §6.4: the leader records its commit index as the read index,
// confirms leadership with a heartbeat round, and answers once a majority
// acknowledged; reads that arrive together share one round.
func TestReadIndexSharedHeartbeatRound(t *testing.T) {
	c, store := leaderWithActiveFollowers(t, nil)
	if err := c.ReadIndex([]byte("r1")); err != nil {
		t.Fatal(err)
	}
	if err := c.ReadIndex([]byte("r2")); err != nil {
		t.Fatal(err)
	}
	rd := c.Ready()
	hb := filterMsgs(rd.Messages, MsgHeartbeat)
	if len(hb) != 2 || len(rd.ReadStates) != 0 {
		t.Fatalf("%d heartbeats, %d read states; want one round and no answer yet", len(hb), len(rd.ReadStates))
	}
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: c.Term(), Context: hb[0].Context})
	rd = c.Ready()
	if len(rd.ReadStates) != 2 || rd.ReadStates[0].Index != 1 || string(rd.ReadStates[1].RequestCtx) != "r2" {
		t.Fatalf("read states %+v, want r1 and r2 at index 1", rd.ReadStates)
	}
	c.Advance(rd)
	_ = store
	// A read requested after a round was sent waits for a later round.
	c.ReadIndex([]byte("r3"))
	rd = c.Ready()
	hb2 := filterMsgs(rd.Messages, MsgHeartbeat)
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 3, Term: c.Term(), Context: hb[0].Context})
	if rd := c.Ready(); len(rd.ReadStates) != 0 {
		t.Fatalf("answered r3 from an older round: %+v", rd.ReadStates)
	}
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 3, Term: c.Term(), Context: hb2[0].Context})
	if rd := c.Ready(); len(rd.ReadStates) != 1 || string(rd.ReadStates[0].RequestCtx) != "r3" {
		t.Fatalf("read states %+v, want r3", rd.ReadStates)
	}
}

// Thesis §6.4: "If the leader has not yet marked an entry from its current
// term committed, it waits until it has done so."
func TestReadIndexWaitsForFirstCommitOfTerm(t *testing.T) {
	store := NewMemoryStorage()
	c := newTestCore(t, 1, ids(3), store, nil)
	becomeLeaderNow(t, c, store)
	c.ReadIndex([]byte("r"))
	if hb := filterMsgs(readMsgs(c), MsgHeartbeat); len(hb) != 0 {
		t.Fatal("started a read round before committing an entry of the term")
	}
	mustStep(t, c, Message{Type: MsgAppResp, From: 2, Term: 1, Index: 1})
	rd := c.Ready()
	hb := filterMsgs(rd.Messages, MsgHeartbeat)
	if len(hb) != 2 {
		t.Fatalf("no round after the first commit: %+v", rd.Messages)
	}
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 3, Term: 1, Context: hb[0].Context})
	if rd := c.Ready(); len(rd.ReadStates) != 1 || rd.ReadStates[0].Index != 1 {
		t.Fatalf("read states %+v, want one at index 1", rd.ReadStates)
	}
}

// Thesis §6.4: a follower asks the leader for a read index and serves
// the read itself once it has applied that index.
func TestFollowerReadIndex(t *testing.T) {
	nw := newTestNetwork(t, 3, nil)
	nw.elect(1)
	nw.propose(1, "a")
	nw.stabilize()
	if err := nw.nodes[2].core.ReadIndex([]byte("f")); err != nil {
		t.Fatal(err)
	}
	nw.stabilize()
	reads := nw.nodes[2].reads
	if len(reads) != 1 || reads[0].Index != 2 || string(reads[0].RequestCtx) != "f" {
		t.Fatalf("follower read states %+v, want one at index 2", reads)
	}
	if nw.nodes[2].core.Committed() < 2 {
		t.Fatalf("follower commit %d: the response should carry the commit index", nw.nodes[2].core.Committed())
	}
	lone := newTestCore(t, 3, ids(3), nil, nil)
	if err := lone.ReadIndex(nil); err != ErrNoLeader {
		t.Fatalf("ReadIndex without a leader: %v, want ErrNoLeader", err)
	}
}

// A deposed leader's pending reads are never answered (its round cannot be
// confirmed in a later term).
func TestReadIndexNotAnsweredAfterDeposition(t *testing.T) {
	c, _ := leaderWithActiveFollowers(t, nil)
	c.ReadIndex([]byte("r"))
	rd := c.Ready()
	hb := filterMsgs(rd.Messages, MsgHeartbeat)
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgApp, From: 2, Term: c.Term() + 1})
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 3, Term: c.Term(), Context: hb[0].Context})
	if rd := c.Ready(); len(rd.ReadStates) != 0 {
		t.Fatalf("deposed leader answered %+v", rd.ReadStates)
	}
}

// Thesis §6.4.1: with leases, a leader answers reads without a round for
// less than an election timeout after a heartbeat round a quorum
// acknowledged, measured from when the round was sent.
func TestLeaseRead(t *testing.T) {
	opt := func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true; cfg.ElectionTick = 20 }
	c, _ := leaderWithActiveFollowers(t, opt)
	if c.LeaseValid() {
		t.Fatal("lease valid before any acknowledged round")
	}
	c.Tick() // heartbeat round sent at tick 1
	hb := filterMsgs(readMsgs(c), MsgHeartbeat)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: c.Term(), Context: hb[0].Context})
	if !c.LeaseValid() {
		t.Fatal("no lease after a quorum acknowledged a round")
	}
	c.ReadIndexLease([]byte("lease"))
	rd := c.Ready()
	if len(rd.ReadStates) != 1 || len(filterMsgs(rd.Messages, MsgHeartbeat)) != 0 {
		t.Fatalf("lease read: %d read states, messages %+v", len(rd.ReadStates), rd.Messages)
	}
	c.Advance(rd)
	// Thesis §6.4: a ReadIndex read still confirms leadership with a
	// round, lease or not.
	c.ReadIndex([]byte("linearizable"))
	rd = c.Ready()
	if len(rd.ReadStates) != 0 || len(filterMsgs(rd.Messages, MsgHeartbeat)) != 2 {
		t.Fatalf("ReadIndex with a lease: %d read states, messages %+v; want a heartbeat round", len(rd.ReadStates), rd.Messages)
	}
	c.Advance(rd)
	// The lease lasts LeaseDuration(20 ticks) = 16.36 ticks from the
	// round's send time (tick 1): valid through tick 17.
	for c.ticks < 17 {
		c.Tick()
		readMsgs(c)
	}
	if !c.LeaseValid() {
		t.Fatal("lease expired early")
	}
	c.Tick()
	if c.LeaseValid() {
		t.Fatalf("lease still valid at tick %d", c.ticks)
	}
	if d := LeaseDuration(800 * time.Millisecond); d < 654*time.Millisecond || d > 655*time.Millisecond {
		t.Fatalf("lease for an 800ms election timeout: %v, want 654.5ms", d)
	}
}

// Thesis §6.4.1: the lease is shorter than the time a voter that
// acknowledged the round refuses votes, so no new leader can be elected
// while the old one serves lease reads.
func TestLeaseShorterThanVoterLease(t *testing.T) {
	opt := func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true; cfg.PreVote = true }
	nw := newTestNetwork(t, 3, opt)
	nw.elect(1)
	nw.tickAll(1)
	old := nw.nodes[1].core
	nw.isolate(1)
	for range 200 {
		for _, id := range nw.ids {
			nw.nodes[id].core.Tick()
		}
		nw.stabilize()
		for _, id := range []NodeID{2, 3} {
			if nw.nodes[id].core.Role() == RoleLeader && old.LeaseValid() {
				t.Fatalf("node %d elected while the old leader's lease is valid", id)
			}
		}
	}
	if nw.nodes[2].core.Role() != RoleLeader && nw.nodes[3].core.Role() != RoleLeader {
		t.Fatal("no new leader")
	}
}

// Thesis §6.4.1: with leases, a voter that restarts grants no vote for an
// election timeout, so a lease it helped grant before crashing holds.
func TestLeaseRestartedVoterWaits(t *testing.T) {
	opt := func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true }
	store := storeWith(t, HardState{Term: 1}, 1)
	c := newTestCore(t, 2, ids(3), store, opt)
	mustStep(t, c, Message{Type: MsgVote, From: 3, Term: 2, Index: 1, LogTerm: 1})
	for _, m := range filterMsgs(readMsgs(c), MsgVoteResp) {
		if !m.Reject {
			t.Fatalf("restarted voter granted %+v, want no vote", m)
		}
	}
	for range c.electionTimeout {
		c.Tick()
	}
	readMsgs(c)
	mustStep(t, c, Message{Type: MsgVote, From: 3, Term: 3, Index: 1, LogTerm: 1})
	resp := filterMsgs(readMsgs(c), MsgVoteResp)
	if len(resp) != 1 || resp[0].Reject {
		t.Fatalf("voter after an election timeout answered %+v, want a grant", resp)
	}
}

// Lease reads stop during a leadership transfer (thesis §3.10).
func TestNoLeaseDuringTransfer(t *testing.T) {
	c, _ := leaderWithActiveFollowers(t, func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true })
	c.Tick()
	hb := filterMsgs(readMsgs(c), MsgHeartbeat)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: c.Term(), Context: hb[0].Context})
	if !c.LeaseValid() {
		t.Fatal("no lease")
	}
	if err := c.TransferLeader(2); err != nil {
		t.Fatal(err)
	}
	if c.LeaseValid() {
		t.Fatal("lease valid during a transfer")
	}
}

// A leader that sent MsgTimeoutNow serves no lease read for the rest of
// its term, even after the transfer is aborted: the target's forced
// campaign may still win votes from voters inside the lease.
func TestLeaseForfeitedAfterTimeoutNow(t *testing.T) {
	c, _ := leaderWithActiveFollowers(t, func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true })
	if err := c.TransferLeader(2); err != nil {
		t.Fatal(err)
	}
	if len(filterMsgs(readMsgs(c), MsgTimeoutNow)) != 1 {
		t.Fatal("no MsgTimeoutNow to an up-to-date target")
	}
	for range c.electionTimeout {
		c.Tick()
		for _, m := range filterMsgs(readMsgs(c), MsgHeartbeat) {
			mustStep(t, c, Message{Type: MsgHeartbeatResp, From: m.To, Term: c.Term(), Context: m.Context})
		}
	}
	if c.leadTransferee != None || c.Role() != RoleLeader {
		t.Fatalf("transfer not aborted: transferee %d role %v", c.leadTransferee, c.Role())
	}
	if c.LeaseValid() {
		t.Fatal("lease valid after MsgTimeoutNow was sent in this term")
	}
}

// Thesis §6.4.1 for a follower: its lease read travels to the leader
// marked as such (MsgReadIndex.Lease) and is answered from the lease, with
// no heartbeat round; its ReadIndex read gets a round.
func TestFollowerLeaseRead(t *testing.T) {
	nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true })
	nw.elect(1)
	nw.tickAll(1)
	if !nw.nodes[1].core.LeaseValid() {
		t.Fatal("leader holds no lease")
	}
	nw.sent = nil
	if err := nw.nodes[2].core.ReadIndexLease([]byte("l")); err != nil {
		t.Fatal(err)
	}
	nw.stabilize()
	if len(nw.nodes[2].reads) != 1 || string(nw.nodes[2].reads[0].RequestCtx) != "l" {
		t.Fatalf("follower read states %+v", nw.nodes[2].reads)
	}
	for _, m := range nw.sent {
		if m.Type == MsgHeartbeat {
			t.Fatal("a lease read started a heartbeat round")
		}
		if m.Type == MsgReadIndex && !m.Lease {
			t.Fatal("MsgReadIndex of a lease read not marked Lease")
		}
	}
	nw.sent = nil
	nw.nodes[2].core.ReadIndex([]byte("r"))
	nw.stabilize()
	if len(nw.nodes[2].reads) != 2 || len(filterMsgs(nw.sent, MsgHeartbeat)) == 0 {
		t.Fatalf("ReadIndex at a follower: reads %+v, heartbeats %d; want a round", nw.nodes[2].reads, len(filterMsgs(nw.sent, MsgHeartbeat)))
	}
}

// Thesis §6.4: reads a follower takes in before its next Ready travel to
// the leader as one MsgReadIndex (made after each of them arrived, so its
// read index serves them all), and each gets its ReadState. A batch is a
// lease read only if all its reads are.
func TestFollowerBatchesReadIndex(t *testing.T) {
	for _, allLease := range []bool{false, true} {
		nw := newTestNetwork(t, 3, func(cfg *Config) { cfg.CheckQuorum = true; cfg.LeaseRead = true })
		nw.elect(1)
		nw.propose(1, "a")
		nw.stabilize()
		nw.tickAll(1)
		nw.sent = nil
		f := nw.nodes[2].core
		want := []string{"r1", "r2", "r3"}
		for _, ctx := range want {
			read := f.ReadIndexLease
			if !allLease && ctx == "r2" {
				read = f.ReadIndex
			}
			if err := read([]byte(ctx)); err != nil {
				t.Fatal(err)
			}
		}
		nw.stabilize()
		reqs := filterMsgs(nw.sent, MsgReadIndex)
		if len(reqs) != 1 || reqs[0].Lease != allLease {
			t.Fatalf("allLease=%v: read requests %+v, want one with Lease %v", allLease, reqs, allLease)
		}
		var got []string
		for _, rs := range nw.nodes[2].reads {
			if rs.Index != 2 {
				t.Fatalf("read state %+v, want index 2", rs)
			}
			got = append(got, string(rs.RequestCtx))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("allLease=%v: follower read states %v, want %v", allLease, got, want)
		}
	}
}

// Thesis §6.4: a leader keeps one read round in flight. A read that
// arrives after a round's heartbeats were sent starts no round of its own
// while that round is out, and is not answered by that round's
// acknowledgments; once the round is confirmed, the next Ready starts one
// round for every read that arrived meanwhile.
func TestReadIndexOneRoundInFlight(t *testing.T) {
	c, _ := leaderWithActiveFollowers(t, nil)
	c.ReadIndex([]byte("r1"))
	rd := c.Ready()
	hb := filterMsgs(rd.Messages, MsgHeartbeat)
	if len(hb) != 2 {
		t.Fatalf("%d heartbeats, want one round", len(hb))
	}
	c.Advance(rd)
	c.ReadIndex([]byte("r2"))
	c.ReadIndex([]byte("r3"))
	if c.HasReady() {
		rd := c.Ready()
		if n := len(filterMsgs(rd.Messages, MsgHeartbeat)); n != 0 {
			t.Fatalf("%d heartbeats for reads that arrived during a round in flight, want none until it is confirmed", n)
		}
		c.Advance(rd)
	}
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: c.Term(), Context: hb[0].Context})
	rd = c.Ready()
	if len(rd.ReadStates) != 1 || string(rd.ReadStates[0].RequestCtx) != "r1" {
		t.Fatalf("read states %+v, want only r1 (r2 and r3 arrived after its round was sent)", rd.ReadStates)
	}
	hb2 := filterMsgs(rd.Messages, MsgHeartbeat)
	if len(hb2) != 2 {
		t.Fatalf("%d heartbeats once the round was confirmed, want one round for r2 and r3", len(hb2))
	}
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 3, Term: c.Term(), Context: hb[1].Context})
	if rd := c.Ready(); len(rd.ReadStates) != 0 {
		t.Fatalf("answered %+v from the older round", rd.ReadStates)
	}
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 3, Term: c.Term(), Context: hb2[1].Context})
	rd = c.Ready()
	if len(rd.ReadStates) != 2 || string(rd.ReadStates[0].RequestCtx) != "r2" || string(rd.ReadStates[1].RequestCtx) != "r3" {
		t.Fatalf("read states %+v, want r2 and r3", rd.ReadStates)
	}
	if n := len(filterMsgs(rd.Messages, MsgHeartbeat)); n != 0 {
		t.Fatalf("%d heartbeats with no read pending", n)
	}
}

// A round in flight that is never confirmed (its heartbeats lost) holds
// the reads that arrived after it only until the next heartbeat tick
// starts a round.
func TestReadIndexLostRoundReplacedByTick(t *testing.T) {
	c, _ := leaderWithActiveFollowers(t, nil)
	c.ReadIndex([]byte("r1"))
	rd := c.Ready()
	c.Advance(rd)
	c.ReadIndex([]byte("r2"))
	c.Tick() // HeartbeatTick 1
	rd = c.Ready()
	hb := filterMsgs(rd.Messages, MsgHeartbeat)
	if len(hb) != 2 {
		t.Fatalf("%d heartbeats at the tick, want a round", len(hb))
	}
	c.Advance(rd)
	mustStep(t, c, Message{Type: MsgHeartbeatResp, From: 2, Term: c.Term(), Context: hb[0].Context})
	rd = c.Ready()
	if len(rd.ReadStates) != 2 {
		t.Fatalf("read states %+v, want r1 and r2 answered by the tick's round", rd.ReadStates)
	}
}

// followerOf returns a follower (node 2 of 3) that knows leader 1.
func followerOf(t *testing.T) *Core {
	t.Helper()
	store := NewMemoryStorage()
	c := newTestCore(t, 2, ids(3), store, nil)
	mustStep(t, c, Message{Type: MsgHeartbeat, From: 1, Term: 1})
	if c.Lead() != 1 {
		t.Fatalf("follower knows leader %d, want 1", c.Lead())
	}
	persistAll(t, c, store)
	return c
}

// readRequests returns the MsgReadIndex of c's next Ready, advancing it,
// and the contexts of its read states.
func readRequests(c *Core) ([]Message, []string) {
	if !c.HasReady() {
		return nil, nil
	}
	rd := c.Ready()
	c.Advance(rd)
	var got []string
	for _, rs := range rd.ReadStates {
		got = append(got, string(rs.RequestCtx))
	}
	return filterMsgs(rd.Messages, MsgReadIndex), got
}

// Thesis §6.4: a follower keeps one read request in flight to the
// leader; reads that arrive meanwhile go in one request once it is
// answered, and each of them gets the index of that later request.
func TestFollowerOneReadRequestInFlight(t *testing.T) {
	c := followerOf(t)
	c.ReadIndex([]byte("a"))
	reqs, _ := readRequests(c)
	if len(reqs) != 1 || string(reqs[0].Context) != "a" {
		t.Fatalf("requests %+v, want one for a", reqs)
	}
	c.ReadIndex([]byte("b"))
	c.ReadIndex([]byte("c"))
	if reqs, _ := readRequests(c); len(reqs) != 0 {
		t.Fatalf("requests %+v while a's is in flight, want none", reqs)
	}
	mustStep(t, c, Message{Type: MsgReadIndexResp, From: 1, Term: 1, Context: reqs[0].Context})
	reqs2, got := readRequests(c)
	if !slices.Equal(got, []string{"a"}) || len(reqs2) != 1 {
		t.Fatalf("read states %v and requests %+v, want a answered and one request for b and c", got, reqs2)
	}
	mustStep(t, c, Message{Type: MsgReadIndexResp, From: 1, Term: 1, Index: 0, Context: reqs2[0].Context})
	if _, got := readRequests(c); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("read states %v, want b and c", got)
	}
}

// A request the leader never answers holds the reads queued after it
// only for readRequestTimeoutTicks.
func TestFollowerReadRequestTimesOut(t *testing.T) {
	c := followerOf(t)
	c.ReadIndex([]byte("a"))
	readRequests(c)
	c.ReadIndex([]byte("b"))
	for range c.readRequestTimeoutTicks() - 1 {
		c.Tick()
		if reqs, _ := readRequests(c); len(reqs) != 0 {
			t.Fatalf("requests %+v before the timeout", reqs)
		}
	}
	c.Tick()
	if reqs, _ := readRequests(c); len(reqs) != 1 || string(reqs[0].Context) != "b" {
		t.Fatalf("requests %+v after the timeout, want one for b", reqs)
	}
}
