package sqlval

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// realSamples returns doubles that exercise FormatReal: edge values, short
// decimals as people type them, integers, powers of ten, and random bit
// patterns, deterministic for a seed.
func realSamples(seed uint64, n int) []float64 {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vals := []float64{0, 1, -1, 0.1, 0.5, 22.49, 3.0, 1e20, 1e-7, 100, 1.5e15, 1.5e14,
		123456789012345.6, 2.5e-5, 1e15, 1e16, 1e-4, 1e-5, 9.999999999999999e14,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
		math.Inf(1), math.Inf(-1), 0.3, 2.675, 1.005, 9.5, 99.5, 0.05, 1e300, 1e-300}
	for len(vals) < n {
		switch rng.IntN(4) {
		case 0:
			vals = append(vals, math.Float64frombits(rng.Uint64()))
		case 1:
			digits := rng.IntN(9) + 1
			v, _ := strconv.ParseFloat(fmt.Sprintf("%d.%0*d", rng.IntN(100000), digits, rng.IntN(int(math.Pow10(digits)))), 64)
			vals = append(vals, v)
		case 2:
			vals = append(vals, float64(rng.Int64N(1<<53))*math.Pow(10, float64(rng.IntN(40)-20)))
		case 3:
			vals = append(vals, math.Pow(10, float64(rng.IntN(600)-300))*(1+rng.Float64()))
		}
	}
	var finite []float64
	for _, v := range vals {
		if !math.IsNaN(v) {
			finite = append(finite, v)
		}
	}
	return finite
}

// TestFormatRealMatchesSQLite340 prints the same doubles through the sqlite3
// CLI (given bit-exactly with ieee754_from_blob) in list mode (%!.15g) and
// json mode (%!.20g) and compares every one with FormatReal.
func TestFormatRealMatchesSQLite340(t *testing.T) {
	vals := realSamples(realSeed(), realSampleCount())
	var script strings.Builder
	script.WriteString("CREATE TABLE v(i INTEGER PRIMARY KEY, x REAL);\n")
	for i, v := range vals {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], math.Float64bits(v))
		fmt.Fprintf(&script, "INSERT INTO v VALUES(%d, ieee754_from_blob(x'%s'));\n", i, hex.EncodeToString(b[:]))
	}
	script.WriteString(".mode list\nSELECT x FROM v ORDER BY i;\n.mode json\nSELECT x FROM v ORDER BY i;\n")
	out, stderr, code := runSQLite3(t, script.String())
	if code != 0 || stderr != "" {
		t.Fatalf("sqlite3 exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2*len(vals) {
		t.Fatalf("sqlite3 printed %d lines, want %d", len(lines), 2*len(vals))
	}
	bad := 0
	for i, v := range vals {
		if got, want := FormatReal(v, TextRealPrecision), lines[i]; got != want {
			bad++
			t.Errorf("%%!.15g of %v (%#x): got %q, sqlite3 %q", v, math.Float64bits(v), got, want)
		}
		jl := lines[len(vals)+i]
		jl = strings.TrimPrefix(strings.TrimPrefix(jl, "["), "{\"x\":")
		jl = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(jl, "]"), ","), "}")
		want := jl
		got := FormatReal(v, JSONRealPrecision)
		if math.IsInf(v, 1) {
			got = "1e999"
		} else if math.IsInf(v, -1) {
			got = "-1e999"
		}
		if got != want {
			bad++
			t.Errorf("%%!.20g of %v (%#x): got %q, sqlite3 %q", v, math.Float64bits(v), got, want)
		}
		if bad > 20 {
			t.Fatal("too many mismatches")
		}
	}
}

