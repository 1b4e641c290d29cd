package repl

// ValueKind is the SQLite storage class of a result value.
type ValueKind uint8

// The five SQLite storage classes.
const (
	KindNull ValueKind = iota
	KindInteger
	KindReal
	KindText
	KindBlob
)

// String names the storage class as SQLite's typeof() does.
func (k ValueKind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindInteger:
		return "integer"
	case KindReal:
		return "real"
	case KindText:
		return "text"
	case KindBlob:
		return "blob"
	}
	return "unknown"
}

// Value is one typed cell of a result row. Exactly the field that matches
// Kind is meaningful.
type Value struct {
	Kind  ValueKind
	Int   int64   // KindInteger
	Real  float64 // KindReal
	Text  string  // KindText
	Bytes []byte  // KindBlob
}

// Null returns the SQL NULL value.
func Null() Value { return Value{Kind: KindNull} }

// Integer returns an INTEGER value.
func Integer(v int64) Value { return Value{Kind: KindInteger, Int: v} }

// Real returns a REAL value.
func Real(v float64) Value { return Value{Kind: KindReal, Real: v} }

// Text returns a TEXT value.
func Text(v string) Value { return Value{Kind: KindText, Text: v} }

// Blob returns a BLOB value.
func Blob(v []byte) Value { return Value{Kind: KindBlob, Bytes: v} }
