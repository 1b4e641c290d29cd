package raft

import "errors"

// ErrProposalDropped is returned by Propose and ProposeConfChange when the
// node cannot accept a proposal: it is not the leader, or it is handing
// leadership over (thesis §3.10). The caller may retry at the leader.
var ErrProposalDropped = errors.New("raft: proposal dropped")

// ErrNoLeader is returned by ReadIndex on a follower that knows no leader to
// ask for a read index.
var ErrNoLeader = errors.New("raft: no known leader")

// ErrNotLeader is returned by leader-only operations (TransferLeader) called
// on a node that is not the leader.
var ErrNotLeader = errors.New("raft: not the leader")

// ErrConfChangePending is returned by ProposeConfChange while a previous
// configuration change is not yet committed, or before the leader has
// committed an entry of its own term (thesis §4.1 with the 2015
// correction).
var ErrConfChangePending = errors.New("raft: configuration change not allowed yet")

// ErrInvalidConfChange is returned by ProposeConfChange for a change that
// does not apply to the current configuration (adding a member twice,
// removing an unknown one, removing the last voter).
var ErrInvalidConfChange = errors.New("raft: invalid configuration change")

// ErrLearnerNotCaughtUp is returned by ProposeConfChange when asked to
// promote a learner whose log does not yet reach the leader's commit index
// (thesis §4.2.1).
var ErrLearnerNotCaughtUp = errors.New("raft: learner has not caught up")

// ErrInvalidMessage is returned by Step for a message that cannot come from
// a correct peer (wrong recipient, no sender, unknown type).
var ErrInvalidMessage = errors.New("raft: invalid message")
