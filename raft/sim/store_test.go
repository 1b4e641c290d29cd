package sim

import (
	"errors"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

func ents(term uint64, lo, hi uint64) []raft.Entry {
	var out []raft.Entry
	for i := lo; i <= hi; i++ {
		out = append(out, raft.Entry{Index: i, Term: term, Data: []byte{byte(i)}})
	}
	return out
}

func storeTerms(t *testing.T, s *store) []uint64 {
	t.Helper()
	var out []uint64
	for i := s.offset() + 1; i <= s.lastIndex(); i++ {
		tm, err := s.Term(i)
		if err != nil {
			t.Fatalf("Term(%d): %v", i, err)
		}
		out = append(out, tm)
	}
	return out
}

func TestStoreSaveTruncatesConflicts(t *testing.T) {
	s := newStore(nil)
	if err := s.Save(raft.HardState{Term: 1, Vote: 1}, ents(1, 1, 5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(raft.HardState{}, ents(2, 4, 6)); err != nil {
		t.Fatal(err)
	}
	if got := storeTerms(t, s); len(got) != 6 || got[2] != 1 || got[3] != 2 || got[5] != 2 {
		t.Fatalf("terms after overwrite = %v, want [1 1 1 2 2 2]", got)
	}
	if s.hs != (raft.HardState{Term: 1, Vote: 1}) {
		t.Fatalf("an empty HardState overwrote the stored one: %+v", s.hs)
	}
	if err := s.Save(raft.HardState{}, ents(2, 9, 9)); err == nil {
		t.Fatalf("saving past a gap succeeded")
	}
}

func TestStoreEntriesBounds(t *testing.T) {
	s := newStore(nil)
	if err := s.Save(raft.HardState{}, ents(1, 1, 5)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Entries(2, 6, 2)
	if err != nil || len(got) != 2 || got[0].Index != 2 {
		t.Fatalf("Entries(2,6,2) = %v, %v; want 2 entries from 2", got, err)
	}
	got, err = s.Entries(2, 6, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("Entries with maxBytes 0 = %v, %v; want exactly one", got, err)
	}
	if _, err := s.Entries(2, 7, 100); !errors.Is(err, raft.ErrUnavailable) {
		t.Fatalf("Entries past the end: err %v, want ErrUnavailable", err)
	}
}

func TestStoreSnapshotAndCompact(t *testing.T) {
	s := newStore(nil)
	if err := s.Save(raft.HardState{Term: 2}, ents(2, 1, 10)); err != nil {
		t.Fatal(err)
	}
	// A local snapshot keeps the log; compaction then drops its prefix.
	if err := s.CreateSnapshot(raft.SnapshotMeta{Index: 6, Term: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(5); err != nil {
		t.Fatal(err)
	}
	if first, _ := s.FirstIndex(); first != 5 || s.lastIndex() != 10 {
		t.Fatalf("after compacting to 5: first %d last %d, want 5 and 10", first, s.lastIndex())
	}
	if tm, err := s.Term(4); err != nil || tm != 2 {
		t.Fatalf("Term(4) = %d, %v; want 2", tm, err)
	}
	if _, err := s.Term(3); !errors.Is(err, raft.ErrCompacted) {
		t.Fatalf("Term(3): err %v, want ErrCompacted", err)
	}
	if err := s.Compact(8); err == nil {
		t.Fatalf("compacting past the snapshot succeeded")
	}
	if err := s.CreateSnapshot(raft.SnapshotMeta{Index: 5, Term: 2}); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
		t.Fatalf("older snapshot: err %v, want ErrSnapshotOutOfDate", err)
	}
	// A snapshot from the leader replaces the whole log.
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 8, Term: 3}); err != nil {
		t.Fatal(err)
	}
	if first, _ := s.FirstIndex(); first != 9 || s.lastIndex() != 8 {
		t.Fatalf("after a received snapshot: first %d last %d, want 9 and 8", first, s.lastIndex())
	}
	if s.hs.Commit != 8 {
		t.Fatalf("commit after a received snapshot = %d, want 8", s.hs.Commit)
	}
}
