package wire

import (
	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// ValueToProto converts one SQLite value to its wire form.
func ValueToProto(v sqlval.Value) *resqlitepb.Value {
	switch v.Type {
	case sqlval.TypeInteger:
		return &resqlitepb.Value{Kind: &resqlitepb.Value_Integer{Integer: v.Int}}
	case sqlval.TypeReal:
		return &resqlitepb.Value{Kind: &resqlitepb.Value_Real{Real: v.Real}}
	case sqlval.TypeText:
		return &resqlitepb.Value{Kind: &resqlitepb.Value_Text{Text: []byte(v.Text)}}
	case sqlval.TypeBlob:
		return &resqlitepb.Value{Kind: &resqlitepb.Value_Blob{Blob: v.Blob}}
	}
	return &resqlitepb.Value{Kind: &resqlitepb.Value_Null{Null: true}}
}

// ValueFromProto converts one wire value; an unset value is NULL.
func ValueFromProto(v *resqlitepb.Value) sqlval.Value {
	switch k := v.GetKind().(type) {
	case *resqlitepb.Value_Integer:
		return sqlval.Integer(k.Integer)
	case *resqlitepb.Value_Real:
		return sqlval.Real(k.Real)
	case *resqlitepb.Value_Text:
		return sqlval.Text(string(k.Text))
	case *resqlitepb.Value_Blob:
		return sqlval.Blob(k.Blob)
	}
	return sqlval.Null()
}

// RowsToProto converts result rows.
func RowsToProto(rows [][]sqlval.Value) []*resqlitepb.Row {
	out := make([]*resqlitepb.Row, len(rows))
	for i, r := range rows {
		out[i] = RowToProto(r)
	}
	return out
}

// RowToProto converts one result row.
func RowToProto(r []sqlval.Value) *resqlitepb.Row {
	vals := make([]*resqlitepb.Value, len(r))
	for j, v := range r {
		vals[j] = ValueToProto(v)
	}
	return &resqlitepb.Row{Values: vals}
}

// RowsFromProto converts wire rows.
func RowsFromProto(rows []*resqlitepb.Row) [][]sqlval.Value {
	out := make([][]sqlval.Value, len(rows))
	for i, r := range rows {
		out[i] = make([]sqlval.Value, len(r.GetValues()))
		for j, v := range r.GetValues() {
			out[i][j] = ValueFromProto(v)
		}
	}
	return out
}

// ParamsToProto converts bound parameters to their wire form.
func ParamsToProto(ps []sqlval.Param) []*resqlitepb.Param {
	out := make([]*resqlitepb.Param, len(ps))
	for i, p := range ps {
		out[i] = &resqlitepb.Param{Name: []byte(p.Name), Value: ValueToProto(p.Value)}
	}
	return out
}

// ParamsFromProto converts wire parameters; none is nil.
func ParamsFromProto(ps []*resqlitepb.Param) []sqlval.Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]sqlval.Param, len(ps))
	for i, p := range ps {
		out[i] = sqlval.Param{Name: string(p.GetName()), Value: ValueFromProto(p.GetValue())}
	}
	return out
}
