package sqldriver

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/resqlite/resqlite/rpc/client"
)

// Tx collects the statements of a transaction; Commit sends them as one
// entry, applied all or none, the way the REPL sends a BEGIN…COMMIT
// block.
type Tx struct {
	c       *Conn
	ctx     context.Context // BeginTx's: it bounds Commit too
	stmts   []client.Statement
	results []*Result
}

var _ driver.Tx = (*Tx)(nil)

// add collects stmt and returns its Result, filled at Commit.
func (t *Tx) add(stmt client.Statement) *Result {
	r := &Result{pending: true}
	t.stmts = append(t.stmts, stmt)
	t.results = append(t.results, r)
	return r
}

// Commit implements driver.Tx: the statements go as one entry. If one
// fails, none applies, and the error (a *client.SQLError inside) names
// it.
func (t *Tx) Commit() error {
	t.end()
	if len(t.stmts) == 0 {
		return nil
	}
	if err := t.ctx.Err(); err != nil {
		return err
	}
	r, err := t.c.cl.Execute(t.ctx, t.stmts...)
	if err != nil {
		return ctxError(t.ctx, fmt.Errorf("sqldriver: commit: %w", err))
	}
	if r.Err != nil {
		return fmt.Errorf("sqldriver: transaction rolled back: statement %d of %d failed: %w", r.Err.Statement+1, len(t.stmts), r.Err)
	}
	for i, res := range t.results {
		res.fill(r, i)
	}
	return nil
}

// Rollback implements driver.Tx: the statements are discarded (nothing
// of them was sent).
func (t *Tx) Rollback() error {
	t.end()
	t.stmts, t.results = nil, nil
	return nil
}

// end closes t on its connection (unless the connection already dropped
// it for its done context, and may have begun another since).
func (t *Tx) end() {
	if t.c.tx == t {
		t.c.tx = nil
	}
}
