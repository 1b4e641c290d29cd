package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// node is one simulated server: the production node driver (a
// raft.Stepper: the same step function raft.Node's goroutine runs) over a
// simulated disk (store), state machine and network. The simulator is its
// goroutine and its executor: it hands the driver input one batch at a
// time, and runs the driver's slow work (applying entries, writing and
// sending snapshots) at virtual times it draws.
type node struct {
	s  *Sim
	id raft.NodeID
	// founding nodes start with the bootstrap configuration as Peers.
	founding bool
	// decommissioned nodes were removed from the cluster and stay down.
	decommissioned bool
	up             bool
	epoch          uint64
	st             *raft.Stepper
	core           *raft.Core
	store          *store
	sm             *stateMachine
	// reads are this node's read requests awaiting their ReadState or
	// the state machine (volatile).
	reads []*readRequest
	// issuedReads holds the contexts of every read this run of the node
	// made (an answer may come after the reader gave up).
	issuedReads map[string]bool

	// busy is set while a write's fsync is in flight (syncUntil) or the
	// node is paused: input waits in inbox, in order, and is handed to the
	// driver in one batch afterwards, as raft.Node batches what arrived
	// while it was busy.
	busy bool
	// fsyncing is set while a write's fsync is in flight; it completes
	// at syncUntil.
	fsyncing  bool
	syncUntil time.Duration
	// held are the messages the driver sent after a write whose fsync is
	// in flight: they leave when it completes.
	held []raft.Message
	// paused is set while the node stalls (Options.Pauses): it is busy,
	// and its ticks are dropped.
	paused bool
	inbox  []input
	// applyq is LaneApply's queue; applying is set while its head is
	// scheduled.
	applyq   []raft.Work
	applying bool
	// tickEvery is this node's tick interval (its clock may drift).
	tickEvery time.Duration
}

// input is one call into the driver; an error is fatal to the node.
type input func() error

// readRequest is one read issued at a node, linearizable or by lease;
// both must see every write acknowledged before them.
type readRequest struct {
	// ctx is the driver's request context, once it took the request.
	ctx []byte
	at  time.Duration
	// minIndex is the highest index any node had applied when the read
	// was requested: every write acknowledged before it is at or below.
	minIndex uint64
	// index is the read index of the ReadState, once it arrived.
	index    uint64
	answered bool
}

// start builds the driver from the durable state and starts ticking.
func (n *node) start() error {
	n.epoch++
	n.up = true
	n.busy, n.paused = false, false
	n.inbox, n.held, n.reads = nil, nil, nil
	n.applyq, n.applying = nil, false
	n.fsyncing, n.syncUntil = false, 0
	n.issuedReads = map[string]bool{}
	var peers []raft.Member
	if n.founding {
		peers = n.s.peers
	}
	o := n.s.opts
	snapEvery, tail := -1, 1
	if o.SnapshotEvery > 0 {
		snapEvery, tail = o.SnapshotEvery, max(o.SnapshotTail, 1)
	}
	st, err := raft.NewStepper(raft.NodeConfig{
		ID:                     n.id,
		Bootstrap:              peers,
		Storage:                n.store,
		StateMachine:           n.sm,
		Transport:              transport{n},
		TickInterval:           o.TickInterval,
		HeartbeatTicks:         o.HeartbeatTicks,
		ElectionTicks:          o.ElectionTicks,
		DisablePreVote:         !o.PreVote,
		DisableCheckQuorum:     !o.CheckQuorum,
		LeaseRead:              o.LeaseRead,
		EagerCommit:            o.EagerCommit,
		MaxSizePerMsg:          o.MaxSizePerMsg,
		MaxInflightMsgs:        o.MaxInflightMsgs,
		SnapshotEntries:        snapEvery,
		CompactionMargin:       tail,
		MaxApplyBacklogEntries: o.MaxApplyBacklog,
		Clock:                  nodeClock{n},
		Seed:                   n.s.rng.Uint64() | 1,
	}, executor{n})
	if err != nil {
		return fmt.Errorf("node %d: start: %w", n.id, err)
	}
	n.st, n.core = st, st.Core()
	st.OnReadState(n.readState)
	n.s.chk.onStart(n)
	first := time.Duration(n.s.rng.Int64N(int64(n.tickEvery)))
	n.s.clk.schedule(&event{at: n.s.clk.now + first, kind: evTick, node: n.id, epoch: n.epoch})
	// raft.Node's goroutine carries out the Readys of its restored state
	// before it takes any input.
	n.handle(nil)
	return nil
}

