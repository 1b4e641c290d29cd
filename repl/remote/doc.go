// Package remote connects the REPL to a ReSqlite cluster: it adapts the
// service's Go client (rpc/client) to the repl.Client interface. It owns
// the translation between the two: SQLite values and their types, a
// statement's SQLite error (code, message, parse or runtime, offset),
// errors of a request as a whole (no leader, unreachable node, cancelled),
// and writes whose outcome is unknown, which stay recognisable as
// repl.ErrOutcomeUnknown and are never retried.
//
// The dependency points one way: main → repl/remote → repl and rpc/client;
// nothing in rpc imports the REPL.
package remote
