// Package client is the Go client of the ReSqlite service (used by the
// REPL and by tests). A Client talks to one node at a time and fails over
// to the other known nodes when that node cannot be reached; the node
// forwards writes to the leader, so the client needs no leader tracking of
// its own. A Client is a session: it carries the highest log index it has
// seen (from write results and reads) on every request, so whichever node
// serves it has applied the session's writes first, across reconnects.
//
// A write whose outcome is unknown (it reached a node but no result came
// back) fails with an error wrapping ErrOutcomeUnknown and is never
// retried by the client.
package client