// crash stops the node; everything not yet durable is lost.
func (n *node) crash() {
	n.epoch++
	n.up = false
	n.st, n.core = nil, nil
	n.busy, n.paused = false, false
	n.inbox, n.held, n.reads = nil, nil, nil
	n.applyq, n.applying = nil, false
	n.fsyncing, n.syncUntil = false, 0
	n.store.crash()
	n.sm.crash()
	if n.s.opts.mutation == mutLoseTail {
		// The disk forgets its last few writes, commit index included
		// (the state machine must be volatile for the node to restart).
		s := n.store
		lose := uint64(1 + n.s.rng.IntN(4))
		keep := max(s.lastIndex()-min(lose, s.lastIndex()), s.offset())
		s.ents = s.ents[:keep-s.offset()+1]
		s.hs.Commit = min(s.hs.Commit, keep)
	}
}

// input hands one call to the driver now, or queues it while busy.
func (n *node) input(in input) {
	if n.busy {
		n.inbox = append(n.inbox, in)
		return
	}
	n.handle([]input{in})
}

// handle is one turn of raft.Node's loop: the batch of input, then the
// Readys it produced (Stepper.Process). If the driver wrote, the node is
// busy until the fsync completes.
func (n *node) handle(batch []input) {
	for _, in := range batch {
		if err := in(); err != nil {
			n.s.fail(fmt.Errorf("node %d: %w", n.id, err))
			return
		}
	}
	if err := n.st.Process(); err != nil {
		n.s.fail(fmt.Errorf("node %d: %w", n.id, err))
		return
	}
	if n.syncing() {
		n.busy = true
		n.s.clk.schedule(&event{at: n.syncUntil, kind: evPersisted, node: n.id, epoch: n.epoch})
	}
}

// syncing reports whether a write's fsync is in flight.
func (n *node) syncing() bool { return n.fsyncing }

// startSync starts the fsync of a write (store.Save), unless one is in
// flight: it completes after up to Options.MaxFsyncDelay.
func (n *node) startSync() {
	if n.fsyncing {
		return
	}
	n.fsyncing = true
	n.syncUntil = n.s.clk.now
	if d := n.s.opts.MaxFsyncDelay; d > 0 {
		n.syncUntil += time.Duration(n.s.rng.Int64N(int64(d) + 1))
	}
	n.syncUntil = max(n.syncUntil, n.s.clk.now+1)
}

// onPersisted completes the fsync in flight: the writes are durable, the
// held messages leave, and the input that waited is handed over.
func (n *node) onPersisted() {
	n.store.persisted()
	n.fsyncing, n.syncUntil = false, 0
	held := n.held
	n.held = nil
	n.sendAll(held)
	if n.paused {
		return
	}
	n.resume()
}

// resume hands the driver the input that waited while it was busy.
func (n *node) resume() {
	n.busy = false
	if len(n.inbox) > 0 {
		batch := n.inbox
		n.inbox = nil
		n.handle(batch)
	}
}

// sendAll puts messages on the network. The order of messages to
// different peers carries no meaning; a stable sort keeps each peer's
// order and makes the simulation independent of how the core iterates
// its peers.
func (n *node) sendAll(msgs []raft.Message) {
	slices.SortStableFunc(msgs, func(a, b raft.Message) int { return cmpID(a.To, b.To) })
	for _, m := range msgs {
		n.s.chk.onSend(n, m)
		n.s.send(m, nil)
	}
}

