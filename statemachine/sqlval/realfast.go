package sqlval

import (
	"math"
	"strconv"
)

// formatRealShort is FormatReal's fast path for the common REAL: a normal
// double whose shortest round-trip decimal form (strconv) has at most
// precision (at most 15) significant digits. Such a value lies within
// half an ulp (2^-53 of it) of that decimal d, far inside the half unit
// of the precision-th digit around d (at least 5×10^-16 of it), so
// printf's x87 digit generation, whose error is far smaller still, rounds
// it to d's digits too: only the layout is left to do, as formatRealWith
// lays its digits out. ok is false for any other value (zero, subnormal,
// infinite, NaN, more digits, a higher precision).
func formatRealShort(dst []byte, v float64, precision int) (out []byte, ok bool) {
	a := math.Abs(v)
	if precision > 15 || precision < 1 || !(a >= 0x1p-1022) || math.IsInf(a, 0) {
		return dst, false
	}
	var buf, dbuf [32]byte
	e := strconv.AppendFloat(buf[:0], a, 'e', -1, 64) // d.ddde±XX
	digits, exp, ok := splitExponential(e, &dbuf)
	if !ok || len(digits) > precision {
		return dst, false
	}
	if v < 0 {
		dst = append(dst, '-')
	}
	if exp < -4 || exp > precision-1 {
		dst = append(dst, digits[0], '.')
		if len(digits) > 1 {
			dst = append(dst, digits[1:]...)
		} else {
			dst = append(dst, '0')
		}
		return appendExponent(dst, exp), true
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits...), true
	}
	for i := 0; i <= exp; i++ {
		if i < len(digits) {
			dst = append(dst, digits[i])
		} else {
			dst = append(dst, '0')
		}
	}
	dst = append(dst, '.')
	if len(digits) > exp+1 {
		return append(dst, digits[exp+1:]...), true
	}
	return append(dst, '0'), true
}

// splitExponential splits strconv's 'e' form into its significant digits
// (no point, no trailing zeros; in buf) and decimal exponent.
func splitExponential(e []byte, buf *[32]byte) (digits []byte, exp int, ok bool) {
	i := 0
	for i < len(e) && e[i] != 'e' {
		i++
	}
	if i+2 >= len(e) {
		return nil, 0, false
	}
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[i+1] == '-' {
		exp = -exp
	}
	digits = buf[:0]
	for _, c := range e[:i] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	return digits, exp, true
}

// appendExponent appends printf's exponent: e, its sign, at least two
// digits.
func appendExponent(dst []byte, exp int) []byte {
	dst = append(dst, 'e')
	if exp < 0 {
		dst = append(dst, '-')
		exp = -exp
	} else {
		dst = append(dst, '+')
	}
	if exp >= 100 {
		dst = append(dst, byte('0'+exp/100))
		exp %= 100
	}
	return append(dst, byte('0'+exp/10), byte('0'+exp%10))
}

// AppendReal appends v formatted as FormatReal formats it.
func AppendReal(dst []byte, v float64, precision int) []byte {
	if out, ok := formatRealShort(dst, v, precision); ok {
		return out
	}
	return append(dst, FormatReal(v, precision)...)
}
