package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
)

// Client is a repl.Client over the ReSqlite service: one session of the
// rpc client, which carries the highest log index the session has seen so
// that every node serving it reads the session's own writes.
type Client struct {
	rpc *client.Client
}

var _ repl.Client = (*Client)(nil)

// New adapts an rpc client. The caller keeps ownership of c; Close closes
// it.
func New(c *client.Client) *Client { return &Client{rpc: c} }

// Dial connects to the node at addr (failing over to opts.Fallback) and
// returns the adapted client. It fails when no node answers within the
// connect timeout.
func Dial(ctx context.Context, addr string, opts client.Options) (*Client, error) {
	c, err := client.Dial(ctx, addr, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %s", addr, describe(err))
	}
	return New(c), nil
}

// RPC returns the underlying rpc client.
func (c *Client) RPC() *client.Client { return c.rpc }

// Close closes the connection.
func (c *Client) Close() error { return c.rpc.Close() }

// Execute implements repl.Client. A block is one entry, all or nothing;
// the statements of an entry that is not a block apply one by one, up to
// the first that fails.
func (c *Client) Execute(ctx context.Context, e repl.Entry) ([]repl.Result, error) {
	if len(e.Statements) == 0 {
		return nil, errors.New("an entry needs at least one statement")
	}
	if e.Block || len(e.Statements) == 1 {
		r, err := c.rpc.Execute(ctx, statementsToRPC(e)...)
		if err != nil {
			return nil, mapError(ctx, err)
		}
		return execResultsToREPL(r, len(e.Statements)), nil
	}
	var out []repl.Result
	for i, s := range e.Statements {
		rs, err := c.Execute(ctx, repl.Entry{Statements: []string{s}, Params: [][]repl.Param{entryParams(e, i)}})
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		if rs[len(rs)-1].Err != nil {
			break
		}
	}
	return out, nil
}

// Query implements repl.Client. The service runs reads on a read-only
// connection, so a statement that would write fails as a Result error. A
// read the caller interrupts fails as SQLite's "interrupted".
func (c *Client) Query(ctx context.Context, sql string, level repl.Consistency, params ...repl.Param) (repl.Result, error) {
	rows, err := c.rpc.Query(ctx, consistencyToRPC(level), sql, paramsToRPC(params)...)
	if err != nil {
		return readFailure(ctx, err)
	}
	return rowsToResult(rows), nil
}

// readFailure is the Result of a read that failed with err: an SQL error,
// an interruption or a refusal the REPL reports as the statement's error,
// or the error that ends the run.
func readFailure(ctx context.Context, err error) (repl.Result, error) {
	var se *client.SQLError
	switch {
	case errors.As(err, &se):
		return repl.Result{Err: sqlErrorToREPL(se)}, nil
	case ctx.Err() != nil:
		return repl.Result{Err: interrupted()}, nil
	}
	if e, ok := refusedRead(err); ok {
		return repl.Result{Err: e}, nil
	}
	return repl.Result{}, mapError(ctx, err)
}

// Status implements repl.Client.
func (c *Client) Status(ctx context.Context) (repl.Status, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return repl.Status{}, mapError(ctx, err)
	}
	return statusToREPL(st), nil
}

// Members implements repl.Client: the members as the leader sees them.
func (c *Client) Members(ctx context.Context) ([]repl.Member, error) {
	ms, err := c.rpc.Members(ctx)
	if err != nil {
		return nil, mapError(ctx, err)
	}
	return membersToREPL(ms.GetMembers(), ms.GetLeaderId()), nil
}

// TakeSnapshot implements repl.Client.
func (c *Client) TakeSnapshot(ctx context.Context) (uint64, error) {
	index, err := c.rpc.TakeSnapshot(ctx)
	return index, mapError(ctx, err)
}

// TransferLeadership implements repl.Client.
func (c *Client) TransferLeadership(ctx context.Context, to uint64) (uint64, error) {
	leader, err := c.rpc.TransferLeadership(ctx, to)
	return leader, mapError(ctx, err)
}

// RemoveMember implements repl.Client.
func (c *Client) RemoveMember(ctx context.Context, id uint64) error {
	_, err := c.rpc.RemoveMember(ctx, id)
	return mapError(ctx, err)
}
