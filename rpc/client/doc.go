// Package client is the Go client of the ReSqlite service (used by the
// REPL and by tests). A Client talks to one node at a time and fails over
// to the other known nodes when that node cannot be reached; the node
// forwards writes to the leader, so the client needs no leader tracking of
// its own. A Client is a session: it carries the highest log index it has
// seen (from write results and reads) on every request, so whichever node
// serves it has applied the session's writes first, across reconnects.
//
// Reads stream: QueryStream (and a Session request with Stream set)
// returns the rows as the node sends them, chunk by chunk, and Query
// collects them. A read is tried again on another node only until its
// first chunk arrived, never once rows were delivered.
//
// Execute sends each write in a client session registered through the
// log, on that session's Session stream, which stays open between writes
// (writestream.go): one message each way per write instead of a call.
//
// A write whose outcome is unknown (it reached a node but no result came
// back) fails with an error wrapping ErrOutcomeUnknown and is never
// retried by the client.
//
// The client depends on the shared types (sqlval), the protocol's
// conversions (rpc/wire), the generated stubs and gRPC only: a client
// binary links neither SQLite nor the raft core nor the service
// (deps_test.go checks it).
package client
