package sim

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// inboxKind says what an inbox item asks of the core.
type inboxKind uint8

const (
	inTick        inboxKind = iota // Tick
	inMessage                      // Step(msg)
	inPropose                      // Propose(data)
	inRead                         // ReadIndex(data), or ReadIndexLease(data) if lease
	inTransfer                     // TransferLeader(to)
	inReport                       // ReportSnapshot(to, failed)
	inConfChange                   // ProposeConfChange(cc)
	inUnreachable                  // ReportUnreachable(to)
)

// inboxItem is input that arrived while the driver was busy persisting.
type inboxItem struct {
	kind   inboxKind
	msg    raft.Message
	data   []byte
	to     raft.NodeID
	failed bool
	// lease makes an inRead a lease read (ReadIndexLease).
	lease bool
	// snap is the snapshot data that travels with a MsgSnap.
	snap []raft.Entry
	cc   raft.ConfChange
}

// node is one simulated server: a core, its durable store and state
// machine, and the driver loop between them, which follows the Ready/
// Advance contract of package raft. The driver is one logical thread:
// while a Ready is being persisted (the simulated fsync), input queues up
// and is handed to the core, in order, once the Ready is done.
type node struct {
	s  *Sim
	id raft.NodeID
	// founding nodes start with the bootstrap configuration as Peers.
	founding bool
	// decommissioned nodes were removed from the cluster and stay down.
	decommissioned bool
	up             bool
	epoch          uint64
	core           *raft.Core
	store          *store
	sm             *stateMachine
	// snapData is the state machine data of store.snap (durable).
	snapData []raft.Entry
	// syncedHS is the HardState last written with an fsync; a commit-only
	// HardState written lazily may be lost in a crash.
	syncedHS raft.HardState
	// recvSnaps holds snapshot data the transport received with MsgSnap,
	// until the core hands the snapshot to the driver (volatile).
	recvSnaps map[indexTerm][]raft.Entry
	// reads are this node's read requests awaiting their ReadState or
	// the state machine (volatile).
	reads []*readRequest
	// issued holds the contexts of every read the node made (an answer
	// may reach a later incarnation, which ignores it).
	issued map[string]bool

	busy bool
	// paused is set while the node stalls (Options.Pauses): it is busy,
	// and its ticks are dropped.
	paused bool
	// dirty means the core took input since its last Ready, so its log
	// may hold entries the simulator has not seen yet.
	dirty     bool
	inflight  raft.Ready
	earlySent bool // the leader's messages of inflight already left
	inbox     []inboxItem
	// tickEvery is this node's tick interval (its clock may drift).
	tickEvery time.Duration
}

// readRequest is one read issued at a node, linearizable or by lease;
// both must see every write acknowledged before them.
type readRequest struct {
	ctx []byte
	at  time.Duration
	// minIndex is the highest index any node had applied when the read
	// was requested: every write acknowledged before it is at or below.
	minIndex uint64
	// index is the read index of the ReadState, once it arrived.
	index    uint64
	answered bool
}

// start creates a fresh core from the durable state and starts ticking.
func (n *node) start() error {
	n.epoch++
	n.up = true
	n.busy = false
	n.paused = false
	n.dirty = false
	n.inflight = raft.Ready{}
	n.inbox = nil
	n.recvSnaps = map[indexTerm][]raft.Entry{}
	n.reads = nil
	if n.issued == nil {
		n.issued = map[string]bool{}
	}
	n.syncedHS = n.store.hs
	var peers []raft.Member
	if n.founding {
		peers = n.s.peers
	}
	o := n.s.opts
	c, err := raft.NewCore(raft.Config{
		ID:              n.id,
		ElectionTick:    o.ElectionTicks,
		HeartbeatTick:   o.HeartbeatTicks,
		TickInterval:    o.TickInterval,
		Clock:           nodeClock{n},
		Rand:            newRand(n.s.rng.Uint64(), n.s.rng.Uint64()),
		Storage:         n.store,
		Applied:         n.sm.appliedIndex(),
		Peers:           peers,
		PreVote:         o.PreVote,
		CheckQuorum:     o.CheckQuorum,
		LeaseRead:       o.LeaseRead,
		EagerCommit:     o.EagerCommit,
		MaxSizePerMsg:   o.MaxSizePerMsg,
		MaxInflightMsgs: o.MaxInflightMsgs,
	})
	if err != nil {
		return fmt.Errorf("node %d: start: %w", n.id, err)
	}
	n.core = c
	n.s.chk.onStart(n)
	first := time.Duration(n.s.rng.Int64N(int64(n.tickEvery)))
	n.s.clk.schedule(&event{at: n.s.clk.now + first, kind: evTick, node: n.id, epoch: n.epoch})
	n.kick()
	return nil
}

