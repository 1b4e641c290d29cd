package wire

import (
	"fmt"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
)

// ResponseRows returns the rows of one chunk of a read's result, whether
// the node packed them (packed_rows) or sent Row messages (a node built
// before the packed form). Packed TEXT values share the chunk's bytes,
// which nothing changes after they were received.
func ResponseRows(r *resqlitepb.QueryResponse) ([][]sqlval.Value, error) {
	if p := r.GetPackedRows(); len(p) > 0 {
		_, rows, err := rowpack.Values(p)
		if err != nil {
			return nil, fmt.Errorf("wire: rows of a read: %w", err)
		}
		return rows, nil
	}
	return RowsFromProto(r.GetRows()), nil
}

// HasRows reports whether a chunk of a read's result carries rows.
func HasRows(r *resqlitepb.QueryResponse) bool {
	return len(r.GetPackedRows()) > 0 || len(r.GetRows()) > 0
}
