// Package statemachine owns ReSqlite's replicated state: an SQLite database
// (modernc.org/sqlite, no cgo) that committed Raft entries are applied to,
// deterministically, on every node.
//
// It provides:
//   - the entry payload codec (EncodeCommand / DecodeCommand): one or more
//     SQL statements with bound parameters that apply atomically;
//   - StateMachine, which implements raft.StateMachine: batched apply on one
//     write connection with a SAVEPOINT per entry, per-statement results,
//     the applied index stored in the same transaction as the data, and
//     snapshots taken and restored through SQLite's backup API;
//   - the determinism policy: SQLite's authorizer names every function and
//     action a write would perform (fired triggers and used column defaults
//     included), and non-deterministic ones are rejected with an error that
//     names them; the date/time functions are overridden on the apply
//     connection to reject 'now', a missing time value and the
//     'localtime'/'utc' modifiers;
//   - reads on separate read-only connections (Query), a wait for an applied
//     index (WaitApplied), the pre-check the client service runs before
//     proposing (Precheck), and a content digest for tests and status.
//
// The fixed settings of the apply connection are listed in settings.go.
package statemachine
