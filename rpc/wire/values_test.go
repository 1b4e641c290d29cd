package wire

import (
	"math"
	"testing"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// TestValueRoundTrip: every SQLite type survives the wire unchanged, and
// an unset wire value is NULL.
func TestValueRoundTrip(t *testing.T) {
	for _, v := range []sqlval.Value{
		sqlval.Null(), sqlval.Integer(math.MinInt64), sqlval.Real(-0.1),
		sqlval.Text("a\x00é"), sqlval.Blob([]byte{0, 0xff}), sqlval.Blob([]byte{}),
	} {
		if got := ValueFromProto(ValueToProto(v)); !got.Equal(v) || got.Type != v.Type {
			t.Errorf("%v (%v) came back as %v (%v)", v, v.Type, got, got.Type)
		}
	}
	if got := ValueFromProto(nil); got.Type != sqlval.TypeNull {
		t.Errorf("nil wire value is %v, want NULL", got)
	}
}

// TestParamsAndRowsRoundTrip: names, values and shapes survive the wire.
func TestParamsAndRowsRoundTrip(t *testing.T) {
	ps := []sqlval.Param{{Name: ":a", Value: sqlval.Text("x")}, {Value: sqlval.Integer(7)}}
	back := ParamsFromProto(ParamsToProto(ps))
	if len(back) != len(ps) || back[0].Name != ":a" || !back[0].Value.Equal(ps[0].Value) || back[1].Name != "" || !back[1].Value.Equal(ps[1].Value) {
		t.Errorf("params %v came back as %v", ps, back)
	}
	if got := ParamsFromProto(nil); got != nil {
		t.Errorf("no wire params are %v, want nil", got)
	}
	rows := [][]sqlval.Value{{sqlval.Integer(1), sqlval.Null()}, {}}
	rb := RowsFromProto(RowsToProto(rows))
	if len(rb) != 2 || len(rb[0]) != 2 || len(rb[1]) != 0 || !rb[0][0].Equal(rows[0][0]) || rb[0][1].Type != sqlval.TypeNull {
		t.Errorf("rows %v came back as %v", rows, rb)
	}
}

// TestErrorKindRoundTrip: every kind survives the wire; the zero kind is
// UNSPECIFIED on it.
func TestErrorKindRoundTrip(t *testing.T) {
	for _, k := range []sqlval.ErrorKind{sqlval.ErrorParse, sqlval.ErrorRuntime, sqlval.ErrorRejected, sqlval.ErrorMalformed} {
		w := ErrorKindToProto(k)
		if w == resqlitepb.ErrorKind_ERROR_KIND_UNSPECIFIED {
			t.Errorf("%v has no wire form", k)
		}
		if got := ErrorKindFromProto(w); got != k {
			t.Errorf("%v came back as %v", k, got)
		}
	}
	if got := ErrorKindToProto(0); got != resqlitepb.ErrorKind_ERROR_KIND_UNSPECIFIED {
		t.Errorf("zero kind is %v on the wire", got)
	}
	if got := ErrorKindFromProto(resqlitepb.ErrorKind_ERROR_KIND_UNSPECIFIED); got != 0 {
		t.Errorf("UNSPECIFIED came back as %v", got)
	}
}
