// Package sqlval owns the vocabulary that both ends of ReSqlite's wire
// share and that needs neither SQLite nor Raft to be understood: an SQLite
// value with its storage class (Value) and a bound parameter (Param), the
// kinds of statement errors (ErrorKind), the size limit of one gRPC
// message (MaxMessageSize), the names ReSqlite reserves for its own
// objects with the filter that hides them from schema listings
// (ReservedPrefix, the internal tables, HideInternalObjects,
// HasReservedPrefix, IsInternalTable),
// SQL identifier quoting (QuoteIdent), and REALs printed with the sqlite3
// CLI's digits (FormatReal), which the REPL and the state machine's dump
// share.
//
// It imports nothing of the project, so the state machine, the client
// service, the Go client (rpc/client) and the REPL all use it, and a
// client binary links neither SQLite nor the raft core. The statemachine
// package re-exports these names as aliases.
package sqlval
