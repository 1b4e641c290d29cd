package raft

import (
	"fmt"
	"io"
)

// Stepper is a Node without goroutines, for the deterministic simulator
// (raft/sim): its caller is the node goroutine. The caller hands it input
// (Tick, Step, ReceiveSnapshot, the requests, Complete), then calls
// Process, which carries out the Readys that input produced with the very
// code the node goroutine runs (processReady). Slow work goes to
// the Executor the caller passes to NewStepper, and comes back through
// Complete. Its methods are not safe for concurrent use.
type Stepper struct {
	n *Node
}

// NewStepper builds a node as StartNode does (reconciling the log with the
// state machine first), without starting anything; exec runs its slow
// work.
func NewStepper(cfg NodeConfig, exec Executor) (*Stepper, error) {
	if exec == nil {
		return nil, fmt.Errorf("raft: stepper: an Executor is required")
	}
	n, err := newNode(cfg)
	if err != nil {
		return nil, err
	}
	n.exec = exec
	return &Stepper{n: n}, nil
}

// Process carries out the Readys the input since the last call produced:
// persist, send, hand committed entries to LaneApply, answer reads. An
// error is fatal to the node, as it is to the node goroutine.
func (s *Stepper) Process() error { return s.n.processReady() }

// Tick advances the core's logical clock by one tick.
func (s *Stepper) Tick() { _ = s.n.handleEvent(event{kind: evTick}) }

// Step hands the core a message from a peer (not a MsgSnap: see
// ReceiveSnapshot).
func (s *Stepper) Step(m Message) { _ = s.n.handleEvent(event{kind: evMessage, msg: m}) }

// ReceiveSnapshot takes a snapshot from the leader with its data; it is
// installed now, or once the apply backlog drains. data must stay
// readable until then.
func (s *Stepper) ReceiveSnapshot(m Message, data io.Reader) error {
	if m.Type != MsgSnap || m.Snapshot == nil {
		return fmt.Errorf("raft: ReceiveSnapshot needs a MsgSnap with metadata, got %v", m.Type)
	}
	return s.n.handleEvent(event{kind: evSnapshotIn, in: &incomingSnapshot{msg: m, data: data, done: make(chan error, 2)}})
}

// Complete runs the continuation of a piece of work the Executor finished.
func (s *Stepper) Complete(c Continuation) error {
	return s.n.handleEvent(event{kind: evDone, done: c})
}

// Propose proposes data, as Node.Propose does; the Future resolves when
// the entry is applied.
func (s *Stepper) Propose(data []byte) (*Future, error) {
	return s.n.proposeNow(func() (uint64, uint64, error) { return s.n.core.Propose(data) })
}

// ProposeConfChange proposes a membership change, as Node.ProposeConfChange
// does.
func (s *Stepper) ProposeConfChange(cc ConfChange) (*Future, error) {
	return s.n.proposeNow(func() (uint64, uint64, error) { return s.n.core.ProposeConfChange(cc) })
}

// ReadIndex makes a read request (answered from the lease if lease and
// the leader holds one) and returns its context; the answer goes to the
// OnReadState hook.
func (s *Stepper) ReadIndex(lease bool) ([]byte, error) {
	ctx := s.n.readContext(s.n.readSeq.Add(1))
	read := s.n.core.ReadIndex
	if lease {
		read = s.n.core.ReadIndexLease
	}
	return ctx, read(ctx)
}

// OnReadState sets the hook that receives the answers to this run's read
// requests (those of earlier runs are dropped, as Node drops them).
func (s *Stepper) OnReadState(f func(ReadState)) { s.n.readHook = f }

// TransferLeadership asks the leader to hand leadership to to.
func (s *Stepper) TransferLeadership(to NodeID) error { return s.n.core.TransferLeader(to) }

// ReportUnreachable tells the node that messages to id are not getting
// through.
func (s *Stepper) ReportUnreachable(id NodeID) { s.n.core.ReportUnreachable(id) }

// Core returns the node's core, for inspection only (its Status, Term,
// LeaseValid): input goes through the Stepper.
func (s *Stepper) Core() *Core { return s.n.core }
