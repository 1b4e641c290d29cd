package statemachine

import (
	"context"
	"unsafe"

	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
	sqlite3 "modernc.org/sqlite/lib"
)

// PackedSink receives a read's result packed (rowpack) as SQLite steps
// it, with no Go value made per cell: Columns is called once with the
// column names (also for a result without rows) and must Begin a chunk
// in Enc; each row is then appended to Enc straight from the statement's
// columns, and Row is called after it (with the read's context, as for a
// RowFunc) to hand the chunk over once it is big enough.
type PackedSink struct {
	Enc     *rowpack.Encoder
	Columns func(cols []string) error
	Row     func(ctx context.Context) error
}

// QueryPacked runs one read-only statement as QueryEach does, but appends
// its rows to sink.Enc in the packed form instead of handing each over as
// values.
func (sm *StateMachine) QueryPacked(ctx context.Context, sql string, params []Param, sink PackedSink) error {
	return sm.queryEach(ctx, sql, params, rowSink{columns: sink.Columns, packed: &sink})
}

// appendRow appends the current row of stmt (n columns) to enc, copying
// TEXT and BLOB from SQLite's memory with no intermediate Go value. Each
// cell is read through one sqlite3_column_value: every sqlite3_column_*
// call takes and releases the connection's mutex (modernc.org/sqlite
// opens connections FULLMUTEX), the sqlite3_value_* calls on the value it
// returns do not, and a conn is used by one goroutine at a time.
func (c *conn) appendRow(enc *rowpack.Encoder, stmt uintptr, n int) {
	for i := range n {
		v := sqlite3.Xsqlite3_column_value(c.tls, stmt, int32(i))
		switch sqlite3.Xsqlite3_value_type(c.tls, v) {
		case sqlite3.SQLITE_INTEGER:
			enc.Int(sqlite3.Xsqlite3_value_int64(c.tls, v))
		case sqlite3.SQLITE_FLOAT:
			enc.Real(sqlite3.Xsqlite3_value_double(c.tls, v))
		case sqlite3.SQLITE_TEXT:
			p := sqlite3.Xsqlite3_value_text(c.tls, v)
			enc.Text(cBytes(p, sqlite3.Xsqlite3_value_bytes(c.tls, v)))
		case sqlite3.SQLITE_BLOB:
			p := sqlite3.Xsqlite3_value_blob(c.tls, v)
			enc.Blob(cBytes(p, sqlite3.Xsqlite3_value_bytes(c.tls, v)))
		default:
			enc.Null()
		}
	}
	enc.EndRow()
}

// cBytes is a view of size bytes of C memory at p (nil for none), valid
// until SQLite frees or changes them: the caller copies them at once.
func cBytes(p uintptr, size int32) []byte {
	if p == 0 || size <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptr(p)), int(size))
}