func (n *node) onTick() {
	n.s.clk.schedule(&event{at: n.s.clk.now + n.tickEvery, kind: evTick, node: n.id, epoch: n.epoch})
	if n.paused {
		return // a stalled process's ticker drops its ticks
	}
	if n.s.opts.Pauses && !n.busy && n.s.rng.IntN(400) == 0 {
		n.pause()
		return
	}
	n.input(func() error { n.st.Tick(); return nil })
}

// pause stalls the node for up to two election timeouts (Options.Pauses):
// input waits in the inbox, ticks are dropped, the clock runs on.
func (n *node) pause() {
	o := n.s.opts
	n.pauseFor(time.Duration(n.s.rng.Int64N(int64(2 * o.electionTimeout()))))
}

// pauseFor stalls the node for d.
func (n *node) pauseFor(d time.Duration) {
	n.paused, n.busy = true, true
	epoch := n.epoch
	n.s.tracef("pause %d for %v", n.id, d)
	n.s.At(d, func() {
		if !n.up || n.epoch != epoch {
			return
		}
		n.s.tracef("resume %d", n.id)
		n.paused = false
		n.resume()
	})
}

// nodeClock is a node's monotonic clock: virtual time, running at the
// rate of the node's (possibly drifting) ticks.
type nodeClock struct{ n *node }

func (c nodeClock) Now() time.Duration {
	o := c.n.s.opts
	return time.Duration(float64(c.n.s.clk.now) * float64(o.TickInterval) / float64(c.n.tickEvery))
}

// transport is the driver's raft.Transport: the simulated network.
type transport struct{ n *node }

// Send holds the messages while a write's fsync is in flight (the
// driver sent them after that write), else puts them on the network.
func (t transport) Send(msgs []raft.Message) {
	n := t.n
	if n.syncing() && n.s.opts.mutation != mutSendUnsynced {
		n.held = append(n.held, msgs...)
		return
	}
	n.sendAll(slices.Clone(msgs))
}

// SendSnapshot runs in LaneSnapshot work: it reads the data and puts the
// MsgSnap on the network. It fails at once if the link is down; a
// stream lost on the way fails nothing (the follower's silence makes the
// leader probe again).
func (t transport) SendSnapshot(_ context.Context, m raft.Message, data io.Reader) error {
	n := t.n
	b, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	if !n.s.net.passes(m.From, m.To) {
		n.s.traceMsg("cut", m, 0)
		return fmt.Errorf("sim: link %d->%d is down", m.From, m.To)
	}
	n.s.chk.onSend(n, m)
	n.s.send(m, b)
	return nil
}

func (transport) SetMembers(raft.Configuration) {}

func (transport) SetCommittedConfiguration(uint64, raft.Configuration) {}

// executor is the driver's raft.Executor: the simulator runs each piece of
// work at a virtual time it draws, then hands the continuation to the
// driver as input. LaneApply's work runs in order, one piece at a time,
// never before the writes in flight are durable (the driver hands over
// entries only once they are); with Options.SlowApply a piece may take
// several election timeouts.
type executor struct{ n *node }

func (e executor) Run(lane raft.Lane, w raft.Work) {
	n := e.n
	if lane == raft.LaneApply {
		n.applyq = append(n.applyq, w)
		n.nextApply()
		return
	}
	epoch := n.epoch
	d, what := n.s.workDelay(false), "snapshot work"
	if lane == raft.LaneSync {
		d, what = n.s.syncDelay(), "log sync"
	}
	n.s.clk.schedule(&event{at: n.s.clk.now + d, kind: evFunc, fn: func() {
		if n.up && n.epoch == epoch {
			n.s.tracef("%s %d", what, n.id)
			n.complete(w())
		}
	}})
}

// syncDelay is how long a leader's asynchronous log sync (LaneSync)
// takes: up to Options.MaxFsyncDelay, and now and then up to a third of
// an election timeout (a stalled disk; the leader sends nothing new
// meanwhile, as a node goroutine blocked in Save would not), so that
// acknowledgments, elections and crashes land while the leader's own
// copy is not durable.
func (s *Sim) syncDelay() time.Duration {
	if s.rng.IntN(50) == 0 {
		return time.Duration(s.rng.Int64N(int64(s.opts.electionTimeout() / 3)))
	}
	return time.Duration(s.rng.Int64N(int64(s.opts.MaxFsyncDelay) + 1))
}

