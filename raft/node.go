package raft

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Node runs a Core: one goroutine owns it, ticks it from a real clock, steps
// the messages the transport delivers, persists what each Ready says must
// be durable in the order package doc.go gives, sends messages, applies
// committed entries to the state machine and advances. Its methods are safe
// for concurrent use.
type Node struct {
	cfg  NodeConfig
	core *Core

	// Requests to the node goroutine.
	recvc    chan Message
	reqc     chan func()
	snapInc  chan *incomingSnapshot
	stopc    chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	snapCtx  context.Context
	snapStop context.CancelFunc

	// exec runs the slow work (executor.go); goexec is the same executor
	// when the node runs its own goroutines (StartNode), nil under a
	// Stepper. applyFailed is set once apply work failed.
	exec        Executor
	goexec      *goExecutor
	applyFailed atomic.Bool
	// spools are the outgoing snapshots written and not yet streamed; Stop
	// discards those whose transfer never started.
	spools spoolSet
	// readHook, under a Stepper, receives every answer to a read of this
	// run (Stepper.OnReadState).
	readHook func(ReadState)

	// Owned by the node goroutine.
	role        Role
	lastSnap    uint64
	sendingSnap map[NodeID]bool
	installing  *incomingSnapshot
	// parkedSnap is a received snapshot waiting for the apply backlog to
	// drain.
	parkedSnap *incomingSnapshot
	// handedOver is the last index handed to the apply goroutine.
	handedOver uint64
	// durableIndex is the last index of the log known durable here;
	// commitQ holds committed entries past it (node_persist.go), and
	// async the writes whose fsync is pending.
	durableIndex uint64
	commitQ      commitQueue
	async        asyncLog
	backlog      applyBacklog
	// compacting is set while a compaction's sync is queued.
	compacting bool
	// lastHeard is when (on cfg.Clock) a message from each peer last
	// arrived.
	lastHeard map[NodeID]time.Duration
	// committedConfig is the index of the committed configuration the
	// transport was last told of.
	committedConfig uint64
	// committedMembers is that configuration, to log member changes.
	committedMembers Configuration

	// proposals are the futures of pending proposals by index: added on
	// the node goroutine, resolved by the apply goroutine.
	propMu    sync.Mutex
	proposals map[uint64]*Future

	// Shared with callers.
	mu        sync.Mutex
	applied   uint64
	appliedCh chan struct{}
	// reads are the read batches made and not yet answered, by
	// sequence number; joining, by lease, is the batch the next
	// ReadIndex call joins (node_read.go).
	reads   map[uint64]*readBatch
	joining [2]*readBatch
	// leadCh is closed (and replaced) when the role or the leader
	// changes: reads waiting for an answer that leadership change lost
	// are sent again at once.
	leadCh chan struct{}
	err    error

	// readNonce is drawn at each start and prefixes every read request's
	// context, so a late answer to a read of an earlier run of the
	// process (same term, same sequence number) is never taken for the
	// answer to a new one.
	readNonce uint64
	readSeq   atomic.Uint64
	lead      atomic.Uint64
	term      atomic.Uint64
	isLead    atomic.Bool
	// counters are the running totals Metrics returns.
	counters nodeCounters
}

// StartNode builds the core from cfg (restoring it from cfg.Storage and
// cfg.StateMachine.AppliedIndex, after repairing a log that an interrupted
// snapshot install left behind the state machine: reconcileLog) and starts
// the node goroutine and the apply goroutine.
func StartNode(cfg NodeConfig) (*Node, error) {
	n, err := newNode(cfg)
	if err != nil {
		return nil, err
	}
	n.goexec = newGoExecutor()
	n.exec = n.goexec
	go n.run()
	return n, nil
}

