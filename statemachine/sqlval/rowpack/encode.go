package rowpack

import (
	"encoding/binary"
	"math"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Version is the format version a chunk's first byte names.
const Version = 1

// headerRows is where the row count sits in a chunk.
const headerRows = 1

// The type tags of cells.
const (
	tagNull    = 0
	tagInteger = 1
	tagReal    = 2
	tagText    = 3
	tagBlob    = 4
)

// Encoder builds one chunk in a buffer it appends to: Begin, then each
// row's cells followed by EndRow, then Bytes. It allocates only when the
// buffer must grow.
type Encoder struct {
	buf  []byte
	rows int
}

// Begin starts a chunk of rows of cols columns in buf (its contents are
// dropped; its capacity is reused).
func (e *Encoder) Begin(buf []byte, cols int) {
	buf = append(buf[:0], Version, 0, 0, 0, 0)
	e.buf = binary.AppendUvarint(buf, uint64(cols))
	e.rows = 0
}

// Null appends a NULL cell.
func (e *Encoder) Null() { e.buf = append(e.buf, tagNull) }

// Int appends an INTEGER cell.
func (e *Encoder) Int(v int64) {
	e.buf = binary.AppendVarint(append(e.buf, tagInteger), v)
}

// Real appends a REAL cell.
func (e *Encoder) Real(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(append(e.buf, tagReal), math.Float64bits(v))
}

// Text appends a TEXT cell holding b's bytes (copied).
func (e *Encoder) Text(b []byte) { e.bytes(tagText, b) }

// TextString appends a TEXT cell holding s's bytes.
func (e *Encoder) TextString(s string) {
	e.buf = append(binary.AppendUvarint(append(e.buf, tagText), uint64(len(s))), s...)
}

// Blob appends a BLOB cell holding b's bytes (copied; nil is an empty
// BLOB, not NULL).
func (e *Encoder) Blob(b []byte) { e.bytes(tagBlob, b) }

func (e *Encoder) bytes(tag byte, b []byte) {
	e.buf = append(binary.AppendUvarint(append(e.buf, tag), uint64(len(b))), b...)
}

// Value appends a cell holding v.
func (e *Encoder) Value(v sqlval.Value) {
	switch v.Type {
	case sqlval.TypeInteger:
		e.Int(v.Int)
	case sqlval.TypeReal:
		e.Real(v.Real)
	case sqlval.TypeText:
		e.TextString(v.Text)
	case sqlval.TypeBlob:
		e.Blob(v.Blob)
	default:
		e.Null()
	}
}

// EndRow counts the row whose cells were just appended; the caller
// appends exactly the chunk's column count of cells per row.
func (e *Encoder) EndRow() { e.rows++ }

// Rows is the number of rows in the chunk so far.
func (e *Encoder) Rows() int { return e.rows }

// Len is the chunk's size in bytes so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Bytes finishes the chunk and returns it; the encoder is done with the
// buffer until the next Begin.
func (e *Encoder) Bytes() []byte {
	binary.LittleEndian.PutUint32(e.buf[headerRows:], uint32(e.rows))
	b := e.buf
	e.buf = nil
	return b
}

// Encode packs rows of cols columns into one chunk (for results already
// held in memory).
func Encode(cols int, rows [][]sqlval.Value) []byte {
	var e Encoder
	e.Begin(nil, cols)
	for _, r := range rows {
		for _, v := range r {
			e.Value(v)
		}
		e.EndRow()
	}
	return e.Bytes()
}
