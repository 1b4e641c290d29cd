package resqlitepb

import (
	"math"
	"testing"

	"github.com/resqlite/resqlite/statemachine"
)

// TestValueRoundTrip: every SQLite type survives the wire unchanged, and
// an unset wire value is NULL.
func TestValueRoundTrip(t *testing.T) {
	for _, v := range []statemachine.Value{
		statemachine.Null(), statemachine.Integer(math.MinInt64), statemachine.Real(-0.1),
		statemachine.Text("a\x00é"), statemachine.Blob([]byte{0, 0xff}), statemachine.Blob([]byte{}),
	} {
		if got := ValueFromProto(ValueToProto(v)); !got.Equal(v) || got.Type != v.Type {
			t.Errorf("%v (%v) came back as %v (%v)", v, v.Type, got, got.Type)
		}
	}
	if got := ValueFromProto(nil); got.Type != statemachine.TypeNull {
		t.Errorf("nil wire value is %v, want NULL", got)
	}
}
