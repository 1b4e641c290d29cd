package wal

import (
	"fmt"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// BenchmarkAppend measures Save throughput: one op is one batch (one
// Save, one group commit). It reports entries/s, MB/s of entry data and
// the fsyncs issued per batch (segment rolls add a file and a directory
// fsync; removing covered segments one directory fsync each).
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{100, 4096} {
		for _, batch := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("size=%d/batch=%d", size, batch), func(b *testing.B) {
				benchmarkAppend(b, size, batch)
			})
		}
	}
}

func benchmarkAppend(b *testing.B, size, batch int) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	data := payload(1, 1, size)
	ents := make([]raft.Entry, batch)
	next := uint64(1)
	hs := raft.HardState{Term: 1, Vote: 1}
	b.SetBytes(int64(size * batch))
	b.ResetTimer()
	syncs0 := s.syncs
	for i := 0; i < b.N; i++ {
		for j := range ents {
			ents[j] = raft.Entry{Index: next, Term: 1, Data: data}
			next++
		}
		hs.Commit = next - 1
		if err := s.Save(hs, ents); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(s.syncs-syncs0)/float64(b.N), "fsyncs/batch")
}