// nextApply schedules LaneApply's next piece of work.
func (n *node) nextApply() {
	if n.applying || len(n.applyq) == 0 {
		return
	}
	n.applying = true
	epoch := n.epoch
	d := n.s.workDelay(n.s.opts.SlowApply)
	if n.s.opts.mutation == mutApplyBlocks && !n.busy {
		// The driver waits for the state machine, as raft.Node did when
		// it applied on its own goroutine.
		n.pauseFor(d)
	}
	at := max(n.s.clk.now, n.syncUntil) + d
	n.s.clk.schedule(&event{at: at, kind: evFunc, fn: func() {
		if !n.up || n.epoch != epoch {
			return
		}
		w := n.applyq[0]
		n.applyq = n.applyq[1:]
		n.s.tracef("apply work %d", n.id)
		c := w()
		n.applying = false
		n.complete(c)
		if n.up && n.epoch == epoch {
			n.nextApply()
		}
	}})
}

// complete hands a finished piece of work's continuation to the driver.
func (n *node) complete(c raft.Continuation) {
	n.input(func() error { return n.st.Complete(c) })
}

// workDelay draws how long a piece of work takes: up to a millisecond,
// or, if slow, one time in 200 up to three election timeouts.
func (s *Sim) workDelay(slow bool) time.Duration {
	if slow && s.rng.IntN(200) == 0 {
		return time.Duration(s.rng.Int64N(int64(3 * s.opts.electionTimeout())))
	}
	return time.Duration(s.rng.Int64N(int64(time.Millisecond) + 1))
}

// deliver hands a message that arrived to the driver.
func (n *node) deliver(m raft.Message, snap []byte) {
	if m.Type == raft.MsgSnap {
		n.input(func() error { return n.st.ReceiveSnapshot(m, bytes.NewReader(snap)) })
		return
	}
	n.input(func() error { n.st.Step(m); return nil })
}

// readState records the answer to one of this node's reads. Answers to
// reads that timed out, and repeated answers (the network duplicates
// messages), are ignored as a client would; an answer to a read the node
// never made is a bug.
func (n *node) readState(rs raft.ReadState) {
	for _, r := range n.reads {
		if bytes.Equal(r.ctx, rs.RequestCtx) {
			if !r.answered {
				r.answered, r.index = true, rs.Index
				n.s.chk.onReadIndex(n, r)
				n.serveReads()
			}
			return
		}
	}
	if !n.issued(rs.RequestCtx) {
		n.s.fail(fmt.Errorf("node %d: ReadState for a request it never made: %x", n.id, rs.RequestCtx))
	}
}

// issued reports whether this run of the node made a read with ctx (it
// may have timed out since).
func (n *node) issued(ctx []byte) bool {
	return n.issuedReads[string(ctx)]
}

// readTimeout is how long a reader waits for its ReadState before it
// gives up (the core drops requests when leadership changes).
const readTimeout = 3 * time.Second

// serveReads serves every answered read whose index is applied, and
// forgets reads that timed out.
func (n *node) serveReads() {
	kept := n.reads[:0]
	for _, r := range n.reads {
		if r.answered && r.index <= n.sm.appliedIndex() {
			n.s.chk.onServeRead(n, r)
			continue
		}
		if !r.answered && n.s.clk.now-r.at > readTimeout {
			continue
		}
		kept = append(kept, r)
	}
	n.reads = kept
}

// logTerm returns the term of the entry at index i in the node's log,
// and whether the node holds it (false when i is past the log or
// compacted).
func (n *node) logTerm(i uint64) (uint64, bool) {
	t, err := n.store.Term(i)
	return t, err == nil
}

// lastIndex returns the last index of the node's log.
func (n *node) lastIndex() uint64 { return n.store.lastIndex() }

// compacted reports whether index i is folded into the node's snapshot.
func (n *node) compacted(i uint64) bool { return i <= n.store.offset() }

func cmpID(a, b raft.NodeID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
