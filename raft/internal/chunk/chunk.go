// Package chunk is a sequence of values stored in fixed-size chunks, for
// the in-memory logs (raft.MemoryStorage, the raft/wal index). An append
// never moves what is stored: one growing slice is copied whole at each
// regrowth, a long memmove of a large log during which the collector
// waits, and the old array lingers until the next cycle. Dropping a
// prefix (compaction) frees whole chunks. Values may be handed out
// without a copy (Slice; see Shared use below).
package chunk

// Size is the number of values per chunk.
const Size = 4096

// Seq is a sequence of values. The zero value is empty and ready to use.
// Values are stored by value; a Seq is not safe for concurrent use.
type Seq[T any] struct {
	chunks [][]T // each of capacity Size; all but the last are full
	head   int   // values dropped from the front of chunks[0]
	n      int   // values held
}

// Len returns the number of values held.
func (s *Seq[T]) Len() int { return s.n }

// At returns the value at position i (0 <= i < Len()).
func (s *Seq[T]) At(i int) T { return *s.Ptr(i) }

// Ptr returns a pointer to the value at position i, valid until the value
// is dropped or truncated away.
func (s *Seq[T]) Ptr(i int) *T {
	if i < 0 || i >= s.n {
		panic("chunk: index out of range")
	}
	j := s.head + i
	return &s.chunks[j/Size][j%Size]
}

// Append adds vs at the end.
func (s *Seq[T]) Append(vs ...T) {
	s.n += len(vs)
	for len(vs) > 0 {
		last := len(s.chunks) - 1
		if last < 0 || len(s.chunks[last]) == Size {
			s.chunks = append(s.chunks, make([]T, 0, Size))
			last++
		}
		k := min(len(vs), Size-len(s.chunks[last]))
		s.chunks[last] = append(s.chunks[last], vs[:k]...)
		vs = vs[k:]
	}
}

// Truncate keeps the first n values (n <= Len()).
func (s *Seq[T]) Truncate(n int) {
	if n < 0 || n > s.n {
		panic("chunk: truncation out of range")
	}
	if n == 0 {
		s.Reset()
		return
	}
	end := s.head + n // position after the last value kept
	keep := (end + Size - 1) / Size
	for i := keep; i < len(s.chunks); i++ {
		clear(s.chunks[i])
		s.chunks[i] = nil
	}
	s.chunks = s.chunks[:keep]
	last := s.chunks[keep-1]
	cut := end - (keep-1)*Size
	clear(last[cut:])
	s.chunks[keep-1] = last[:cut]
	s.n = n
}

// DropFront discards the first n values (n <= Len()); chunks left with
// no value are freed.
func (s *Seq[T]) DropFront(n int) {
	if n < 0 || n > s.n {
		panic("chunk: drop out of range")
	}
	if n == s.n {
		s.Reset()
		return
	}
	for n > 0 {
		first := s.chunks[0]
		k := min(n, len(first)-s.head)
		clear(first[s.head : s.head+k])
		s.head += k
		s.n -= k
		n -= k
		if s.head == Size {
			s.chunks[0] = nil
			s.chunks = s.chunks[1:]
			s.head = 0
		}
	}
}

// Reset empties the sequence.
func (s *Seq[T]) Reset() { *s = Seq[T]{} }

// AppendRange appends the values at positions [lo, hi) to dst and
// returns it.
func (s *Seq[T]) AppendRange(dst []T, lo, hi int) []T {
	if lo < 0 || hi > s.n || lo > hi {
		panic("chunk: range out of range")
	}
	for lo < hi {
		j := s.head + lo
		c := s.chunks[j/Size]
		k := min(hi-lo, len(c)-j%Size)
		dst = append(dst, c[j%Size:j%Size+k]...)
		lo += k
	}
	return dst
}

// Shared use: Slice hands out values without copying them. A Seq changed
// only through Append, TruncateShared, DropFrontShared and Reset after a
// Slice never writes to the values that Slice returned again: Append
// writes past a chunk's length (and Slice's results have no capacity past
// theirs), and the Shared variants copy a chunk they would otherwise
// clear or later append into. Truncate and DropFront clear in place.

// Slice returns the values at positions [lo, hi) as a slice of the chunk
// that holds them, with no capacity past hi, if they lie in one chunk
// (and lo < hi); otherwise ok is false and the caller copies them
// (AppendRange).
func (s *Seq[T]) Slice(lo, hi int) (vs []T, ok bool) {
	if lo < 0 || hi > s.n || lo > hi {
		panic("chunk: range out of range")
	}
	if lo == hi {
		return nil, false
	}
	a, b := s.head+lo, s.head+hi-1
	if a/Size != b/Size {
		return nil, false
	}
	c := s.chunks[a/Size]
	return c[a%Size : b%Size+1 : b%Size+1], true
}

// TruncateShared keeps the first n values (n <= Len()) like Truncate,
// without writing to any value Slice may have returned: the last chunk
// kept, when cut short, is replaced by a copy of what it keeps.
func (s *Seq[T]) TruncateShared(n int) {
	if n < 0 || n > s.n {
		panic("chunk: truncation out of range")
	}
	if n == 0 {
		s.Reset()
		return
	}
	end := s.head + n
	keep := (end + Size - 1) / Size
	clear(s.chunks[keep:])
	s.chunks = s.chunks[:keep]
	cut := end - (keep-1)*Size
	if last := s.chunks[keep-1]; cut < len(last) {
		s.chunks[keep-1] = append(make([]T, 0, Size), last[:cut]...)
	}
	s.n = n
}

// DropFrontShared discards the first n values (n <= Len()) like
// DropFront, without writing to any value Slice may have returned: the
// first chunk left is replaced by a copy holding only the values kept
// (so the dropped ones are not kept alive through it), and the caller may
// write through Ptr to the values of that chunk.
func (s *Seq[T]) DropFrontShared(n int) {
	if n < 0 || n > s.n {
		panic("chunk: drop out of range")
	}
	if n == 0 {
		return
	}
	if n == s.n {
		s.Reset()
		return
	}
	start := s.head + n
	drop := start / Size
	clear(s.chunks[:drop])
	s.chunks = s.chunks[drop:]
	s.head = start % Size
	first := s.chunks[0]
	fresh := make([]T, len(first), Size)
	copy(fresh[s.head:], first[s.head:])
	s.chunks[0] = fresh
	s.n -= n
}
