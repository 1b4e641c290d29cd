package sqldriver

import (
	"database/sql/driver"
	"io"

	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Rows iterates over a read's result.
type Rows struct {
	columns []string
	rows    [][]client.Value
	next    int
}

var _ driver.Rows = (*Rows)(nil)

// Columns implements driver.Rows.
func (r *Rows) Columns() []string { return r.columns }

// Close implements driver.Rows.
func (r *Rows) Close() error {
	r.rows, r.next = nil, 0
	return nil
}

// Next implements driver.Rows: values arrive as int64, float64, string,
// []byte or nil (NULL), by their SQLite storage class.
func (r *Rows) Next(dest []driver.Value) error {
	if r.next >= len(r.rows) {
		return io.EOF
	}
	row := r.rows[r.next]
	r.next++
	for i := range dest {
		dest[i] = nil
		if i < len(row) {
			dest[i] = goValue(row[i])
		}
	}
	return nil
}

// goValue maps an SQLite value to the Go value database/sql expects.
func goValue(v client.Value) driver.Value {
	switch v.Type {
	case sqlval.TypeInteger:
		return v.Int
	case sqlval.TypeReal:
		return v.Real
	case sqlval.TypeText:
		return v.Text
	case sqlval.TypeBlob:
		if v.Blob == nil {
			return []byte{}
		}
		return v.Blob
	}
	return nil
}
