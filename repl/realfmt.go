package repl

import (
	"math"
	"math/big"
)

// The sqlite3 CLI 3.40 prints REAL values with SQLite's own printf: "%!.15g"
// in list, csv, line and the table modes (sqlite3_column_text) and "%!.20g"
// in json mode. That printf generates digits with x87 80-bit long double
// arithmetic, so its 16th and later digits are not those of a correctly
// rounded conversion. formatReal reproduces it exactly by doing the same
// operations on big.Float values with a 64-bit significand rounded to
// nearest-even, which is what each x87 extended-precision operation does.

// longDoublePrec is the significand width of the x87 extended format.
const longDoublePrec = 64

// Precisions the CLI uses.
const (
	textRealPrecision = 15 // sqlite3_column_text of a REAL
	jsonRealPrecision = 20 // json mode
)

// roundingTerms is printf.c's arRound table.
var roundingTerms = [10]float64{5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10}

// longDouble is one x87 extended-precision value.
type longDouble struct{ f *big.Float }

func newLongDouble(v float64) longDouble {
	return longDouble{new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven).SetFloat64(v)}
}

func (x longDouble) op(fn func(z, a, b *big.Float) *big.Float, y longDouble) longDouble {
	z := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	fn(z, x.f, y.f)
	return longDouble{z}
}

func (x longDouble) add(y longDouble) longDouble { return x.op((*big.Float).Add, y) }
func (x longDouble) sub(y longDouble) longDouble { return x.op((*big.Float).Sub, y) }
func (x longDouble) mul(y longDouble) longDouble { return x.op((*big.Float).Mul, y) }
func (x longDouble) quo(y longDouble) longDouble { return x.op((*big.Float).Quo, y) }
func (x longDouble) cmp(y longDouble) int        { return x.f.Cmp(y.f) }
func (x longDouble) cmpFloat(v float64) int      { return x.cmp(newLongDouble(v)) }

// digit is printf.c's et_getdigit: the next digit of *val, at most *left
// significant digits in all, then '0'.
func (x *longDouble) digit(left *int) byte {
	if *left <= 0 {
		return '0'
	}
	*left--
	d, _ := x.f.Int64() // truncation, as the C cast (int)
	*x = x.sub(newLongDouble(float64(d))).mul(newLongDouble(10))
	return byte('0' + d)
}

// formatReal formats v as SQLite 3.40's sqlite3_snprintf("%!.<precision>g")
// does.
func formatReal(v float64, precision int) string {
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

	value := newLongDouble(v)
	exp := 0
	if v > 0 {
		scale := newLongDouble(1)
		for value.cmp(newLongDouble(1e100).mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(newLongDouble(1e100))
			exp += 100
		}
		for value.cmp(newLongDouble(1e10).mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(newLongDouble(1e10))
			exp += 10
		}
		for value.cmp(newLongDouble(10).mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(newLongDouble(10))
			exp++
		}
		value = value.quo(scale)
		for value.cmpFloat(1e-8) < 0 {
			value = value.mul(newLongDouble(1.0e8))
			exp -= 8
		}
		for value.cmpFloat(1.0) < 0 {
			value = value.mul(newLongDouble(10))
			exp--
		}
		if exp > 350 {
			return string(append(out, "Inf"...))
		}
	}
	value = value.add(newLongDouble(rounder))
	if value.cmpFloat(10.0) >= 0 {
		value = value.mul(newLongDouble(0.1))
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
