package resqlitepb

import "github.com/resqlite/resqlite/statemachine"

// This file is written by hand (scripts/gen-proto.sh leaves it alone): the
// conversions between the wire's Value and the state machine's, shared by
// the server and the client.

// ValueToProto converts one SQLite value to its wire form.
func ValueToProto(v statemachine.Value) *Value {
	switch v.Type {
	case statemachine.TypeInteger:
		return &Value{Kind: &Value_Integer{Integer: v.Int}}
	case statemachine.TypeReal:
		return &Value{Kind: &Value_Real{Real: v.Real}}
	case statemachine.TypeText:
		return &Value{Kind: &Value_Text{Text: v.Text}}
	case statemachine.TypeBlob:
		return &Value{Kind: &Value_Blob{Blob: v.Blob}}
	}
	return &Value{Kind: &Value_Null{Null: true}}
}

// ValueFromProto converts one wire value; an unset value is NULL.
func ValueFromProto(v *Value) statemachine.Value {
	switch k := v.GetKind().(type) {
	case *Value_Integer:
		return statemachine.Integer(k.Integer)
	case *Value_Real:
		return statemachine.Real(k.Real)
	case *Value_Text:
		return statemachine.Text(k.Text)
	case *Value_Blob:
		return statemachine.Blob(k.Blob)
	}
	return statemachine.Null()
}
