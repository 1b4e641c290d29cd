package repl

import (
	"errors"
	"fmt"
)

// Result is what one SQL statement produced: the rows it returned, or the
// rows it changed, or the SQLite error it failed with.
type Result struct {
	// Columns are the result column names, empty for statements that
	// return no columns.
	Columns []string
	// Rows are the returned rows, each with len(Columns) values.
	Rows [][]Value
	// RowsAffected is sqlite3_changes64() after an INSERT, UPDATE or
	// DELETE statement, and 0 after any other statement.
	RowsAffected int64
	// LastInsertRowID is sqlite3_last_insert_rowid() after the statement.
	LastInsertRowID int64
	// Err is the SQLite error the statement failed with, or nil.
	Err *SQLError
	// More, when not nil, delivers the rest of a streamed read's rows,
	// after Rows, as they arrive (StreamingClient).
	More RowSource

	// walked counts the rows eachRow went through; moreErr is the failure
	// that ended More early.
	walked  int64
	moreErr error
}

// ErrorPhase says whether a statement failed while it was prepared (parsed)
// or while it was stepped (run).
type ErrorPhase uint8

// The phases a statement can fail in; the sqlite3 CLI calls them "Parse
// error" and "Runtime error". PhaseOther is for errors outside both, which
// the CLI prints as plain "Error".
const (
	PhaseOther ErrorPhase = iota
	PhaseParse
	PhaseRuntime
)

// SQLError is an error reported by SQLite for one statement.
type SQLError struct {
	// Code is the SQLite result code (primary code, e.g. 19 for
	// SQLITE_CONSTRAINT).
	Code int
	// Message is sqlite3_errmsg() text, e.g. "UNIQUE constraint failed: t.a".
	Message string
	// Phase is when the error happened.
	Phase ErrorPhase
	// Offset is sqlite3_error_offset(): the byte offset in the statement
	// text the error points at, or -1 when SQLite gives none.
	Offset int
}

// Error returns the message with the code, as the sqlite3 CLI shows it.
func (e *SQLError) Error() string {
	if e.Code > 1 {
		return fmt.Sprintf("%s (%d)", e.Message, e.Code)
	}
	return e.Message
}

// ErrOutcomeUnknown is returned (wrapped) by a Client when a write was sent
// but its fate is not known: it may or may not have been committed.
var ErrOutcomeUnknown = errors.New("write outcome unknown")
