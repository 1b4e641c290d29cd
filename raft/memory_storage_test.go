package raft

import (
	"errors"
	"testing"
)

func TestMemoryStorage(t *testing.T) {
	s := NewMemoryStorage()
	if f, _ := s.FirstIndex(); f != 1 {
		t.Fatalf("first %d", f)
	}
	if l, _ := s.LastIndex(); l != 0 {
		t.Fatalf("last %d", l)
	}
	ents := []Entry{{Index: 1, Term: 1}, {Index: 2, Term: 1, Data: []byte("ab")}, {Index: 3, Term: 2, Data: []byte("cd")}}
	if err := s.Save(HardState{Term: 2, Vote: 1}, ents); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Entries(2, 4, 1); len(got) != 1 {
		t.Fatalf("size-limited entries %+v, want 1", got)
	}
	if got, _ := s.Entries(1, 4, 100); len(got) != 3 {
		t.Fatalf("entries %+v", got)
	}
	if _, err := s.Entries(1, 5, 100); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("past the end: %v", err)
	}
	// Truncation of a conflicting suffix.
	if err := s.Save(HardState{}, []Entry{{Index: 3, Term: 3}, {Index: 4, Term: 3}}); err != nil {
		t.Fatal(err)
	}
	if tm, _ := s.Term(3); tm != 3 {
		t.Fatalf("term 3 = %d after truncation", tm)
	}
	if hs, _, _ := s.InitialState(); hs.Term != 2 || hs.Vote != 1 {
		t.Fatalf("an empty HardState overwrote the stored one: %+v", hs)
	}
	if err := s.Save(HardState{}, []Entry{{Index: 9, Term: 3}}); err == nil {
		t.Fatal("a gap was accepted")
	}
	// Snapshot, then compaction keeping a tail.
	if err := s.Compact(3); err == nil {
		t.Fatal("compaction beyond the snapshot accepted")
	}
	if err := s.CreateSnapshot(SnapshotMeta{Index: 3, Term: 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSnapshot(SnapshotMeta{Index: 2, Term: 1}); !errors.Is(err, ErrSnapshotOutOfDate) {
		t.Fatalf("older snapshot: %v", err)
	}
	if err := s.Compact(3); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.FirstIndex(); f != 3 {
		t.Fatalf("first %d after Compact(3)", f)
	}
	if tm, err := s.Term(2); err != nil || tm != 1 {
		t.Fatalf("term of the entry before the first: %d %v", tm, err)
	}
	if _, err := s.Term(1); !errors.Is(err, ErrCompacted) {
		t.Fatalf("compacted term: %v", err)
	}
	if _, err := s.Entries(2, 3, 100); !errors.Is(err, ErrCompacted) {
		t.Fatalf("compacted entries: %v", err)
	}
	// Installing a leader's snapshot replaces the log.
	if err := s.ApplySnapshot(SnapshotMeta{Index: 10, Term: 5}); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.FirstIndex(); f != 11 {
		t.Fatalf("first %d after ApplySnapshot", f)
	}
	if l, _ := s.LastIndex(); l != 10 {
		t.Fatalf("last %d after ApplySnapshot", l)
	}
	if tm, _ := s.Term(10); tm != 5 {
		t.Fatalf("snapshot term %d", tm)
	}
}
