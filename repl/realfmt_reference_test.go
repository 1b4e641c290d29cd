package repl

import (
	"math"
	"math/big"
)

// formatRealReference is the first, simple implementation of formatReal:
// the same printf algorithm on big.Float values with a 64-bit significand
// rounded to nearest-even, which is what each x87 extended-precision
// operation does. It is slow (many allocations per digit); it stays as the
// reference the fast x87 emulation is checked against.

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
func (x bigLongDouble) cmpFloat(v float64) int            { return x.cmp(newBigLongDouble(v)) }

// digit is printf.c's et_getdigit: the next digit of *val, at most *left
// significant digits in all, then '0'.
func (x *bigLongDouble) digit(left *int) byte {
	if *left <= 0 {
		return '0'
	}
	*left--
	d, _ := x.f.Int64() // truncation, as the C cast (int)
	*x = x.sub(newBigLongDouble(float64(d))).mul(newBigLongDouble(10))
	return byte('0' + d)
}

// formatRealReference formats v as SQLite 3.40's
// sqlite3_snprintf("%!.<precision>g") does.
func formatRealReference(v float64, precision int) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	var out []byte
	if v < 0 {
		out = append(out, '-')
		v = -v
	}
	if math.IsInf(v, 0) {
		return string(append(out, "Inf"...))
	}
	if precision > 0 {
		precision-- // %g counts the digit before the point
	}
	idx := precision & 0xfff
	rounder := roundingTerms[idx%10]
	for ; idx >= 10; idx -= 10 {
		rounder *= 1.0e-10
	}

	value := newBigLongDouble(v)
	exp := 0
	if v > 0 {
		scale := newBigLongDouble(1)
		for value.cmp(newBigLongDouble(1e100).mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(newBigLongDouble(1e100))
			exp += 100
		}
		for value.cmp(newBigLongDouble(1e10).mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(newBigLongDouble(1e10))
			exp += 10
		}
		for value.cmp(newBigLongDouble(10).mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(newBigLongDouble(10))
			exp++
		}
		value = value.quo(scale)
		for value.cmpFloat(1e-8) < 0 {
			value = value.mul(newBigLongDouble(1.0e8))
			exp -= 8
		}
		for value.cmpFloat(1.0) < 0 {
			value = value.mul(newBigLongDouble(10))
			exp--
		}
		if exp > 350 {
			return string(append(out, "Inf"...))
		}
	}
	value = value.add(newBigLongDouble(rounder))
	if value.cmpFloat(10.0) >= 0 {
		value = value.mul(newBigLongDouble(0.1))
		exp++
	}

	exponential := exp < -4 || exp > precision
	e2 := 0
	if !exponential {
		precision -= exp
		e2 = exp
	}
	left := 26 // significant digits available with the '!' flag
	if e2 < 0 {
		out = append(out, '0')
	} else {
		for ; e2 >= 0; e2-- {
			out = append(out, value.digit(&left))
		}
	}
	out = append(out, '.')
	for e2++; e2 < 0; e2++ {
		out = append(out, '0')
		precision--
	}
	for ; precision > 0; precision-- {
		out = append(out, value.digit(&left))
	}
	// Trailing zeros go, but one digit always follows the point.
	for out[len(out)-1] == '0' {
		out = out[:len(out)-1]
	}
	if out[len(out)-1] == '.' {
		out = append(out, '0')
	}
	if exponential {
		out = append(out, 'e')
		if exp < 0 {
			out = append(out, '-')
			exp = -exp
		} else {
			out = append(out, '+')
		}
		if exp >= 100 {
			out = append(out, byte('0'+exp/100))
			exp %= 100
		}
		out = append(out, byte('0'+exp/10), byte('0'+exp%10))
	}
	return string(out)
}
