package chunk

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A Seq behaves as a plain slice under random appends, truncations and
// front drops, across chunk boundaries.
func TestSeqMatchesSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s Seq[int]
	var model []int
	next := 0
	for step := range 20000 {
		switch op := rng.IntN(10); {
		case op < 6:
			k := rng.IntN(2 * Size)
			vs := make([]int, k)
			for i := range vs {
				vs[i] = next
				next++
			}
			s.Append(vs...)
			model = append(model, vs...)
		case op < 8 && len(model) > 0:
			n := rng.IntN(len(model) + 1)
			s.Truncate(n)
			model = model[:n]
		case len(model) > 0:
			n := rng.IntN(len(model) + 1)
			s.DropFront(n)
			model = model[n:]
		}
		if s.Len() != len(model) {
			t.Fatalf("step %d: Len %d, want %d", step, s.Len(), len(model))
		}
		if len(model) == 0 {
			continue
		}
		lo := rng.IntN(len(model))
		hi := lo + rng.IntN(len(model)-lo+1)
		if got := s.AppendRange(nil, lo, hi); !slices.Equal(got, model[lo:hi]) && !(len(got) == 0 && hi == lo) {
			t.Fatalf("step %d: range [%d,%d) = %v..., want %v...", step, lo, hi, got[:min(3, len(got))], model[lo:min(lo+3, hi)])
		}
		if i := rng.IntN(len(model)); s.At(i) != model[i] {
			t.Fatalf("step %d: At(%d) = %d, want %d", step, i, s.At(i), model[i])
		}
		if len(s.chunks) > (s.head+s.n+Size-1)/Size {
			t.Fatalf("step %d: %d chunks for %d values after %d dropped", step, len(s.chunks), s.n, s.head)
		}
	}
}

// Appending never moves a stored value.
func TestSeqAppendKeepsAddresses(t *testing.T) {
	var s Seq[int]
	s.Append(1)
	p := s.Ptr(0)
	for i := range 5 * Size {
		s.Append(i)
	}
	if s.Ptr(0) != p {
		t.Fatal("the first value moved during appends")
	}
}