// newNode builds a node whose step function nothing drives yet.
func newNode(cfg NodeConfig) (*Node, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if err := reconcileLog(cfg); err != nil {
		return nil, fmt.Errorf("raft: start node %d: %w", cfg.ID, err)
	}
	applied := cfg.StateMachine.AppliedIndex()
	core, err := NewCore(Config{
		ID:              cfg.ID,
		ElectionTick:    cfg.ElectionTicks,
		HeartbeatTick:   cfg.HeartbeatTicks,
		TickInterval:    cfg.TickInterval,
		Clock:           cfg.Clock,
		Rand:            rand.New(rand.NewPCG(cfg.Seed, uint64(cfg.ID))),
		Storage:         cfg.Storage,
		Applied:         applied,
		Peers:           cfg.Bootstrap,
		PreVote:         !cfg.DisablePreVote,
		CheckQuorum:     !cfg.DisableCheckQuorum,
		LeaseRead:       cfg.LeaseRead,
		EagerCommit:     cfg.EagerCommit,
		MaxSizePerMsg:   cfg.MaxSizePerMsg,
		MaxInflightMsgs: cfg.MaxInflightMsgs,
		Logger:          cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("raft: start node %d: %w", cfg.ID, err)
	}
	snapMeta, err := cfg.Storage.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("raft: start node %d: read snapshot: %w", cfg.ID, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Node{
		cfg:         cfg,
		core:        core,
		recvc:       make(chan Message, 1024),
		reqc:        make(chan func(), 256),
		snapInc:     make(chan *incomingSnapshot),
		stopc:       make(chan struct{}),
		done:        make(chan struct{}),
		snapCtx:     ctx,
		snapStop:    cancel,
		proposals:   map[uint64]*Future{},
		sendingSnap: map[NodeID]bool{},
		lastHeard:   map[NodeID]time.Duration{},
		lastSnap:    max(snapMeta.Index, applied),
		handedOver:  applied,
		applied:     applied,
		appliedCh:   make(chan struct{}),
		reads:       map[uint64]*readBatch{},
		leadCh:      make(chan struct{}),
		readNonce:   rand.New(rand.NewPCG(cfg.Seed, 0x7265616420696473)).Uint64(),
	}
	n.async.store, _ = cfg.Storage.(AsyncLogStore)
	if n.durableIndex, err = cfg.Storage.LastIndex(); err != nil {
		return nil, fmt.Errorf("raft: start node %d: read last index: %w", cfg.ID, err)
	}
	n.term.Store(core.Term())
	cfg.Transport.SetMembers(core.Configuration())
	index, committed := core.CommittedConfiguration()
	cfg.Transport.SetCommittedConfiguration(index, committed)
	n.committedConfig = index
	n.committedMembers = committed.Clone()
	return n, nil
}

// ID returns the node's id.
func (n *Node) ID() NodeID { return n.cfg.ID }

// ElectionTimeout returns the base election timeout (NodeConfig
// ElectionTicks × TickInterval).
func (n *Node) ElectionTimeout() time.Duration {
	return time.Duration(n.cfg.ElectionTicks) * n.cfg.TickInterval
}

// Leader returns the leader this node knows of, or None.
func (n *Node) Leader() NodeID { return NodeID(n.lead.Load()) }

// IsLeader reports whether this node is the leader.
func (n *Node) IsLeader() bool { return n.isLead.Load() }

// Term returns the node's current term.
func (n *Node) Term() uint64 { return n.term.Load() }

// AppliedIndex returns the index of the last entry applied to the state
// machine.
func (n *Node) AppliedIndex() uint64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.applied
}

// Done is closed when the node goroutine has exited (Stop, or a fatal
// error reported by Err).
func (n *Node) Done() <-chan struct{} { return n.done }

// Err returns the fatal error that stopped the node, if any.
func (n *Node) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.err
}

// Stop stops the node goroutine, the apply goroutine (once the entries it
// is applying are applied) and every snapshot transfer, resolves pending
// proposals with ErrStopped, and waits for all of it. It does not
// close the storage, state machine or transport.
func (n *Node) Stop() {
	n.stopOnce.Do(func() { close(n.stopc) })
	<-n.done
	n.snapStop()
	n.goexec.snapWG.Wait()
	n.spools.discardAll(n.cfg.Logger)
}

// do runs f on the node goroutine and waits for it.
func (n *Node) do(ctx context.Context, f func()) error {
	ran := make(chan struct{})
	select {
	case n.reqc <- func() { f(); close(ran) }:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return n.stoppedErr()
	}
	select {
	case <-ran:
		return nil
	case <-n.done:
		// The loop may have run f just before exiting.
		select {
		case <-ran:
			return nil
		default:
			return n.stoppedErr()
		}
	}
}

// stoppedErr is the error for calls made after the node exited.
func (n *Node) stoppedErr() error {
	if err := n.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return ErrStopped
}

// Propose appends data to the log as a normal entry. It returns once the
// leader has appended it; the Future resolves when it is applied. A
// follower returns a *NotLeaderError naming the leader.
func (n *Node) Propose(ctx context.Context, data []byte) (*Future, error) {
	return n.propose(ctx, func() (uint64, uint64, error) { return n.core.Propose(data) })
}

