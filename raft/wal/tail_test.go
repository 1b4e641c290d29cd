package wal

import (
	"os"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// damageOnDisk flips a data byte of entry i's record in its segment file,
// behind the store's back.
func damageOnDisk(t *testing.T, s *Store, i uint64) {
	t.Helper()
	p := *s.idx.pos(i)
	f, err := os.OpenFile(p.seg.path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	off := p.off + int64(p.size) - 1
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// The entries saved last are read back from memory (no disk read, no
// checksum: a record damaged on disk behind the store's back goes
// unnoticed), older ones from disk, and the memory they take is bounded.
func TestEntriesSavedLastComeFromMemory(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	hs := raft.HardState{Term: 1}
	const size = 4096
	n := uint64(2 * tailBytes / size)
	want := makeEntries(1, n+1, 1, size)
	saveInBatches(t, s, hs, want, 64)
	if s.tail.bytes > tailBytes || s.tail.ents.Len() == 0 || s.tail.last() != n {
		t.Fatalf("tail holds %d entries from %d (%d bytes), want the last ones within %d bytes", s.tail.ents.Len(), s.tail.first, s.tail.bytes, tailBytes)
	}
	damageOnDisk(t, s, n)
	got, err := s.Entries(n, n+1, 1<<30)
	if err != nil || sameEntries(got, want[n-1:]) != nil {
		t.Fatalf("entry %d saved last: %v, %v", n, err, sameEntries(got, want[n-1:]))
	}
	damageOnDisk(t, s, 1)
	if _, err := s.Entries(1, 2, 1<<30); asCorruption(err) == nil {
		t.Fatalf("entry 1, saved long ago, read with error %v, want a checksum failure from disk", err)
	}
}

// A conflicting suffix replaced by Save is replaced in the tail too, and
// a snapshot that replaces the log empties it.
func TestTailFollowsTruncationAndSnapshot(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 10))
	mustSave(t, s, raft.HardState{Term: 2}, makeEntries(6, 8, 2, 20))
	want := append(makeEntries(1, 6, 1, 10), makeEntries(6, 8, 2, 20)...)
	checkLog(t, s, 1, want, raft.HardState{Term: 2})
	if s.tail.last() != 7 {
		t.Fatalf("tail ends at %d, want 7", s.tail.last())
	}
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 20, Term: 2, Config: raft.Configuration{Members: []raft.Member{{ID: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if s.tail.ents.Len() != 0 {
		t.Fatalf("tail holds %d entries after a snapshot replaced the log", s.tail.ents.Len())
	}
	mustSave(t, s, raft.HardState{}, makeEntries(21, 23, 2, 5))
	checkLog(t, s, 21, makeEntries(21, 23, 2, 5), raft.HardState{Term: 2, Commit: 20})
}
