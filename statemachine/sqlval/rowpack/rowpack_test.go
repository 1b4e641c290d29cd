package rowpack

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// edgeValues are the values whose exact round trip is easiest to get
// wrong.
var edgeValues = []sqlval.Value{
	sqlval.Null(),
	sqlval.Integer(0), sqlval.Integer(-1), sqlval.Integer(1),
	sqlval.Integer(math.MinInt64), sqlval.Integer(math.MaxInt64),
	sqlval.Real(0), sqlval.Real(math.Copysign(0, -1)), sqlval.Real(math.Inf(1)), sqlval.Real(math.Inf(-1)),
	sqlval.Real(math.SmallestNonzeroFloat64), sqlval.Real(math.MaxFloat64), sqlval.Real(0.1),
	sqlval.Text(""), sqlval.Text("a\x00b"), sqlval.Text("caf\xe9 \xff\xc3"), sqlval.Text("é"),
	sqlval.Blob([]byte{}), sqlval.Blob([]byte{0, 0xff, 0}), sqlval.Blob(nil),
}

// same reports v and w equal as stored values: type and content, REALs by
// bit pattern, an empty BLOB equal to a nil one (both are the empty BLOB).
func same(v, w sqlval.Value) bool { return v.Equal(w) }

func checkRoundTrip(t *testing.T, cols int, rows [][]sqlval.Value) {
	t.Helper()
	chunk := Encode(cols, rows)
	gotCols, got, err := Values(chunk)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if gotCols != cols || len(got) != len(rows) {
		t.Fatalf("%d rows of %d columns came back as %d of %d", len(rows), cols, len(got), gotCols)
	}
	for i := range rows {
		for j := range rows[i] {
			v, w := rows[i][j], got[i][j]
			if !same(v, w) {
				t.Fatalf("row %d col %d: %v (%v) came back as %v (%v)", i, j, v, v.Type, w, w.Type)
			}
			if v.Type == sqlval.TypeBlob && w.Blob == nil {
				t.Fatalf("row %d col %d: an empty BLOB came back nil", i, j)
			}
		}
	}
}

// TestEdgeValuesRoundTrip: every edge value, alone and all in one row,
// comes back with its type and its exact bits.
func TestEdgeValuesRoundTrip(t *testing.T) {
	for _, v := range edgeValues {
		checkRoundTrip(t, 1, [][]sqlval.Value{{v}})
	}
	checkRoundTrip(t, len(edgeValues), [][]sqlval.Value{edgeValues, edgeValues})
	checkRoundTrip(t, 0, nil)
	checkRoundTrip(t, 3, nil)
	// -0.0 keeps its sign bit.
	_, rows, _ := Values(Encode(1, [][]sqlval.Value{{sqlval.Real(math.Copysign(0, -1))}}))
	if !math.Signbit(rows[0][0].Real) {
		t.Error("-0.0 lost its sign")
	}
}

// randomValue draws a value of any type, favouring the edges.
func randomValue(r *rand.Rand) sqlval.Value {
	switch r.IntN(6) {
	case 0:
		return sqlval.Null()
	case 1:
		return sqlval.Integer(int64(r.Uint64()) >> r.IntN(64))
	case 2:
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) { // SQLite stores NaN as NULL: never a REAL.
			f = math.Inf(1)
		}
		return sqlval.Real(f)
	case 3:
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return sqlval.Text(string(b))
	case 4:
		b := make([]byte, r.IntN(3))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return sqlval.Blob(b)
	}
	return edgeValues[r.IntN(len(edgeValues))]
}

// TestRandomChunksRoundTrip is the codec's property: any rows of any
// values decode to exactly what was encoded.
func TestRandomChunksRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		cols := r.IntN(8)
		rows := make([][]sqlval.Value, r.IntN(50))
		if cols == 0 {
			rows = nil
		}
		for i := range rows {
			rows[i] = make([]sqlval.Value, cols)
			for j := range rows[i] {
				rows[i][j] = randomValue(r)
			}
		}
		checkRoundTrip(t, cols, rows)
	}
}

// TestEncoderReusesItsBuffer: a chunk built in a buffer with room
// allocates nothing per cell.
func TestEncoderReusesItsBuffer(t *testing.T) {
	buf := make([]byte, 0, 1<<16)
	text := []byte("item-12345")
	var e Encoder
	allocs := testing.AllocsPerRun(100, func() {
		e.Begin(buf, 4)
		for i := range 500 {
			e.Int(int64(i))
			e.Text(text)
			e.Real(0.25)
			e.Null()
			e.EndRow()
		}
		buf = e.Bytes()
	})
	if allocs != 0 {
		t.Errorf("encoding 500 rows into a buffer with room allocated %v times", allocs)
	}
}

// TestMalformedChunksAreRefused: cut, padded and lying chunks are errors
// (ErrMalformed), never a panic or a huge allocation.
func TestMalformedChunksAreRefused(t *testing.T) {
	good := Encode(2, [][]sqlval.Value{{sqlval.Integer(300), sqlval.Text("abc")}, {sqlval.Real(1), sqlval.Blob([]byte{1})}})
	bad := map[string][]byte{
		"empty":         nil,
		"short header":  good[:4],
		"bad version":   append([]byte{9}, good[1:]...),
		"trailing":      append(append([]byte{}, good...), 0),
		"unknown tag":   {Version, 1, 0, 0, 0, 1, 7},
		"rows, no cols": {Version, 1, 0, 0, 0, 0},
		"huge count":    {Version, 0xff, 0xff, 0xff, 0xff, 1, 0},
		"huge cols":     {Version, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"long text":     {Version, 1, 0, 0, 0, 1, tagText, 0xff, 0x01, 'a'},
	}
	for i := 5; i < len(good); i++ {
		bad["cut"+string(rune('a'+i))] = good[:i]
	}
	for name, b := range bad {
		if _, _, err := Values(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s (%x): got %v, want ErrMalformed", name, b, err)
		}
	}
}

// FuzzDecode: no input makes the decoder panic, and what it accepts
// encodes back to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(Encode(len(edgeValues), [][]sqlval.Value{edgeValues}))
	f.Add([]byte{Version, 1, 0, 0, 0, 1, tagInteger, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, rows, err := Values(b)
		if err != nil {
			return
		}
		if back := Encode(cols, rows); string(back) != string(b) && !nonMinimal(b) {
			t.Fatalf("%x decoded and re-encoded as %x", b, back)
		}
	})
}

// nonMinimal reports a chunk that uses a longer varint than needed (the
// decoder accepts it; the encoder never writes it).
func nonMinimal(b []byte) bool {
	d, err := NewDecoder(b)
	if err != nil {
		return false
	}
	for range d.rows * d.cols {
		start := d.off
		c, err := d.Next()
		if err != nil {
			return false
		}
		var e Encoder
		e.Begin(nil, 0)
		e.Value(c.Value())
		if d.off-start != e.Len()-6 {
			return true
		}
	}
	return len(b) > 5 && b[5]&0x80 != 0 // the column count's varint
}