// crash stops the node; everything not yet durable is lost.
func (n *node) crash() {
	n.epoch++
	n.up = false
	n.core = nil
	n.busy = false
	n.paused = false
	n.inflight = raft.Ready{}
	n.inbox = nil
	n.recvSnaps = nil
	n.reads = nil
	if n.store.hs != n.syncedHS && n.s.rng.IntN(2) == 0 {
		// The lazily written commit index did not reach the disk.
		n.store.hs = n.syncedHS
	}
	if n.s.opts.VolatileStateMachine {
		n.sm.restore(n.snapData)
	} else if n.s.opts.StateMachineLosesTail {
		applied := n.sm.appliedIndex()
		keep := max(applied-min(applied, uint64(n.s.rng.IntN(4))), n.store.snap.Index)
		n.sm.applied = n.sm.applied[:keep]
	}
	if n.s.opts.mutation == mutLoseTail {
		// The disk forgets its last few writes, commit index included
		// (the state machine must be volatile for the node to restart).
		lose := uint64(1 + n.s.rng.IntN(4))
		keep := max(n.store.lastIndex()-min(lose, n.store.lastIndex()), n.store.offset())
		n.store.ents = n.store.ents[:keep-n.store.offset()+1]
		n.store.hs.Commit = min(n.store.hs.Commit, keep)
		n.syncedHS = n.store.hs
	}
}

// input hands an item to the core now, or queues it while busy (unless
// Options.StepWhileBusy: then the core takes it at once, and its next
// Ready waits for the current one's Advance).
func (n *node) input(it inboxItem) {
	if n.busy && n.s.opts.StepWhileBusy && !n.paused {
		n.dirty = true
		n.apply(it)
		return
	}
	if n.busy {
		n.inbox = append(n.inbox, it)
		return
	}
	n.apply(it)
	n.kick()
}

