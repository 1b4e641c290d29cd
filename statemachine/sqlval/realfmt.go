package sqlval

import "math"

// The sqlite3 CLI 3.40 prints REAL values with SQLite's own printf: "%!.15g"
// in list, csv, line and the table modes (sqlite3_column_text) and "%!.20g"
// in json mode. That printf generates digits with x87 80-bit long double
// arithmetic, so its 16th and later digits are not those of a correctly
// rounded conversion. FormatReal reproduces it exactly by running the same
// algorithm (printf.c, etGENERIC with the '!' flag) on the x87 type.

// Precisions the CLI uses.
const (
	// TextRealPrecision is sqlite3_column_text's, of a REAL.
	TextRealPrecision = 15
	// JSONRealPrecision is json mode's and .dump's.
	JSONRealPrecision = 20
)

// roundingTerms is printf.c's arRound table.
var roundingTerms = [10]float64{5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05, 5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10}

// longDouble is the arithmetic printf's digit generation runs on: the x87
// extended type here, a big.Float model of it in the reference test.
type longDouble[T any] interface {
	add(T) T
	sub(T) T
	mul(T) T
	quo(T) T
	cmp(T) int
	// trunc is the C cast (int): the integer part, truncated.
	trunc() int64
}

// nextDigit is printf.c's et_getdigit: the next digit of *val, at most
// *left significant digits in all, then '0'.
func nextDigit[T longDouble[T]](val *T, left *int, from func(float64) T) byte {
	if *left <= 0 {
		return '0'
	}
	*left--
	d := (*val).trunc()
	*val = (*val).sub(from(float64(d))).mul(from(10))
	return byte('0' + d)
}

// FormatReal formats v as SQLite 3.40's sqlite3_snprintf("%!.<precision>g")
// does.
func FormatReal(v float64, precision int) string {
	var buf [32]byte
	if out, ok := formatRealShort(buf[:0], v, precision); ok {
		return string(out)
	}
	return formatRealWith(v, precision, x87FromFloat64)
}

// formatRealWith runs printf.c's etGENERIC conversion with the '!' flag
// on the arithmetic that from builds values of.
func formatRealWith[T longDouble[T]](v float64, precision int, from func(float64) T) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	out := make([]byte, 0, 32)
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

	ten := from(10)
	value := from(v)
	exp := 0
	if v > 0 {
		scale := from(1)
		e100, e10 := from(1e100), from(1e10)
		for value.cmp(e100.mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(e100)
			exp += 100
		}
		for value.cmp(e10.mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(e10)
			exp += 10
		}
		for value.cmp(ten.mul(scale)) >= 0 && exp <= 350 {
			scale = scale.mul(ten)
			exp++
		}
		value = value.quo(scale)
		tiny, e8, one := from(1e-8), from(1.0e8), from(1)
		for value.cmp(tiny) < 0 {
			value = value.mul(e8)
			exp -= 8
		}
		for value.cmp(one) < 0 {
			value = value.mul(ten)
			exp--
		}
		if exp > 350 {
			return string(append(out, "Inf"...))
		}
	}
	value = value.add(from(rounder))
	if value.cmp(ten) >= 0 {
		value = value.mul(from(0.1))
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
			out = append(out, nextDigit(&value, &left, from))
		}
	}
	out = append(out, '.')
	for e2++; e2 < 0; e2++ {
		out = append(out, '0')
		precision--
	}
	for ; precision > 0; precision-- {
		out = append(out, nextDigit(&value, &left, from))
	}
	// Trailing zeros go, but one digit always follows the point.
	for out[len(out)-1] == '0' {
		out = out[:len(out)-1]
	}
	if out[len(out)-1] == '.' {
		out = append(out, '0')
	}
	if exponential {
		out = appendExponent(out, exp)
	}
	return string(out)
}
