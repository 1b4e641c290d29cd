package statemachine

import (
	"context"
	"errors"
	"strings"

	sqlite3 "modernc.org/sqlite/lib"
)

// Rows is the result of a Query: column names and rows with SQLite's
// per-value types.
type Rows struct {
	Columns []string
	Rows    [][]Value
}

// ErrNotReadOnly is returned by Query for a statement that would change the
// database; such a statement must go through the log.
var ErrNotReadOnly = errors.New("statemachine: statement is not read-only; send it as a write")

// Query runs one read-only statement on a read connection, which never
// blocks apply and sees the database as of the last committed batch. Any
// function may be used (random(), 'now', …). SQL errors come back as
// *Error; ctx cancels a running query.
func (sm *StateMachine) Query(ctx context.Context, sql string, params ...Param) (*Rows, error) {
	r, err := sm.acquireReader(ctx)
	if err != nil {
		return nil, err
	}
	defer sm.releaseReader(r)
	if err := sm.arm(r); err != nil {
		return nil, err
	}
	return r.query(ctx, sql, params)
}

// arm readies a reader taken from the pool for a read that Close cancels:
// it clears the reader's cancel flag, then looks at closed. Close sets
// closed before it sets every flag, so a read that passes this check is
// canceled by Close and none is left running.
func (sm *StateMachine) arm(r *reader) error {
	r.cancel.clear()
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.closed {
		return ErrClosed
	}
	return nil
}

// cancelOn makes the end of ctx cancel the statement running on r until
// stop is called; stop returns once a cancellation under way is done, so
// the reader goes back to the pool with no cancel pending from ctx.
func (r *reader) cancelOn(ctx context.Context) (stop func()) {
	canceled := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		r.cancel.cancel()
		close(canceled)
	})
	return func() {
		if !stopAfter() {
			<-canceled
		}
	}
}

func (r *reader) query(ctx context.Context, sql string, params []Param) (*Rows, error) {
	if err := r.beginSnapshot(); err != nil {
		return nil, err
	}
	defer r.endSnapshot()
	c := r.c
	r.pol.reset(modeRead)
	stmt, n, err := c.prepare(sql)
	if err != nil {
		return nil, r.queryError(err, ErrorParse)
	}
	if stmt == 0 {
		return nil, &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_ERROR, Message: "empty statement", Offset: -1}
	}
	defer c.finalize(stmt)
	if rest := sql[n:]; strings.TrimSpace(rest) != "" {
		next, _, err := c.prepare(rest)
		c.finalize(next)
		if err != nil || next != 0 {
			return nil, &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_ERROR, Message: "a query holds one statement", Offset: n}
		}
	}
	if !c.readOnly(stmt) && !c.isExplain(stmt) && !askingPragma(sql, r.pol) {
		return nil, ErrNotReadOnly
	}
	if err := c.bind(stmt, params); err != nil {
		return nil, r.queryError(err, ErrorRuntime)
	}
	defer r.cancelOn(ctx)()
	var out *Rows
	ncol := 0
	for {
		rc := sqlite3.Xsqlite3_step(c.tls, stmt)
		if out == nil && (rc == sqlite3.SQLITE_ROW || rc == sqlite3.SQLITE_DONE) {
			// Columns are read after the first step: a statement prepared
			// against this connection's stale schema (another connection
			// changed it) is re-prepared inside sqlite3_step, and only
			// then are its columns those of the current schema.
			out = &Rows{Columns: c.columns(stmt)}
			ncol = len(out.Columns)
		}
		if rc == sqlite3.SQLITE_ROW {
			out.Rows = append(out.Rows, c.row(stmt, ncol))
			continue
		}
		if rc == sqlite3.SQLITE_DONE {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, r.queryError(c.lastError(rc), ErrorRuntime)
	}
}

// queryError turns an error of a read into *Error when the statement caused
// it.
func (r *reader) queryError(err error, kind ErrorKind) error {
	if r.pol.violation != "" {
		return &Error{Kind: ErrorRejected, Code: sqlite3.SQLITE_AUTH, Message: r.pol.violation, Offset: -1}
	}
	var se *sqliteError
	if !errors.As(err, &se) || isEnvironment(se.code) {
		return err
	}
	return &Error{Kind: kind, Code: se.code, Message: se.msg, Offset: se.offset}
}

// askingPragma reports a PRAGMA that SQLite does not call read-only
// although it is given no value (PRAGMA journal_mode: SQLite marks the
// PRAGMAs that could change the file as writes, whatever their form) and
// that the authorizer let through as a read: it only reports, on a
// connection opened read-only.
func askingPragma(sql string, pol *policy) bool {
	return firstKeyword(sql) == "PRAGMA" && !pol.wrote() && pol.violation == ""
}