// apply hands one input to the core. Errors are part of the game: a
// proposal to a deposed leader is dropped, a stale message rejected.
func (n *node) apply(it inboxItem) {
	switch it.kind {
	case inTick:
		n.core.Tick()
	case inMessage:
		if it.msg.Type == raft.MsgSnap && it.msg.Snapshot != nil {
			n.recvSnaps[indexTerm{it.msg.Snapshot.Index, it.msg.Snapshot.Term}] = it.snap
		}
		_ = n.core.Step(it.msg)
	case inPropose:
		_, _, _ = n.core.Propose(it.data)
	case inRead:
		read := n.core.ReadIndex
		if it.lease {
			read = n.core.ReadIndexLease
		}
		if err := read(it.data); err != nil {
			n.dropRead(it.data)
		}
	case inTransfer:
		_ = n.core.TransferLeader(it.to)
	case inReport:
		n.core.ReportSnapshot(it.to, it.failed)
	case inConfChange:
		_, _, _ = n.core.ProposeConfChange(it.cc)
	case inUnreachable:
		n.core.ReportUnreachable(it.to)
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
	n.input(inboxItem{kind: inTick})
}

// pause stalls the node for up to two election timeouts (Options.Pauses):
// input waits in the inbox, ticks are dropped, the clock runs on.
func (n *node) pause() {
	o := n.s.opts
	d := time.Duration(n.s.rng.Int64N(int64(2 * o.ElectionTicks * int(o.TickInterval))))
	n.paused, n.busy = true, true
	epoch := n.epoch
	n.s.tracef("pause %d for %v", n.id, d)
	n.s.At(d, func() {
		if !n.up || n.epoch != epoch {
			return
		}
		n.s.tracef("resume %d", n.id)
		n.paused, n.busy = false, false
		items := n.inbox
		n.inbox = nil
		for _, it := range items {
			n.apply(it)
		}
		n.kick()
	})
}

// nodeClock is a node's monotonic clock: virtual time, running at the
// rate of the node's (possibly drifting) ticks.
type nodeClock struct{ n *node }

func (c nodeClock) Now() time.Duration {
	o := c.n.s.opts
	return time.Duration(float64(c.n.s.clk.now) * float64(o.TickInterval) / float64(c.n.tickEvery))
}

// kick takes the core's next Ready, if any, and starts persisting it.
func (n *node) kick() {
	if n.busy || !n.up || !n.core.HasReady() {
		return
	}
	rd := n.core.Ready()
	n.inflight = rd
	n.busy = true
	n.dirty = false
	n.earlySent = false
	n.s.chk.onReady(n, &rd)
	if n.s.err != nil {
		return
	}
	delay := time.Duration(0)
	if rd.MustSync && n.s.opts.MaxFsyncDelay > 0 {
		delay = time.Duration(n.s.rng.Int64N(int64(n.s.opts.MaxFsyncDelay) + 1))
	}
	if delay > 0 && n.s.rng.IntN(2) == 0 {
		// Thesis §10.2.1: a leader's messages may leave while its own
		// log is being written.
		n.earlySent = true
		n.sendAll(&n.inflight, true)
	}
	n.s.clk.schedule(&event{at: n.s.clk.now + delay, kind: evPersisted, node: n.id, epoch: n.epoch})
}

// sendAll sends the Ready's messages: if early, only those the contract
// lets leave before the Ready is durable (rd.MaySendBeforePersist);
// otherwise the rest (or all of them, if none left early).
func (n *node) sendAll(rd *raft.Ready, early bool) {
	msgs := slices.Clone(rd.Messages)
	// The order of messages to different peers carries no meaning; a
	// stable sort keeps each peer's order and makes the simulation
	// independent of how the core iterates its peers.
	slices.SortStableFunc(msgs, func(a, b raft.Message) int { return cmpID(a.To, b.To) })
	for _, m := range msgs {
		if n.earlySent && rd.MaySendBeforePersist(m) != early {
			continue
		}
		n.s.chk.onSend(n, m, early)
		n.s.send(m)
	}
}

// onPersisted completes the in-flight Ready in the contract's order:
// install the snapshot, persist hard state and entries (now durable), send
// messages, apply committed entries, hand out read states, Advance.
func (n *node) onPersisted() {
	rd := n.inflight
	if !rd.Snapshot.IsEmpty() {
		data, ok := n.recvSnaps[indexTerm{rd.Snapshot.Index, rd.Snapshot.Term}]
		if !ok {
			n.s.fail(fmt.Errorf("node %d: Ready installs snapshot %d/%d that no MsgSnap brought", n.id, rd.Snapshot.Index, rd.Snapshot.Term))
			return
		}
		n.sm.restore(data)
		n.s.chk.onRestore(n, rd.Snapshot)
		if err := n.store.ApplySnapshot(rd.Snapshot); err != nil {
			n.s.fail(fmt.Errorf("node %d: apply snapshot at %d: %w", n.id, rd.Snapshot.Index, err))
			return
		}
		n.snapData = data
		clear(n.recvSnaps)
	}
	before := n.store.hs
	hs := rd.HardState
	if n.s.opts.mutation == mutSkipHardState {
		hs = raft.HardState{}
	}
	if err := n.store.Save(hs, rd.Entries); err != nil {
		n.s.fail(fmt.Errorf("node %d: save: %w", n.id, err))
		return
	}
	if rd.MustSync || !rd.Snapshot.IsEmpty() {
		n.syncedHS = n.store.hs
	}
	n.s.chk.onPersist(n, before, &rd)
	n.sendAll(&rd, false)
	for _, e := range rd.CommittedEntries {
		if e.Index <= n.sm.appliedIndex() {
			n.s.fail(fmt.Errorf("node %d: committed entry %d handed out again after applied %d", n.id, e.Index, n.sm.appliedIndex()))
			return
		}
		if err := n.sm.apply(e); err != nil {
			n.s.fail(fmt.Errorf("node %d: %w", n.id, err))
			return
		}
		n.s.chk.onApply(n, e)
	}
	for _, rs := range rd.ReadStates {
		n.readState(rs)
	}
	n.serveReads()
	n.core.Advance(rd)
	n.busy = false
	n.inflight = raft.Ready{}
	n.maybeSnapshot()
	items := n.inbox
	n.inbox = nil
	for _, it := range items {
		n.apply(it)
	}
	n.kick()
}

// maybeSnapshot takes a snapshot of the state machine every
// Options.SnapshotEvery applied entries, keeping Options.SnapshotTail
// entries of log before it for slow followers.
func (n *node) maybeSnapshot() {
	every := n.s.opts.SnapshotEvery
	applied := n.sm.appliedIndex()
	if every == 0 || applied < n.store.snap.Index+uint64(every) {
		return
	}
	meta, err := n.core.SnapshotMeta(applied)
	if errors.Is(err, raft.ErrCompacted) {
		// A snapshot from the leader, newer than our state, is on its
		// way in (the core took its MsgSnap while we were persisting):
		// ours would be obsolete.
		n.s.tracef("snapshot %d at %d skipped: %v", n.id, applied, err)
		return
	}
	if err != nil {
		n.s.fail(fmt.Errorf("node %d: snapshot meta at %d: %w", n.id, applied, err))
		return
	}
	if err := n.store.CreateSnapshot(meta); err != nil {
		n.s.fail(fmt.Errorf("node %d: create snapshot at %d: %w", n.id, applied, err))
		return
	}
	n.snapData = n.sm.snapshot(applied)
	tail := uint64(n.s.opts.SnapshotTail)
	if applied+1 > tail+n.store.offset()+1 {
		if err := n.store.Compact(applied + 1 - tail); err != nil {
			n.s.fail(fmt.Errorf("node %d: compact: %w", n.id, err))
		}
	}
	n.s.tracef("snapshot %d at %d", n.id, applied)
}

// readState records the answer to one of this node's reads. Answers to
// reads that timed out or were made before a restart, and repeated
// answers (the network duplicates messages), are ignored as a client
// would; an answer to a read the node never made is a bug.
func (n *node) readState(rs raft.ReadState) {
	for _, r := range n.reads {
		if string(r.ctx) == string(rs.RequestCtx) && !r.answered {
			r.answered, r.index = true, rs.Index
			n.s.chk.onReadIndex(n, r)
			return
		}
	}
	if !n.issued[string(rs.RequestCtx)] {
		n.s.fail(fmt.Errorf("node %d: ReadState for a request it never made: %q", n.id, rs.RequestCtx))
	}
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

func (n *node) dropRead(ctx []byte) {
	n.reads = slices.DeleteFunc(n.reads, func(r *readRequest) bool { return string(r.ctx) == string(ctx) })
}

// logTerm returns the term of the entry at index i in the node's log as
// the core sees it (durable store plus the Ready being persisted), and
// whether the node holds it (false when i is past the log or compacted).
func (n *node) logTerm(i uint64) (uint64, bool) {
	if k := len(n.inflight.Entries); k > 0 {
		first := n.inflight.Entries[0].Index
		if i >= first && i < first+uint64(k) {
			return n.inflight.Entries[i-first].Term, true
		}
		if i >= first {
			return 0, false
		}
	}
	if s := n.inflight.Snapshot; !s.IsEmpty() {
		if i == s.Index {
			return s.Term, true
		}
		return 0, false
	}
	t, err := n.store.Term(i)
	return t, err == nil
}

// lastIndex returns the last index of the node's log as the core sees it.
func (n *node) lastIndex() uint64 {
	if k := len(n.inflight.Entries); k > 0 {
		return n.inflight.Entries[k-1].Index
	}
	if s := n.inflight.Snapshot; !s.IsEmpty() {
		return s.Index
	}
	return n.store.lastIndex()
}

// compacted reports whether index i is folded into the node's snapshot.
func (n *node) compacted(i uint64) bool {
	if s := n.inflight.Snapshot; !s.IsEmpty() && i <= s.Index {
		return true
	}
	return i <= n.store.offset()
}

func cmpID(a, b raft.NodeID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
