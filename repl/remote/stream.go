package remote

import (
	"context"
	"errors"
	"fmt"
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

// rowSource is a RowStream as a repl.RowSource. It decodes packed chunks
// into the rows and values of the chunk before when its consumer
// recycled them (repl.RowRecycler).
type rowSource struct {
	ctx context.Context
	rs  *client.RowStream
	// last are the rows (and their values) Next returned last; spare is
	// set once they came back through Recycle.
	last  unpacked
	spare bool
}

func (s *rowSource) Next() ([][]repl.Value, error) {
	packed, rows, err := s.rs.NextPacked()
	var se *client.SQLError
	switch {
	case err == nil && packed != nil:
		return s.unpack(packed)
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

// unpack decodes a packed chunk straight into the REPL's values; a chunk
// that does not decode ends the stream.
func (s *rowSource) unpack(packed []byte) ([][]repl.Value, error) {
	var into unpacked
	if s.spare {
		into = s.last
	}
	s.spare = false
	got, err := packedToREPL(packed, into)
	if err != nil {
		s.rs.Close()
		return nil, fmt.Errorf("the read broke, and is not tried again: %w", err)
	}
	s.last = got
	return got.rows, nil
}

// Recycle implements repl.RowRecycler: the next chunk may be decoded
// into rows, when they are the ones Next returned last.
func (s *rowSource) Recycle(rows [][]repl.Value) {
	if len(rows) > 0 && len(s.last.rows) > 0 && &rows[0] == &s.last.rows[0] {
		s.spare = true
	}
}
