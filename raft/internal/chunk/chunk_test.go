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

// Under random appends, shared truncations and shared front drops, a Seq
// behaves as a plain slice, and every run Slice handed out keeps its
// values (the Shared variants never write to them).
func TestSeqSharedKeepsSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s Seq[int]
	var model []int
	type handed struct{ got, want []int }
	var out []handed
	next := 0
	for step := range 20000 {
		switch op := rng.IntN(10); {
		case op < 6:
			k := rng.IntN(Size / 2)
			vs := make([]int, k)
			for i := range vs {
				vs[i] = next
				next++
			}
			s.Append(vs...)
			model = append(model, vs...)
		case op < 8 && len(model) > 0:
			n := len(model) - rng.IntN(min(len(model), Size)+1)
			s.TruncateShared(n)
			model = model[:n]
		case len(model) > 0:
			n := rng.IntN(min(len(model), Size) + 1)
			s.DropFrontShared(n)
			model = model[n:]
			if s.Len() > 0 {
				*s.Ptr(0) = -1 // as MemoryStorage.Compact rewrites its placeholder
				model[0] = -1
			}
		}
		if s.Len() != len(model) {
			t.Fatalf("step %d: Len %d, want %d", step, s.Len(), len(model))
		}
		if len(model) == 0 {
			continue
		}
		lo := rng.IntN(len(model))
		hi := lo + 1 + rng.IntN(min(len(model)-lo, 64))
		if got, ok := s.Slice(lo, hi); ok {
			if cap(got) != len(got) {
				t.Fatalf("step %d: Slice(%d, %d) has capacity %d past its length %d", step, lo, hi, cap(got), len(got))
			}
			if !slices.Equal(got, model[lo:hi]) {
				t.Fatalf("step %d: Slice(%d, %d) = %v, want %v", step, lo, hi, got, model[lo:hi])
			}
			out = append(out, handed{got, slices.Clone(got)})
		}
		if got := s.AppendRange(nil, lo, hi); !slices.Equal(got, model[lo:hi]) {
			t.Fatalf("step %d: range [%d,%d) = %v, want %v", step, lo, hi, got, model[lo:hi])
		}
	}
	if len(out) < 1000 {
		t.Fatalf("only %d slices handed out", len(out))
	}
	for i, h := range out {
		if !slices.Equal(h.got, h.want) {
			t.Fatalf("slice %d handed out changed: %v, was %v", i, h.got, h.want)
		}
	}
}

// Slice refuses a range that spans chunks.
func TestSeqSliceAcrossChunks(t *testing.T) {
	var s Seq[int]
	s.Append(make([]int, Size+10)...)
	if _, ok := s.Slice(Size-1, Size+1); ok {
		t.Fatal("Slice across a chunk boundary succeeded")
	}
	if vs, ok := s.Slice(Size, Size+10); !ok || len(vs) != 10 {
		t.Fatalf("Slice within the second chunk: %d values, ok %v", len(vs), ok)
	}
}
