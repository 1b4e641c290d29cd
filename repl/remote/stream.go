package remote

import (
	"context"
	"errors"
	"io"

	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
)

// QueryStream implements repl.StreamingClient: Query whose rows are left
// in Result.More, delivered as the node streams them.
func (c *Client) QueryStream(ctx context.Context, sql string, level repl.Consistency, params ...repl.Param) (repl.Result, error) {
	rs, err := c.rpc.QueryStream(ctx, consistencyToRPC(level), sql, paramsToRPC(params)...)
	if err != nil {
		return readFailure(ctx, err)
	}
	return streamToResult(ctx, rs), nil
}

// streamToResult is a streamed read as the REPL's Result: its rows come
// from More.
func streamToResult(ctx context.Context, rs *client.RowStream) repl.Result {
	return repl.Result{Columns: rs.Columns, More: &rowSource{ctx: ctx, rs: rs}}
}

// rowSource is a RowStream as a repl.RowSource.
type rowSource struct {
	ctx context.Context
	rs  *client.RowStream
}

func (s *rowSource) Next() ([][]repl.Value, error) {
	rows, err := s.rs.Next()
	var se *client.SQLError
	switch {
	case err == nil:
		return rowsToREPL(rows), nil
	case errors.Is(err, io.EOF):
		return nil, io.EOF
	case errors.As(err, &se):
		return nil, sqlErrorToREPL(se)
	case s.ctx.Err() != nil:
		return nil, interrupted()
	}
	return nil, mapError(s.ctx, err)
}

func (s *rowSource) Close() { s.rs.Close() }
