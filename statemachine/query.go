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
// *Error; ctx cancels a running query. It holds the whole result in
// memory; QueryEach streams it.
func (sm *StateMachine) Query(ctx context.Context, sql string, params ...Param) (*Rows, error) {
	var out *Rows
	err := sm.QueryEach(ctx, sql, params,
		func(cols []string) error { out = &Rows{Columns: cols}; return nil },
		func(_ context.Context, row []Value) error { out.Rows = append(out.Rows, row); return nil })
	if err != nil {
		return nil, err
	}
	return out, nil
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

func (r *reader) query(ctx context.Context, sql string, params []Param, sink rowSink) error {
	if err := r.beginSnapshot(); err != nil {
		return err
	}
	defer r.endSnapshot()
	c := r.c
	r.pol.reset(modeRead)
	stmt, n, err := c.prepare(sql)
	if err != nil {
		return r.queryError(err, ErrorParse)
	}
	if stmt == 0 {
		return &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_ERROR, Message: "empty statement", Offset: -1}
	}
	defer c.finalize(stmt)
	if rest := sql[n:]; strings.TrimSpace(rest) != "" {
		next, _, err := c.prepare(rest)
		c.finalize(next)
		if err != nil || next != 0 {
			return &Error{Kind: ErrorParse, Code: sqlite3.SQLITE_ERROR, Message: "a query holds one statement", Offset: n}
		}
	}
	if !c.readOnly(stmt) && !c.isExplain(stmt) && !askingPragma(sql, r.pol) {
		return ErrNotReadOnly
	}
	if err := c.bind(stmt, params); err != nil {
		return r.queryError(err, ErrorRuntime)
	}
	defer r.cancelOn(ctx)()
	return r.step(ctx, stmt, sink)
}

// step steps stmt to its end, handing its columns and then each row to
// sink as they come: only the row being handed over is in Go memory.
func (r *reader) step(ctx context.Context, stmt uintptr, sink rowSink) error {
	c := r.c
	ncol := -1
	for {
		rc := sqlite3.Xsqlite3_step(c.tls, stmt)
		if ncol < 0 && (rc == sqlite3.SQLITE_ROW || rc == sqlite3.SQLITE_DONE) {
			// Columns are read after the first step: a statement prepared
			// against this connection's stale schema (another connection
			// changed it) is re-prepared inside sqlite3_step, and only
			// then are its columns those of the current schema.
			cols := c.columns(stmt)
			ncol = len(cols)
			if err := sink.columns(cols); err != nil {
				return err
			}
		}
		if rc == sqlite3.SQLITE_ROW {
			if err := sink.take(ctx, c, stmt, ncol); err != nil {
				return err
			}
			continue
		}
		if rc == sqlite3.SQLITE_DONE {
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return r.queryError(c.lastError(rc), ErrorRuntime)
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

// take hands the current row of stmt to the sink, in the sink's form.
func (sink rowSink) take(ctx context.Context, c *conn, stmt uintptr, ncol int) error {
	if p := sink.packed; p != nil {
		c.appendRow(p.Enc, stmt, ncol)
		return p.Row(ctx)
	}
	return sink.row(ctx, c.row(stmt, ncol))
}