// ProposeConfChange proposes a single-server membership change (see
// Core.ProposeConfChange for when it is refused).
func (n *Node) ProposeConfChange(ctx context.Context, cc ConfChange) (*Future, error) {
	return n.propose(ctx, func() (uint64, uint64, error) { return n.core.ProposeConfChange(cc) })
}

func (n *Node) propose(ctx context.Context, p func() (uint64, uint64, error)) (*Future, error) {
	var f *Future
	var err error
	if derr := n.do(ctx, func() { f, err = n.proposeNow(p) }); derr != nil {
		return nil, derr
	}
	return f, err
}

// proposeNow runs proposal p on the step function and records its future.
func (n *Node) proposeNow(p func() (uint64, uint64, error)) (*Future, error) {
	index, term, err := p()
	if err == ErrProposalDropped {
		err = &NotLeaderError{Leader: n.core.Lead()}
	}
	if err != nil {
		return nil, err
	}
	f := newFuture(index, term)
	if n.cfg.Observer != nil {
		f.proposed = n.now()
	}
	n.addProposal(f)
	return f, nil
}

// WaitApplied waits until the state machine has applied index.
func (n *Node) WaitApplied(ctx context.Context, index uint64) error {
	for {
		n.mu.Lock()
		applied, ch := n.applied, n.appliedCh
		n.mu.Unlock()
		if applied >= index {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("raft: waiting to apply index %d (applied %d): %w", index, applied, ctx.Err())
		case <-n.done:
			return n.stoppedErr()
		}
	}
}

// TransferLeadership asks the leader to hand leadership to member to
// (thesis §3.10). It returns once the transfer started; the caller
// watches Leader for the outcome.
func (n *Node) TransferLeadership(ctx context.Context, to NodeID) error {
	var err error
	if derr := n.do(ctx, func() { err = n.core.TransferLeader(to) }); derr != nil {
		return derr
	}
	return err
}

// Status returns the core's status, with the index the state machine has
// applied, the apply backlog and how long ago each peer was last heard
// from.
func (n *Node) Status(ctx context.Context) (Status, error) {
	var s Status
	err := n.do(ctx, func() {
		s = n.core.Status()
		s.Applied = n.AppliedIndex()
		s.ApplyBacklog = ApplyBacklog{Entries: n.backlog.entries, Bytes: n.backlog.bytes, Paused: n.applyHeld()}
		now := n.cfg.Clock.Now()
		s.LastContact = make(map[NodeID]time.Duration, len(n.lastHeard))
		for id, t := range n.lastHeard {
			s.LastContact[id] = now - t
		}
	})
	return s, err
}

// Step delivers a message received from a peer. It blocks while the
// node's inbox is full, until ctx ends.
func (n *Node) Step(ctx context.Context, m Message) error {
	if m.Type == MsgSnap {
		return fmt.Errorf("raft: a snapshot must come through ReceiveSnapshot, with its data")
	}
	select {
	case n.recvc <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return n.stoppedErr()
	}
}

// ReportUnreachable tells the node that messages to peer id are not
// getting through; as leader it falls back to probing that peer, so
// replication resumes once the peer answers again. It never blocks: a
// report is dropped when the node is busy.
func (n *Node) ReportUnreachable(id NodeID) {
	select {
	case n.reqc <- func() { n.core.ReportUnreachable(id) }:
	default:
	}
}

// ReceiveSnapshot hands the node a snapshot received from the leader
// (m.Type == MsgSnap) with its data, and returns once the node has
// installed it or decided it does not need it (it is older than what the
// node has). data is read only before ReceiveSnapshot returns.
func (n *Node) ReceiveSnapshot(ctx context.Context, m Message, data io.Reader) error {
	if m.Type != MsgSnap || m.Snapshot == nil {
		return fmt.Errorf("raft: ReceiveSnapshot needs a MsgSnap with metadata, got %v", m.Type)
	}
	in := &incomingSnapshot{msg: m, data: data, done: make(chan error, 1)}
	select {
	case n.snapInc <- in:
	case <-ctx.Done():
		return ctx.Err()
	case <-n.done:
		return n.stoppedErr()
	}
	select {
	case err := <-in.done:
		return err
	case <-n.done:
		select {
		case err := <-in.done:
			return err
		default:
			return n.stoppedErr()
		}
	}
}
