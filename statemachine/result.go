package statemachine

import (
	"fmt"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// StatementResult is what one statement of an applied Command produced.
// Every field is the same on every node.
type StatementResult struct {
	// RowsAffected is the number of rows the statement inserted, updated or
	// deleted itself (as sqlite3_changes counts them; 0 for other statements).
	RowsAffected int64
	// LastInsertRowID is the rowid of the last row the statement inserted,
	// or 0 if it inserted none.
	LastInsertRowID int64
	// Columns and Rows are the rows the statement returned (a SELECT in a
	// block, INSERT … RETURNING), with SQLite's per-value types.
	Columns []string
	Rows    [][]Value
}

// ErrorKind says at which point a statement failed (shared with the
// client side; defined in sqlval).
type ErrorKind = sqlval.ErrorKind

// The error kinds (see sqlval).
const (
	ErrorParse     = sqlval.ErrorParse
	ErrorRuntime   = sqlval.ErrorRuntime
	ErrorRejected  = sqlval.ErrorRejected
	ErrorMalformed = sqlval.ErrorMalformed
)

// Error is a statement error caused by the SQL or the data, identical on
// every node: it is a result, not a failure of the node.
type Error struct {
	Kind ErrorKind
	// Code is SQLite's extended result code (SQLITE_AUTH for rejections).
	Code int
	// Message is SQLite's message, or ReSqlite's for rejections.
	Message string
	// Statement is the index of the failing statement in its Command.
	Statement int
	// Offset is the byte offset of the error in that statement's SQL text
	// when SQLite reports one, else -1.
	Offset int
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s error in statement %d: %s (%d)", e.Kind, e.Statement+1, e.Message, e.Code)
}

// Result is the outcome of applying one normal entry, returned by Apply
// (as *Result) for the proposer.
type Result struct {
	// Index is the log index of the entry.
	Index uint64
	// Statements holds the result of every statement that ran, in order.
	// When Err is set the entry wrote nothing, and Statements holds the
	// statements before the failing one (whose effects were rolled back).
	Statements []StatementResult
	// Err is the error that made the entry roll back, or nil.
	Err *Error

	// SessionID is set on a registration's result: the new client
	// session's id (the entry's index).
	SessionID uint64
	// Repeat is set when a session write repeated a sequence number the
	// session had applied already: nothing was applied again, and Index,
	// Statements and Err are the recorded result of the original entry;
	// NotRetained tells that its result was too large to keep (Statements
	// and Err are then empty).
	Repeat      bool
	NotRetained bool
	// SessionErr is set when a session write was refused for its session:
	// it applied nothing and Statements and Err are empty.
	SessionErr *SessionError
}

// SessionErrorKind says why a session write was refused.
type SessionErrorKind int

const (
	// SessionUnknown: the session was never registered or it expired; the
	// write was not applied (and an earlier copy's result is lost).
	SessionUnknown SessionErrorKind = iota + 1
	// SessionOutOfOrder: the write's sequence number is beyond the next one
	// the session expects; the client must resend from ResendFrom, in order.
	SessionOutOfOrder
	// SessionAcked: the sequence number is at or below what the client
	// acknowledged, so its result was discarded.
	SessionAcked
)

// SessionError is a session write's refusal, the same on every node.
type SessionError struct {
	Kind     SessionErrorKind
	ClientID uint64
	Seq      uint64
	// ResendFrom is, for SessionOutOfOrder, the sequence number the session
	// expects next.
	ResendFrom uint64
	Message    string
}

func (e *SessionError) Error() string { return e.Message }
