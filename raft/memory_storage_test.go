package raft

import (
	"errors"
	"slices"
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

// Entries handed out without a copy stay as they were when the store
// truncates a conflicting suffix over them and compacts past them.
func TestMemoryStorageEntriesStayIntact(t *testing.T) {
	s := NewMemoryStorage()
	var ents []Entry
	for i := uint64(1); i <= 100; i++ {
		ents = append(ents, Entry{Index: i, Term: 1, Data: []byte{byte(i)}})
	}
	if err := s.Save(HardState{}, ents); err != nil {
		t.Fatal(err)
	}
	got, err := s.Entries(50, 101, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(got)
	// A new leader's entries replace 60..: the store must not write
	// them where got sees them.
	var repl []Entry
	for i := uint64(60); i <= 80; i++ {
		repl = append(repl, Entry{Index: i, Term: 2, Data: []byte("new")})
	}
	if err := s.Save(HardState{}, repl); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSnapshot(SnapshotMeta{Index: 70, Term: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(71); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(HardState{}, []Entry{{Index: 81, Term: 2, Data: []byte("more")}}); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, func(a, b Entry) bool {
		return a.Index == b.Index && a.Term == b.Term && string(a.Data) == string(b.Data)
	}) {
		t.Fatalf("entries handed out changed under truncation and compaction")
	}
	now, err := s.Entries(71, 82, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(now) != 11 || now[0].Term != 2 || string(now[10].Data) != "more" {
		t.Fatalf("entries after the changes: %v", now)
	}
}
