package wire

import (
	"errors"
	"testing"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"github.com/resqlite/resqlite/statemachine/sqlval/rowpack"
)

// TestResponseRowsReadsBothForms: a chunk's rows read the same whether
// the node packed them or sent Row messages (a node built before the
// packed form), and a chunk that is not in the packed form is an error.
func TestResponseRowsReadsBothForms(t *testing.T) {
	rows := [][]sqlval.Value{{sqlval.Integer(-5), sqlval.Text(invalid)}, {sqlval.Null(), sqlval.Blob([]byte{})}}
	for name, resp := range map[string]*resqlitepb.QueryResponse{
		"packed":   {PackedRows: rowpack.Encode(2, rows)},
		"messages": {Rows: RowsToProto(rows)},
	} {
		got, err := ResponseRows(resp)
		if err != nil || len(got) != 2 || !HasRows(resp) {
			t.Fatalf("%s: %v, %d rows", name, err, len(got))
		}
		for i := range rows {
			for j := range rows[i] {
				if !got[i][j].Equal(rows[i][j]) {
					t.Errorf("%s: row %d col %d: %v came back as %v", name, i, j, rows[i][j], got[i][j])
				}
			}
		}
	}
	if HasRows(&resqlitepb.QueryResponse{}) {
		t.Error("an empty chunk has rows")
	}
	if _, err := ResponseRows(&resqlitepb.QueryResponse{PackedRows: []byte{1, 2}}); !errors.Is(err, rowpack.ErrMalformed) {
		t.Errorf("a cut chunk: %v", err)
	}
}
