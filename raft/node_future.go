package raft

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrStopped is returned by a Node's methods, and resolves its pending
// futures, once the node has stopped.
var ErrStopped = errors.New("raft: node stopped")

// ErrLeadershipLost resolves a proposal whose proposer stopped being the
// leader before the entry committed. The entry may still commit under the
// next leader, or may be discarded: the outcome is unknown, and retrying
// the proposal blindly may apply it twice.
var ErrLeadershipLost = errors.New("raft: leadership lost before the entry committed; outcome unknown")

// ErrEntryReplaced resolves a proposal whose log slot was taken by another
// leader's entry: the proposal did not commit and never will.
var ErrEntryReplaced = errors.New("raft: entry replaced by another leader's entry; it did not commit")

// NotLeaderError is returned when an operation needs the leader and this
// node is not it. It wraps ErrProposalDropped.
type NotLeaderError struct {
	// Leader is the leader this node knows of, or None.
	Leader NodeID
}

func (e *NotLeaderError) Error() string {
	if e.Leader == None {
		return "raft: not the leader, and no leader is known"
	}
	return fmt.Sprintf("raft: not the leader; node %d is", e.Leader)
}

// Unwrap makes errors.Is(err, ErrProposalDropped) hold.
func (e *NotLeaderError) Unwrap() error { return ErrProposalDropped }

// Result is what a committed proposal produced: its log index and the
// state machine's result for the entry.
type Result struct {
	Index uint64
	Value any
}

// Future is a proposal in flight. It resolves once the entry is applied
// (with the state machine's result) or cannot be (with an error).
type Future struct {
	index, term uint64
	// proposed is when (on NodeConfig.Clock) it was proposed, set only
	// for an Observer.
	proposed time.Duration
	done     chan struct{}
	res      Result
	err      error
}

func newFuture(index, term uint64) *Future {
	return &Future{index: index, term: term, done: make(chan struct{})}
}

// Index returns the log index the proposal was given.
func (f *Future) Index() uint64 { return f.index }

// Done is closed when the future resolves.
func (f *Future) Done() <-chan struct{} { return f.done }

// Wait blocks until the future resolves or ctx ends.
func (f *Future) Wait(ctx context.Context) (Result, error) {
	select {
	case <-f.done:
		return f.res, f.err
	case <-ctx.Done():
		return Result{}, fmt.Errorf("raft: waiting for entry %d: %w", f.index, ctx.Err())
	}
}

// resolve settles the future; only the node goroutine calls it, once.
func (f *Future) resolve(res Result, err error) {
	f.res, f.err = res, err
	close(f.done)
}
