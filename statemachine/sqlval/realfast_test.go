package sqlval

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestShortRealsPrintAsPrintfDoes: the fast path prints every value it
// takes exactly as printf's x87 algorithm does, for every precision it
// takes: short decimals (most stored REALs), integers, powers of ten and
// random bit patterns; and it declines the values it must (zero, -0.0,
// subnormals, infinities, more digits than the precision).
func TestShortRealsPrintAsPrintfDoes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var vals []float64
	for range 20000 {
		mant := float64(r.Int64N(1_000_000_000_000_000) >> r.IntN(60))
		vals = append(vals, mant*math.Pow10(r.IntN(40)-30), -mant/math.Pow10(r.IntN(20)))
		vals = append(vals, math.Float64frombits(r.Uint64()))
		vals = append(vals, float64(r.IntN(100000))+0.25, float64(r.IntN(1000))/8)
	}
	for e := -330; e <= 310; e++ {
		vals = append(vals, math.Pow10(e), 5*math.Pow10(e), 9.99999999999999*math.Pow10(e))
	}
	vals = append(vals, 0, math.Copysign(0, -1), 5e-324, 0x1p-1022, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN())
	took := 0
	for _, v := range vals {
		for prec := 1; prec <= 20; prec++ {
			out, ok := formatRealShort(nil, v, prec)
			if !ok {
				continue
			}
			took++
			if want := formatRealWith(v, prec, x87FromFloat64); string(out) != want {
				t.Fatalf("%v [%#x] at precision %d: fast path %q, printf %q", v, math.Float64bits(v), prec, out, want)
			}
		}
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 5e-324, math.Inf(1), math.NaN(), 0.30000000000000004} {
		if _, ok := formatRealShort(nil, v, TextRealPrecision); ok {
			t.Errorf("the fast path took %v", v)
		}
	}
	if took < len(vals) {
		t.Errorf("the fast path took only %d of %d values × precisions", took, len(vals)*20)
	}
}
