// Package crashtest holds tests that wire the real raft.Node, raft/wal
// and statemachine together in one process and crash a node (stop it at a
// chosen step, then reopen its stores as a restarted process would) to
// check that every crash point leaves a node that starts and catches up.
// It has no code of its own.
package crashtest
