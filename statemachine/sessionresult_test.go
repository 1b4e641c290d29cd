package statemachine

import (
	"reflect"
	"testing"
)

// A recorded result decodes to what was encoded: every value type, empty
// and several statements, an error (an empty blob is []byte{}, as apply
// makes it); truncated or extended data is refused.
func TestSessionResultRoundTrip(t *testing.T) {
	for _, res := range []*Result{
		{},
		{Statements: []StatementResult{{RowsAffected: 3, LastInsertRowID: -7}}},
		{Statements: []StatementResult{
			{Columns: []string{"i", "r", "t", "b", "n"}, Rows: [][]Value{
				{Integer(-1 << 62), Real(-0.5), Text("é"), Blob([]byte{0, 1}), Null()},
				{Integer(0), Real(1e300), Text(""), Blob([]byte{}), Null()},
			}},
			{Columns: []string{"empty"}},
		}},
		{Statements: []StatementResult{{RowsAffected: 1}}, Err: &Error{Kind: ErrorRuntime, Code: 2067, Message: "UNIQUE constraint failed: t.x", Statement: 1, Offset: -1}},
		{Err: &Error{Kind: ErrorParse, Code: 1, Message: "near \"x\"", Statement: 0, Offset: 12}},
	} {
		enc := encodeResult(res)
		var got Result
		if err := decodeResult(enc, &got); err != nil {
			t.Fatalf("decode %+v: %v", res, err)
		}
		if !reflect.DeepEqual(&got, res) {
			t.Fatalf("decoded %+v, want %+v", got, res)
		}
		for _, bad := range [][]byte{enc[:len(enc)-1], append(append([]byte{}, enc...), 0), {9}} {
			if err := decodeResult(bad, &Result{}); err == nil {
				t.Fatalf("decoded a damaged encoding %x of %+v", bad, res)
			}
		}
	}
}
