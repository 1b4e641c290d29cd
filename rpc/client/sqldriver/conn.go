package sqldriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/rpc/client"
)

// Conn is one database/sql connection: a view of the connector's shared
// client that may hold an open transaction. database/sql uses a Conn
// from one goroutine at a time.
type Conn struct {
	cl    *client.Client
	level client.Consistency
	// owner, set when the Conn was opened alone (Driver.Open), is closed
	// with it.
	owner *Connector
	tx    *Tx
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
)

// Prepare implements driver.Conn.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext implements driver.ConnPrepareContext. The statement
// holds the SQL only: the node prepares it on every execution.
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Stmt{c: c, query: query}, nil
}

// Close implements driver.Conn; an open transaction is discarded.
func (c *Conn) Close() error {
	c.tx = nil
	if c.owner != nil {
		return c.owner.Close()
	}
	return nil
}

// Begin implements driver.Conn.
func (c *Conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx implements driver.ConnBeginTx. Every entry is applied in
// isolation, one after another, so the default, serializable and
// linearizable levels are what a transaction gets; a read-only
// transaction could only read, which a transaction cannot.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.openTx() != nil {
		return nil, errors.New("sqldriver: a transaction is already open on this connection")
	}
	if opts.ReadOnly {
		return nil, fmt.Errorf("sqldriver: read-only transactions are not supported: %w", ErrReadInTransaction)
	}
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault, sql.LevelSerializable, sql.LevelLinearizable:
	default:
		return nil, fmt.Errorf("sqldriver: isolation level %v is not supported (transactions are serializable)", sql.IsolationLevel(opts.Isolation))
	}
	c.tx = &Tx{c: c, ctx: ctx}
	return c.tx, nil
}

// openTx returns the open transaction, or nil. A transaction whose
// context is done is over: database/sql's Commit then fails at once and
// rolls it back from another goroutine, possibly after the connection
// was used again.
func (c *Conn) openTx() *Tx {
	if c.tx != nil && c.tx.ctx.Err() != nil {
		c.tx = nil
	}
	return c.tx
}

// Ping implements driver.Pinger: the node answers a Status request.
func (c *Conn) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := c.cl.Status(ctx); err != nil {
		return ctxError(ctx, fmt.Errorf("sqldriver: ping: %w", err))
	}
	return nil
}

// ExecContext implements driver.ExecerContext: one statement as one
// entry, or, inside a transaction, one more statement of its entry.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	params, err := bindParams(query, args)
	if err != nil {
		return nil, err
	}
	stmt := client.Statement{SQL: query, Params: params}
	if tx := c.openTx(); tx != nil {
		return tx.add(stmt), nil
	}
	r, err := c.cl.Execute(ctx, stmt)
	if err != nil {
		return nil, ctxError(ctx, fmt.Errorf("sqldriver: exec: %w", err))
	}
	if r.Err != nil {
		return nil, r.Err
	}
	res := &Result{}
	res.fill(r, 0)
	return res, nil
}

// QueryContext implements driver.QueryerContext: one read-only statement
// at the connector's consistency level.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.openTx() != nil {
		return nil, ErrReadInTransaction
	}
	params, err := bindParams(query, args)
	if err != nil {
		return nil, err
	}
	rows, err := c.cl.Query(ctx, c.level, query, params...)
	if err != nil {
		var se *client.SQLError
		if errors.As(err, &se) && ctx.Err() == nil {
			return nil, se
		}
		return nil, ctxError(ctx, fmt.Errorf("sqldriver: query: %w", err))
	}
	return &Rows{columns: rows.Columns, rows: rows.Rows}, nil
}
