// Package sqldriver is a database/sql driver over the Go client
// (rpc/client), registered as "resqlite":
//
//	db, err := sql.Open("resqlite", "127.0.0.1:4001,127.0.0.1:4002?consistency=lease")
//
// The data source name lists one or more node addresses (the first is
// dialed, the others are fall-backs; the client also learns the members
// from the node) and takes the options consistency (linearizable, the
// default, lease or local: the level of every read) and connect_timeout
// (a Go duration bounding the connection to one node).
//
// All connections of one sql.DB share one client, and so one session:
// a read on any of them sees the writes made on any other (the session's
// index travels with every request). Exec applies one statement as one
// log entry; Query runs one read-only statement at the DSN's consistency
// (a statement that writes fails there: use Exec). Placeholders ?, ?NNN,
// :name, @name and $name travel as parameters, never interpolated; a
// named argument (sql.Named) binds the parameters of that name with
// whichever of the prefixes :, @ and $ the statement uses. A statement
// with unnamed parameters only must get as many arguments as it numbers
// (SQLite would bind NULL to a missing one).
//
// A transaction collects its statements and Commit sends them as one
// entry, applied all or none; Rollback discards them. Nothing reaches the
// cluster before Commit, so a read inside a transaction fails with
// ErrReadInTransaction instead of returning rows the transaction's own
// writes are missing from, and an Exec's Result inside a transaction is
// known only after Commit (before, its methods return ErrResultPending).
//
// A write whose outcome is unknown (it reached a node but no answer came
// back, the context was cancelled after it was sent) fails with an error
// wrapping client.ErrOutcomeUnknown and is never retried. An error that
// a cancelled or expired context caused wraps the context's error. A
// statement's SQL error is a *client.SQLError.
//
// Like the client, the driver links no server code: neither SQLite nor
// the raft core (rpc/client/deps_test.go checks it).
package sqldriver
