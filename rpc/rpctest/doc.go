// Package rpctest is the test harness for clusters of ReSqlite nodes: it
// starts N raft.Nodes that talk over real gRPC on loopback, either in the
// test's own process or as child processes of the test binary (the re-exec
// pattern), with Machine, a small state machine for tests, in place of
// SQLite. It stops, kills and restarts nodes and finds the leader. It is
// test support only: nothing in the program imports it.
package rpctest
