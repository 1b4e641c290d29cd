package repl

import (
	"context"
	"errors"
	"io"
)

// RowSource delivers the rows of a streamed read as they arrive
// (Result.More).
type RowSource interface {
	// Next returns the next rows, at least one, or io.EOF after the last.
	// A statement error SQLite reported after some rows comes as
	// *SQLError after them.
	Next() ([][]Value, error)
	// Close abandons the rows not yet read.
	Close()
}

// StreamingClient is a Client that can stream a read's result: QueryStream
// is Query with the rows left in Result.More, delivered as they arrive,
// instead of in Result.Rows. The shell prints them as they come.
type StreamingClient interface {
	QueryStream(ctx context.Context, sql string, level Consistency, params ...Param) (Result, error)
}

// RowRecycler is a RowSource that can reuse the memory of rows it
// delivered once its consumer is done with them.
type RowRecycler interface {
	// Recycle hands back rows Next returned; nothing reads them after.
	Recycle(rows [][]Value)
}

// pull replaces r.Rows with the next rows More delivers; it reports false
// at the end of the result (r.Rows then empty), recording in r.moreErr a
// failure that ended it early. The rows it replaces go back to More for
// reuse: its callers keep no row of them.
func (r *Result) pull() bool {
	if rec, ok := r.More.(RowRecycler); ok && len(r.Rows) > 0 {
		rec.Recycle(r.Rows)
	}
	r.Rows = nil
	if r.More == nil {
		return false
	}
	rows, err := r.More.Next()
	if err != nil {
		r.endMore(err)
		return false
	}
	r.Rows = rows
	return true
}

// endMore closes More after err (io.EOF at the end of the result).
func (r *Result) endMore(err error) {
	r.More.Close()
	r.More = nil
	if !errors.Is(err, io.EOF) {
		r.moreErr = err
	}
}

// fill reads from More into r.Rows until it holds at least n rows or the
// result ends.
func (r *Result) fill(n int) {
	for len(r.Rows) < n && r.More != nil {
		rows, err := r.More.Next()
		if err != nil {
			r.endMore(err)
			return
		}
		r.Rows = append(r.Rows, rows...)
	}
}

// collect reads the whole result into r.Rows.
func (r *Result) collect() {
	for r.More != nil {
		r.fill(len(r.Rows) + 1)
	}
}

// eachRow calls fn with each row of the result, Rows and then those More
// delivers, numbered from 0; only one delivery of rows is held at a time.
func (r *Result) eachRow(fn func(n int, row []Value)) {
	n := 0
	for {
		for _, row := range r.Rows {
			fn(n, row)
			n++
		}
		if !r.pull() {
			break
		}
	}
	r.walked = int64(n)
}

// rowCount is the number of rows the result returned (as printed).
func (r *Result) rowCount() int64 {
	return max(r.walked, int64(len(r.Rows)))
}

// streamError is the failure that ended a streamed result early, if any
// (after its rows were printed).
func (r *Result) streamError() error {
	if r.More != nil {
		r.More.Close()
		r.More = nil
	}
	return r.moreErr
}

// closeStreams abandons the rest of every streamed result in rs.
func closeStreams(rs []Result) {
	for i := range rs {
		rs[i].streamError()
	}
}
