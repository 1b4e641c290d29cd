package rowpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// ErrMalformed is wrapped by every error about a chunk that is not in the
// packed form.
var ErrMalformed = errors.New("rowpack: malformed chunk")

// Cell is one decoded value. Bytes (TEXT and BLOB) is a sub-slice of the
// chunk; it is non-nil for an empty BLOB or TEXT.
type Cell struct {
	Type  sqlval.ValueType
	Int   int64
	Real  float64
	Bytes []byte
}

// Decoder reads the cells of one chunk in order, row by row.
type Decoder struct {
	data       []byte
	off        int
	cols, rows int
	left       int // cells not yet read
}

// NewDecoder checks a chunk's header and returns a decoder of its cells.
// A chunk whose header promises more cells than it has bytes is refused
// before anything is allocated for them.
func NewDecoder(chunk []byte) (Decoder, error) {
	if len(chunk) < 5 {
		return Decoder{}, fmt.Errorf("%w: %d bytes, shorter than a header", ErrMalformed, len(chunk))
	}
	if chunk[0] != Version {
		return Decoder{}, fmt.Errorf("%w: format version %d, this build reads %d", ErrMalformed, chunk[0], Version)
	}
	rows := uint64(binary.LittleEndian.Uint32(chunk[headerRows:]))
	cols, n := binary.Uvarint(chunk[5:])
	if n <= 0 {
		return Decoder{}, fmt.Errorf("%w: bad column count", ErrMalformed)
	}
	off := 5 + n
	body := uint64(len(chunk) - off)
	switch {
	case cols > body+1<<16:
		return Decoder{}, fmt.Errorf("%w: %d columns", ErrMalformed, cols)
	case cols == 0 && rows > 0:
		return Decoder{}, fmt.Errorf("%w: %d rows of no columns", ErrMalformed, rows)
	case cols > 0 && rows > body/cols:
		return Decoder{}, fmt.Errorf("%w: %d rows of %d columns in %d bytes", ErrMalformed, rows, cols, body)
	}
	if rows*cols == 0 && body != 0 {
		return Decoder{}, fmt.Errorf("%w: %d bytes after a header of no cells", ErrMalformed, body)
	}
	return Decoder{data: chunk, off: off, cols: int(cols), rows: int(rows), left: int(rows * cols)}, nil
}

// Cols is the chunk's column count.
func (d *Decoder) Cols() int { return d.cols }

// Rows is the chunk's row count.
func (d *Decoder) Rows() int { return d.rows }

// Next decodes the next cell. After the last cell it checks that the
// chunk ends there.
func (d *Decoder) Next() (Cell, error) {
	if d.left == 0 {
		return Cell{}, fmt.Errorf("%w: more cells read than the chunk holds", ErrMalformed)
	}
	if d.off >= len(d.data) {
		return Cell{}, d.truncated()
	}
	tag := d.data[d.off]
	d.off++
	var c Cell
	switch tag {
	case tagNull:
	case tagInteger:
		v, n := binary.Varint(d.data[d.off:])
		if n <= 0 {
			return Cell{}, d.truncated()
		}
		d.off += n
		c = Cell{Type: sqlval.TypeInteger, Int: v}
	case tagReal:
		if len(d.data)-d.off < 8 {
			return Cell{}, d.truncated()
		}
		c = Cell{Type: sqlval.TypeReal, Real: math.Float64frombits(binary.LittleEndian.Uint64(d.data[d.off:]))}
		d.off += 8
	case tagText, tagBlob:
		b, err := d.bytes()
		if err != nil {
			return Cell{}, err
		}
		c = Cell{Type: sqlval.TypeText, Bytes: b}
		if tag == tagBlob {
			c.Type = sqlval.TypeBlob
		}
	default:
		return Cell{}, fmt.Errorf("%w: unknown type tag %d at byte %d", ErrMalformed, tag, d.off-1)
	}
	d.left--
	if d.left == 0 && d.off != len(d.data) {
		return Cell{}, fmt.Errorf("%w: %d bytes after the last cell", ErrMalformed, len(d.data)-d.off)
	}
	return c, nil
}

// bytes reads a length-prefixed payload.
func (d *Decoder) bytes() ([]byte, error) {
	size, n := binary.Uvarint(d.data[d.off:])
	if n <= 0 || size > uint64(len(d.data)-d.off-n) {
		return nil, d.truncated()
	}
	start := d.off + n
	d.off = start + int(size)
	return d.data[start:d.off:d.off], nil
}

func (d *Decoder) truncated() error {
	return fmt.Errorf("%w: truncated at byte %d", ErrMalformed, d.off)
}

// Values decodes a whole chunk into rows of values: two allocations for
// the chunk, none per cell (TEXT shares the chunk's bytes, which must not
// change afterwards; BLOB is a sub-slice of them).
func Values(chunk []byte) (cols int, rows [][]sqlval.Value, err error) {
	d, err := NewDecoder(chunk)
	if err != nil {
		return 0, nil, err
	}
	cells := make([]sqlval.Value, d.rows*d.cols)
	for i := range cells {
		c, err := d.Next()
		if err != nil {
			return 0, nil, err
		}
		cells[i] = c.Value()
	}
	rows = make([][]sqlval.Value, d.rows)
	for i := range rows {
		rows[i] = cells[i*d.cols : (i+1)*d.cols : (i+1)*d.cols]
	}
	return d.cols, rows, nil
}

// Value is the cell as an sqlval.Value; TEXT shares the cell's bytes.
func (c Cell) Value() sqlval.Value {
	switch c.Type {
	case sqlval.TypeInteger:
		return sqlval.Integer(c.Int)
	case sqlval.TypeReal:
		return sqlval.Real(c.Real)
	case sqlval.TypeText:
		return sqlval.Text(c.String())
	case sqlval.TypeBlob:
		return sqlval.Blob(c.Bytes)
	}
	return sqlval.Null()
}

// String is a TEXT or BLOB cell's bytes as a string sharing them (no
// copy): valid as long as the chunk's bytes do not change.
func (c Cell) String() string {
	if len(c.Bytes) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(c.Bytes), len(c.Bytes))
}
