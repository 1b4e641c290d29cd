package sqlval

import "math/big"

// formatRealReference runs FormatReal's printf algorithm on big.Float
// values with a 64-bit significand rounded to nearest-even, which is what
// each x87 extended-precision operation does. It is slow (many allocations
// per digit); it is the reference the fast x87 emulation is checked
// against.

// longDoublePrec is the significand width of the x87 extended format.
const longDoublePrec = 64

// bigLongDouble is one x87 extended-precision value held in a big.Float.
type bigLongDouble struct{ f *big.Float }

func newBigLongDouble(v float64) bigLongDouble {
	return bigLongDouble{new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven).SetFloat64(v)}
}

func (x bigLongDouble) op(fn func(z, a, b *big.Float) *big.Float, y bigLongDouble) bigLongDouble {
	z := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	fn(z, x.f, y.f)
	return bigLongDouble{z}
}

func (x bigLongDouble) add(y bigLongDouble) bigLongDouble { return x.op((*big.Float).Add, y) }
func (x bigLongDouble) sub(y bigLongDouble) bigLongDouble { return x.op((*big.Float).Sub, y) }
func (x bigLongDouble) mul(y bigLongDouble) bigLongDouble { return x.op((*big.Float).Mul, y) }
func (x bigLongDouble) quo(y bigLongDouble) bigLongDouble { return x.op((*big.Float).Quo, y) }
func (x bigLongDouble) cmp(y bigLongDouble) int           { return x.f.Cmp(y.f) }

// trunc is the C cast (int): the integer part, truncated.
func (x bigLongDouble) trunc() int64 {
	d, _ := x.f.Int64()
	return d
}

// formatRealReference formats v as SQLite 3.40's
// sqlite3_snprintf("%!.<precision>g") does, on big.Float arithmetic.
func formatRealReference(v float64, precision int) string {
	return formatRealWith(v, precision, newBigLongDouble)
}
