package sqldriver

import (
	"database/sql/driver"
	"errors"

	"github.com/resqlite/resqlite/rpc/client"
)

// Result is what one statement of an applied entry reports: the rows it
// changed and the rowid of the last row it inserted (SQLite's changes()
// and last_insert_rowid() after the statement).
type Result struct {
	pending      bool
	missing      bool
	lastInsertID int64
	rowsAffected int64
}

var _ driver.Result = (*Result)(nil)

// errNoStatementResult: the node reported fewer statement results than
// statements were sent.
var errNoStatementResult = errors.New("sqldriver: the node reported no result for this statement")

// fill sets the result from statement i of r.
func (r *Result) fill(er *client.ExecResult, i int) {
	r.pending = false
	if i >= len(er.Statements) {
		r.missing = true
		return
	}
	r.lastInsertID = er.Statements[i].LastInsertRowID
	r.rowsAffected = er.Statements[i].RowsAffected
}

func (r *Result) err() error {
	switch {
	case r.pending:
		return ErrResultPending
	case r.missing:
		return errNoStatementResult
	}
	return nil
}

// LastInsertId implements driver.Result.
func (r *Result) LastInsertId() (int64, error) {
	if err := r.err(); err != nil {
		return 0, err
	}
	return r.lastInsertID, nil
}

// RowsAffected implements driver.Result.
func (r *Result) RowsAffected() (int64, error) {
	if err := r.err(); err != nil {
		return 0, err
	}
	return r.rowsAffected, nil
}