// TestFormatRealKnownValues pins the formats the issue names, so they are
// checked even where the oracle is absent.
func TestFormatRealKnownValues(t *testing.T) {
	for _, c := range []struct {
		v    float64
		prec int
		want string
	}{
		{22.49, 15, "22.49"}, {3, 15, "3.0"}, {1e20, 15, "1.0e+20"}, {-0.0, 15, "0.0"},
		{1e-7, 15, "1.0e-07"}, {123456789012345.6, 15, "123456789012346.0"},
		{1.5e14, 15, "150000000000000.0"}, {1.5e15, 15, "1.5e+15"}, {math.Inf(-1), 15, "-Inf"},
		{22.49, 20, "22.489999999999998436"}, {0.1, 20, "0.10000000000000000555"},
		{123456789012345.6, 20, "123456789012345.59374"}, {1e-7, 20, "9.9999999999999995472e-08"},
	} {
		if got := FormatReal(c.v, c.prec); got != c.want {
			t.Errorf("FormatReal(%v, %d) = %q, want %q", c.v, c.prec, got, c.want)
		}
	}
}

// realSeed and realSampleCount let a long run check more doubles:
// RESQLITE_REAL_SEED and RESQLITE_REAL_SAMPLES.
func realSeed() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("RESQLITE_REAL_SEED"), 10, 64); err == nil {
		return s
	}
	return 1
}

func realSampleCount() int {
	if n, err := strconv.Atoi(os.Getenv("RESQLITE_REAL_SAMPLES")); err == nil && n > 0 {
		return n
	}
	return 3000
}

// TestFormatRealMatchesReference checks the fast x87 emulation against the
// big.Float reference on many doubles, at both precisions the CLI uses.
func TestFormatRealMatchesReference(t *testing.T) {
	n := 30000
	if testing.Short() {
		n = 5000
	}
	for _, v := range realSamples(realSeed()+100, n) {
		for _, prec := range []int{TextRealPrecision, JSONRealPrecision} {
			if got, want := FormatReal(v, prec), formatRealReference(v, prec); got != want {
				t.Fatalf("FormatReal(%v [%#x], %d) = %q, reference %q", v, math.Float64bits(v), prec, got, want)
			}
		}
	}
}

// TestX87OperationsMatchBigFloat checks each x87 operation against
// big.Float with a 64-bit significand, on random operands.
func TestX87OperationsMatchBigFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	toBig := func(x x87) *big.Float {
		f := new(big.Float).SetPrec(longDoublePrec).SetUint64(x.mant)
		return f.SetMantExp(f, x.exp)
	}
	random := func() x87 {
		switch rng.IntN(4) {
		case 0:
			return x87FromFloat64(float64(rng.IntN(20)))
		case 1:
			return x87{mant: rng.Uint64() | 1<<63, exp: rng.IntN(200) - 100}
		}
		return x87FromFloat64(math.Abs(math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(200)+923)<<52)))
	}
	for i := 0; i < 200000; i++ {
		a, b := random(), random()
		if a.cmp(b) < 0 {
			a, b = b, a
		}
		ba, bb := toBig(a), toBig(b)
		cases := map[string]struct {
			got  x87
			want *big.Float
		}{
			"mul": {a.mul(b), new(big.Float).SetPrec(longDoublePrec).Mul(ba, bb)},
			"add": {a.add(b), new(big.Float).SetPrec(longDoublePrec).Add(ba, bb)},
			"sub": {a.sub(b), new(big.Float).SetPrec(longDoublePrec).Sub(ba, bb)},
		}
		if b.mant != 0 {
			cases["quo"] = struct {
				got  x87
				want *big.Float
			}{a.quo(b), new(big.Float).SetPrec(longDoublePrec).Quo(ba, bb)}
		}
		for name, c := range cases {
			if toBig(c.got).Cmp(c.want) != 0 {
				t.Fatalf("%s(%+v, %+v) = %s, want %s", name, a, b, toBig(c.got).Text('p', 0), c.want.Text('p', 0))
			}
		}
		if got, want := a.cmp(b), ba.Cmp(bb); got != want {
			t.Fatalf("cmp(%+v, %+v) = %d, want %d", a, b, got, want)
		}
	}
}
