package remote

import (
	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// entryParams returns the parameters of e's statement i, or nil.
func entryParams(e repl.Entry, i int) []repl.Param {
	if i < len(e.Params) {
		return e.Params[i]
	}
	return nil
}

// paramsToRPC converts bound parameters, keeping their storage class.
func paramsToRPC(params []repl.Param) []client.Param {
	if len(params) == 0 {
		return nil
	}
	out := make([]client.Param, len(params))
	for i, p := range params {
		out[i] = client.Param{Name: p.Name, Value: valueToRPC(p.Value)}
	}
	return out
}

// valueToRPC converts one value, keeping its storage class.
func valueToRPC(v repl.Value) client.Value {
	switch v.Kind {
	case repl.KindInteger:
		return sqlval.Integer(v.Int)
	case repl.KindReal:
		return sqlval.Value{Type: sqlval.TypeReal, Real: v.Real}
	case repl.KindText:
		return sqlval.Value{Type: sqlval.TypeText, Text: v.Text}
	case repl.KindBlob:
		b := v.Bytes
		if b == nil {
			b = []byte{}
		}
		return sqlval.Value{Type: sqlval.TypeBlob, Blob: b}
	}
	return sqlval.Null()
}
