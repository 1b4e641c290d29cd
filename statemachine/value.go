package statemachine

import "github.com/resqlite/resqlite/statemachine/sqlval"

// The value types are shared with the client side and defined in sqlval;
// these aliases keep the state machine's API as it was.
type (
	// ValueType is the storage class of an SQLite value.
	ValueType = sqlval.ValueType
	// Value is one SQLite value with its storage class.
	Value = sqlval.Value
	// Param is a value bound to a statement parameter.
	Param = sqlval.Param
)

// The storage classes (see sqlval).
const (
	TypeNull    = sqlval.TypeNull
	TypeInteger = sqlval.TypeInteger
	TypeReal    = sqlval.TypeReal
	TypeText    = sqlval.TypeText
	TypeBlob    = sqlval.TypeBlob
)

// Null returns the NULL value.
func Null() Value { return sqlval.Null() }

// Integer returns an INTEGER value.
func Integer(i int64) Value { return sqlval.Integer(i) }

// Real returns a REAL value.
func Real(f float64) Value { return sqlval.Real(f) }

// Text returns a TEXT value.
func Text(s string) Value { return sqlval.Text(s) }

// Blob returns a BLOB value.
func Blob(b []byte) Value { return sqlval.Blob(b) }
