package sqlval

import (
	"math"
	"math/bits"
)

// x87 is a non-negative x87 extended-precision (80-bit long double) value:
// mant·2^exp with a 64-bit significand whose top bit is set, or zero when
// mant is 0. Every operation rounds its exact result to 64 bits, to
// nearest, ties to even, as the x87 FPU does in extended precision. Only
// what SQLite's printf needs is here: non-negative values, no infinities.
type x87 struct {
	mant uint64
	exp  int
}

// x87FromFloat64 converts a finite, non-negative double exactly.
func x87FromFloat64(f float64) x87 {
	if f == 0 {
		return x87{}
	}
	frac, exp := math.Frexp(f) // f = frac·2^exp, frac in [0.5, 1)
	m := uint64(frac * (1 << 53))
	shift := bits.LeadingZeros64(m)
	return x87{mant: m << shift, exp: exp - 53 - shift}
}

// round128 rounds hi:lo (hi's top bit set), plus a sticky bit for anything
// below lo, to the 64 bits of hi.
func round128(hi, lo uint64, sticky bool, exp int) x87 {
	const half = 1 << 63
	up := lo > half || lo == half && (sticky || hi&1 == 1)
	if up {
		hi++
		if hi == 0 {
			return x87{mant: 1 << 63, exp: exp + 65}
		}
	}
	return x87{mant: hi, exp: exp + 64}
}

// normalize128 shifts hi:lo left until hi's top bit is set and returns
// the rounded value of hi:lo·2^exp.
func normalize128(hi, lo uint64, sticky bool, exp int) x87 {
	if hi == 0 && lo == 0 {
		return x87{}
	}
	if hi == 0 {
		hi, lo = lo, 0
		exp -= 64
	}
	if s := bits.LeadingZeros64(hi); s > 0 {
		hi = hi<<s | lo>>(64-s)
		lo <<= s
		exp -= s
	}
	return round128(hi, lo, sticky, exp)
}

func (a x87) mul(b x87) x87 {
	if a.mant == 0 || b.mant == 0 {
		return x87{}
	}
	hi, lo := bits.Mul64(a.mant, b.mant)
	return normalize128(hi, lo, false, a.exp+b.exp)
}

func (a x87) quo(b x87) x87 {
	if a.mant == 0 {
		return x87{}
	}
	var q, r uint64
	var exp int
	if a.mant < b.mant {
		q, r = bits.Div64(a.mant, 0, b.mant)
		exp = a.exp - b.exp - 64
	} else {
		q, r = bits.Div64(a.mant>>1, a.mant<<63, b.mant)
		exp = a.exp - b.exp - 63
	}
	// q has its top bit set; the remainder decides the rounding.
	up := r > b.mant-r || r == b.mant-r && q&1 == 1
	if up {
		q++
		if q == 0 {
			return x87{mant: 1 << 63, exp: exp + 1}
		}
	}
	return x87{mant: q, exp: exp}
}

// shiftRight128 shifts hi:lo right by n, reporting whether set bits fell
// off the end.
func shiftRight128(hi, lo uint64, n int) (uint64, uint64, bool) {
	switch {
	case n == 0:
		return hi, lo, false
	case n < 64:
		return hi >> n, lo>>n | hi<<(64-n), lo<<(64-n) != 0
	case n < 128:
		return 0, hi >> (n - 64), lo != 0 || hi<<(128-n) != 0
	}
	return 0, 0, hi != 0 || lo != 0
}

func (a x87) add(b x87) x87 {
	if a.mant == 0 {
		return b
	}
	if b.mant == 0 {
		return a
	}
	if a.exp < b.exp {
		a, b = b, a
	}
	bhi, blo, sticky := shiftRight128(b.mant, 0, a.exp-b.exp)
	lo, carry := bits.Add64(0, blo, 0)
	hi, carry := bits.Add64(a.mant, bhi, carry)
	exp := a.exp - 64
	if carry == 1 {
		sticky = sticky || lo&1 == 1
		lo = lo>>1 | hi<<63
		hi = hi>>1 | 1<<63
		exp++
	}
	return round128(hi, lo, sticky, exp)
}

// sub returns a-b for a >= b.
func (a x87) sub(b x87) x87 {
	if b.mant == 0 {
		return a
	}
	bhi, blo, sticky := shiftRight128(b.mant, 0, a.exp-b.exp)
	var borrow uint64
	if sticky {
		// Whatever fell off b makes the difference slightly smaller:
		// take one unit from the low word and keep the sticky bit.
		blo, borrow = bits.Add64(blo, 1, 0)
		bhi += borrow
	}
	lo, borrow := bits.Sub64(0, blo, 0)
	hi, _ := bits.Sub64(a.mant, bhi, borrow)
	return normalize128(hi, lo, sticky, a.exp-64)
}

func (a x87) cmp(b x87) int {
	switch {
	case a.mant == 0 && b.mant == 0:
		return 0
	case a.mant == 0:
		return -1
	case b.mant == 0:
		return 1
	case a.exp != b.exp:
		if a.exp < b.exp {
			return -1
		}
		return 1
	case a.mant < b.mant:
		return -1
	case a.mant > b.mant:
		return 1
	}
	return 0
}

// trunc is the C cast (int) of a value below 2^63.
func (a x87) trunc() int64 {
	if a.mant == 0 || a.exp <= -64 {
		return 0
	}
	if a.exp >= 0 {
		return int64(a.mant << a.exp)
	}
	return int64(a.mant >> -a.exp)
}
