package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/rpc/wire"
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// RowStream is a read's result as the node streams it: the columns and the
// applied index are known when the stream is returned, the rows come
// chunk by chunk from Next as the node steps the statement. Nothing of a
// stream is tried again once it was returned: a failure after that ends it
// with an error (the caller may have used rows already).
type RowStream struct {
	// Columns are the result's column names.
	Columns []string
	// AppliedIndex is the index the read was served at (at least).
	AppliedIndex uint64

	// recv returns the next chunk (io.EOF after the last).
	recv func() (*resqlitepb.QueryResponse, error)
	// pending is a chunk whose rows were not yet returned (pendingRows
	// of them).
	pending     *resqlitepb.QueryResponse
	pendingRows int
	// err ends the stream once pending is returned (io.EOF at its end).
	err       error
	delivered int
	cancel    context.CancelFunc
	// feed is set for a session read's stream.
	feed *feed
}

// Next returns the next rows of the result, at least one, or io.EOF after
// the last. A statement error that SQLite reported after some rows comes
// as *SQLError after those rows.
func (rs *RowStream) Next() ([][]Value, error) {
	chunk, err := rs.nextChunk()
	if err != nil {
		return nil, err
	}
	rows, err := wire.ResponseRows(chunk)
	if err != nil {
		rs.end(rs.broke(err))
		return nil, rs.err
	}
	return rows, nil
}

// NextPacked is Next for a consumer that decodes packed rows itself
// (rowpack), sparing the values Next makes of them: it returns the next
// chunk's rows packed when the node packed them, and as values otherwise
// (a node built before the packed form). A packed chunk's bytes are the
// consumer's; nothing changes them.
func (rs *RowStream) NextPacked() (packed []byte, rows [][]Value, err error) {
	chunk, err := rs.nextChunk()
	if err != nil {
		return nil, nil, err
	}
	if p := chunk.GetPackedRows(); len(p) > 0 {
		return p, nil, nil
	}
	return nil, wire.RowsFromProto(chunk.GetRows()), nil
}

// nextChunk returns the next chunk that carries rows, or the stream's end.
func (rs *RowStream) nextChunk() (*resqlitepb.QueryResponse, error) {
	for {
		if rs.pending != nil {
			chunk := rs.pending
			rs.pending = nil
			rs.delivered += rs.pendingRows
			return chunk, nil
		}
		if rs.err != nil {
			return nil, rs.err
		}
		chunk, err := rs.recv()
		switch {
		case errors.Is(err, io.EOF):
			rs.end(io.EOF)
		case err != nil:
			rs.end(rs.broke(err))
		default:
			rs.take(chunk)
		}
	}
}

// broke is the error that ends a stream broken by err.
func (rs *RowStream) broke(err error) error {
	return fmt.Errorf("client: the read broke after %d rows were delivered, and is not tried again: %w", rs.delivered, err)
}

// take queues a chunk that carries rows; its SQL error ends the stream
// after them, and so does a chunk whose packed header is malformed
// (before its rows).
func (rs *RowStream) take(chunk *resqlitepb.QueryResponse) {
	n := len(chunk.GetRows())
	if p := chunk.GetPackedRows(); len(p) > 0 {
		d, err := rowpack.NewDecoder(p)
		if err != nil {
			rs.end(rs.broke(err))
			return
		}
		n = d.Rows()
	}
	if n > 0 {
		rs.pending, rs.pendingRows = chunk, n
	}
	if e := chunk.GetError(); e != nil {
		rs.end(sqlErrorFromProto(e))
	}
}

// end records the stream's end and releases it.
func (rs *RowStream) end(err error) {
	rs.err = err
	if rs.cancel != nil {
		rs.cancel()
	}
}

// Close abandons the rest of the stream; the node ends the read.
func (rs *RowStream) Close() {
	if rs.err == nil {
		rs.end(errors.New("client: row stream closed"))
	}
	rs.pending = nil
}

// QueryStream runs one read-only statement as Query does but returns its
// rows as they arrive, never holding the whole result: it returns once
// the first chunk came (the node's read transaction is open, the columns
// are known). Until then a read that fails because its node cannot be
// reached or cannot confirm its data is tried again, on the next node,
// within the deadline (Options.Timeout or ctx's); the deadline bounds
// only that wait: the rows then come as long as the caller takes them
// (the node ends a read whose client takes nothing for its idle limit).
// ctx must stay live while the stream is read. A statement's SQL error
// before any row is returned as *SQLError.
func (c *Client) QueryStream(ctx context.Context, level Consistency, sql string, params ...Param) (*RowStream, error) {
	dctx, cancel := c.withDeadline(ctx)
	defer cancel()
	for n := 0; ; n++ {
		rs, retry, err := c.openStream(ctx, dctx, level, sql, params)
		if !retry || dctx.Err() != nil || backoff(dctx, n) != nil {
			return rs, err
		}
	}
}

// openStream sends one read and waits for its first chunk; retry reports
// a failure after which the read may be tried on another node.
func (c *Client) openStream(ctx, dctx context.Context, level Consistency, sql string, params []Param) (rs *RowStream, retry bool, err error) {
	rc, err := c.ready(dctx)
	if err != nil {
		return nil, false, err
	}
	sctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(dctx, cancel)
	stream, err := rc.Query(sctx, &resqlitepb.QueryRequest{Sql: []byte(sql), Params: wire.ParamsToProto(params), Consistency: level, MinIndex: c.SeenIndex(), Packed: true})
	if err != nil {
		stop()
		cancel()
		c.dropConn()
		return nil, true, err
	}
	chunk, err := stream.Recv()
	if !stop() {
		cancel()
		return nil, false, fmt.Errorf("client: no rows of the read before the deadline: %w", dctx.Err())
	}
	if err != nil {
		cancel()
		if errors.Is(err, io.EOF) {
			return nil, false, errors.New("client: the node ended the read without a result")
		}
		retry, err = c.readFailure(dctx, err, stream.Trailer())
		return nil, retry, err
	}
	if e := chunk.GetError(); e != nil && !wire.HasRows(chunk) {
		cancel()
		return nil, false, sqlErrorFromProto(e)
	}
	c.Observe(chunk.GetAppliedIndex())
	rs = &RowStream{Columns: stringsOf(chunk.GetColumns()), AppliedIndex: chunk.GetAppliedIndex(), recv: stream.Recv, cancel: cancel}
	rs.take(chunk)
	return rs, false, nil
}

// readFailure classifies the failure of a read before its first chunk:
// retry when the node could not be reached or could not confirm its data
// (then the next read goes to another node).
func (c *Client) readFailure(ctx context.Context, err error, trailer map[string][]string) (retry bool, _ error) {
	if !isVerdict(trailer) {
		c.dropConn()
		return ctx.Err() == nil, err
	}
	if status.Code(err) == codes.DeadlineExceeded {
		// This node could not confirm its data: try another.
		c.skipNode()
	}
	return status.Code(err) == codes.Unavailable || status.Code(err) == codes.DeadlineExceeded, err
}

// stringsOf converts column names from the wire.
func stringsOf(b [][]byte) []string { return wire.Strings(b) }
