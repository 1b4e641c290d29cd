// Package raft is ReSqlite's own implementation of the Raft consensus
// algorithm: a deterministic core driven by Tick, Step and Propose that
// reports its work through Ready and Advance, the interfaces it needs from
// the rest of the system (Storage, StateMachine, Transport), and the node
// driver that ties them together.
//
// The package imports nothing else from ReSqlite.
package raft
