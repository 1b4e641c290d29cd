package sqlval

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// ValueType is the storage class of an SQLite value.
type ValueType uint8

const (
	// TypeNull is SQL NULL.
	TypeNull ValueType = iota
	// TypeInteger is a 64-bit signed integer.
	TypeInteger
	// TypeReal is a 64-bit IEEE float.
	TypeReal
	// TypeText is a UTF-8 string.
	TypeText
	// TypeBlob is a byte string.
	TypeBlob
)

func (t ValueType) String() string {
	switch t {
	case TypeNull:
		return "null"
	case TypeInteger:
		return "integer"
	case TypeReal:
		return "real"
	case TypeText:
		return "text"
	case TypeBlob:
		return "blob"
	}
	return fmt.Sprintf("ValueType(%d)", uint8(t))
}

// Value is one SQLite value with its storage class. Only the field that
// matches Type is meaningful.
type Value struct {
	Type ValueType
	Int  int64
	Real float64
	Text string
	Blob []byte
}

// Null returns the NULL value.
func Null() Value { return Value{} }

// Integer returns an INTEGER value.
func Integer(i int64) Value { return Value{Type: TypeInteger, Int: i} }

// Real returns a REAL value.
func Real(f float64) Value { return Value{Type: TypeReal, Real: f} }

// Text returns a TEXT value.
func Text(s string) Value { return Value{Type: TypeText, Text: s} }

// Blob returns a BLOB value.
func Blob(b []byte) Value { return Value{Type: TypeBlob, Blob: b} }

// Equal reports whether v and w have the same type and content (REAL
// values compare by bit pattern, so NaN equals itself).
func (v Value) Equal(w Value) bool {
	if v.Type != w.Type {
		return false
	}
	switch v.Type {
	case TypeInteger:
		return v.Int == w.Int
	case TypeReal:
		return math.Float64bits(v.Real) == math.Float64bits(w.Real)
	case TypeText:
		return v.Text == w.Text
	case TypeBlob:
		return bytes.Equal(v.Blob, w.Blob)
	}
	return true
}

// String renders v for messages and tests (not the sqlite3 CLI format,
// which the repl owns).
func (v Value) String() string {
	switch v.Type {
	case TypeInteger:
		return strconv.FormatInt(v.Int, 10)
	case TypeReal:
		return strconv.FormatFloat(v.Real, 'g', -1, 64)
	case TypeText:
		return strconv.Quote(v.Text)
	case TypeBlob:
		return fmt.Sprintf("x'%x'", v.Blob)
	}
	return "NULL"
}

// Param is a value bound to a statement parameter: by name when Name is
// set, including its prefix (":id", "@id", "$id"); otherwise positional,
// bound to the statement's unnamed parameters ("?", "?NNN") in index order.
type Param struct {
	Name  string
	Value Value
}
