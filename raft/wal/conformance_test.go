package wal

import (
	"errors"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// storeKind makes raft.LogStore implementations for the conformance
// suite. reopen, if set, closes a store and opens it again from disk; the
// suite then checks every state survives it.
type storeKind struct {
	name   string
	open   func(t *testing.T) raft.LogStore
	reopen func(t *testing.T, s raft.LogStore) raft.LogStore
}

func walKind() storeKind {
	return storeKind{
		name: "wal",
		open: func(t *testing.T) raft.LogStore { return openT(t, t.TempDir()) },
		reopen: func(t *testing.T, s raft.LogStore) raft.LogStore {
			return reopen(t, s.(*Store))
		},
	}
}

func TestConformanceWAL(t *testing.T) { runConformance(t, walKind()) }

// runConformance checks the raft.LogStore contract: every operation,
// its error cases, and (if the kind can) the state after a reopen.
func runConformance(t *testing.T, k storeKind) {
	cases := []struct {
		name string
		run  func(t *testing.T, k storeKind)
	}{
		{"Empty", testEmpty},
		{"AppendRead", testAppendRead},
		{"EntriesMaxBytes", testEntriesMaxBytes},
		{"HardState", testHardState},
		{"TruncateSuffix", testTruncateSuffix},
		{"TruncateAll", testTruncateAll},
		{"RejectBadAppend", testRejectBadAppend},
		{"SnapshotKeepsMatchingSuffix", testSnapshotKeeps},
		{"SnapshotPastEnd", testSnapshotPastEnd},
		{"SnapshotConflictingTerm", testSnapshotConflict},
		{"SnapshotOutOfDate", testSnapshotOutOfDate},
		{"AppendAfterSnapshot", testAppendAfterSnapshot},
		{"Compact", testCompact},
	}
	for _, c := range cases {
		t.Run(k.name+"/"+c.name, func(t *testing.T) { c.run(t, k) })
	}
}

// check runs fn on s and, if the kind can reopen, on the reopened store
// too; it returns the store to keep using.
func (k storeKind) check(t *testing.T, s raft.LogStore, fn func(s raft.LogStore)) raft.LogStore {
	t.Helper()
	fn(s)
	if k.reopen != nil {
		s = k.reopen(t, s)
		fn(s)
	}
	return s
}

func closeStore(t *testing.T, s raft.LogStore) {
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func testEmpty(t *testing.T, k storeKind) {
	s := k.open(t)
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 1, nil, raft.HardState{})
		if term, err := s.Term(0); err != nil || term != 0 {
			t.Fatalf("Term(0) = %d, %v", term, err)
		}
		if _, err := s.Term(1); !errors.Is(err, raft.ErrUnavailable) {
			t.Fatalf("Term(1) on empty log: %v, want ErrUnavailable", err)
		}
		if _, err := s.Entries(1, 2, 100); !errors.Is(err, raft.ErrUnavailable) {
			t.Fatalf("Entries(1,2) on empty log: %v, want ErrUnavailable", err)
		}
		if m, err := s.Snapshot(); err != nil || !m.IsEmpty() {
			t.Fatalf("Snapshot() = %+v, %v", m, err)
		}
	})
	closeStore(t, s)
}

func testAppendRead(t *testing.T, k storeKind) {
	s := k.open(t)
	hs := raft.HardState{Term: 3, Vote: 1, Commit: 10}
	var want []raft.Entry
	for lo := uint64(1); lo < 60; lo += 12 {
		batch := makeEntries(lo, lo+12, 3, int(lo*10))
		batch[0].Type = raft.EntryNoop
		batch[0].Data = nil
		batch[1].Type = raft.EntryConfig
		mustSave(t, s, hs, batch)
		want = append(want, batch...)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 1, want, hs)
		got, err := s.Entries(13, 30, ^uint64(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := sameEntries(got, want[12:29]); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Entries(5, 5, 0); err != nil || len(got) != 0 {
			t.Fatalf("Entries(5,5) = %d entries, %v", len(got), err)
		}
		if _, err := s.Entries(0, 5, 100); !errors.Is(err, raft.ErrCompacted) {
			t.Fatalf("Entries(0,5): %v, want ErrCompacted", err)
		}
		if _, err := s.Entries(50, 62, 100); !errors.Is(err, raft.ErrUnavailable) {
			t.Fatalf("Entries(50,62): %v, want ErrUnavailable", err)
		}
		if _, err := s.Term(61); !errors.Is(err, raft.ErrUnavailable) {
			t.Fatalf("Term(61): %v, want ErrUnavailable", err)
		}
	})
	closeStore(t, s)
}

func testEntriesMaxBytes(t *testing.T, k storeKind) {
	s := k.open(t)
	ents := makeEntries(1, 11, 1, 100)
	mustSave(t, s, raft.HardState{}, ents)
	for _, c := range []struct {
		max  uint64
		want int
	}{{0, 1}, {99, 1}, {100, 1}, {199, 1}, {200, 2}, {550, 5}, {1000, 10}, {^uint64(0), 10}} {
		got, err := s.Entries(1, 11, c.max)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameEntries(got, ents[:c.want]); err != nil {
			t.Fatalf("maxBytes %d: %v", c.max, err)
		}
	}
	closeStore(t, s)
}

func testHardState(t *testing.T, k storeKind) {
	s := k.open(t)
	hs := raft.HardState{Term: 1, Vote: 2}
	mustSave(t, s, hs, nil)
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, nil, hs) })
	mustSave(t, s, raft.HardState{}, makeEntries(1, 3, 1, 10)) // empty hs keeps the old one
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, makeEntries(1, 3, 1, 10), hs) })
	hs = raft.HardState{Term: 2, Vote: 0, Commit: 2}
	mustSave(t, s, hs, nil)
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, makeEntries(1, 3, 1, 10), hs) })
	closeStore(t, s)
}

func testTruncateSuffix(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 50))
	mustSave(t, s, raft.HardState{Term: 2}, makeEntries(6, 9, 2, 70))
	want := append(makeEntries(1, 6, 1, 50), makeEntries(6, 9, 2, 70)...)
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 1, want, raft.HardState{Term: 2})
		if _, err := s.Term(9); !errors.Is(err, raft.ErrUnavailable) {
			t.Fatalf("Term(9) after truncation: %v, want ErrUnavailable", err)
		}
	})
	// Append after the truncated suffix continues from the new end.
	mustSave(t, s, raft.HardState{}, makeEntries(9, 12, 2, 30))
	want = append(want, makeEntries(9, 12, 2, 30)...)
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, want, raft.HardState{Term: 2}) })
	closeStore(t, s)
}

func testTruncateAll(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 6, 1, 50))
	mustSave(t, s, raft.HardState{Term: 4}, makeEntries(1, 3, 4, 20))
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, makeEntries(1, 3, 4, 20), raft.HardState{Term: 4}) })
	closeStore(t, s)
}

func testRejectBadAppend(t *testing.T, k storeKind) {
	s := k.open(t)
	hs := raft.HardState{Term: 1}
	ents := makeEntries(1, 6, 1, 10)
	mustSave(t, s, hs, ents)
	bad := map[string][]raft.Entry{
		"gap":             makeEntries(8, 10, 1, 10),
		"not consecutive": {ents[0], ents[2]},
	}
	for name, b := range bad {
		if err := s.Save(raft.HardState{Term: 9}, b); err == nil {
			t.Fatalf("Save with %s succeeded", name)
		}
		checkLog(t, s, 1, ents, hs)
	}
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, ents, hs) })
	closeStore(t, s)
}

func testSnapshotKeeps(t *testing.T, k storeKind) {
	s := k.open(t)
	hs := raft.HardState{Term: 2, Commit: 5}
	ents := makeEntries(1, 11, 2, 40)
	mustSave(t, s, hs, ents)
	meta := raft.SnapshotMeta{Index: 5, Term: 2, Config: raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "a:1"}, {ID: 2, Addr: "b:2", Learner: true}}}}
	if err := s.ApplySnapshot(meta); err != nil {
		t.Fatal(err)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 6, ents[5:], hs)
		if term, err := s.Term(5); err != nil || term != 2 {
			t.Fatalf("Term(5) = %d, %v; want 2 (snapshot)", term, err)
		}
		if _, err := s.Term(4); !errors.Is(err, raft.ErrCompacted) {
			t.Fatalf("Term(4): %v, want ErrCompacted", err)
		}
		if _, err := s.Entries(5, 7, 1000); !errors.Is(err, raft.ErrCompacted) {
			t.Fatalf("Entries(5,7): %v, want ErrCompacted", err)
		}
		got, err := s.Snapshot()
		if err != nil || got.Index != 5 || got.Term != 2 || len(got.Config.Members) != 2 || got.Config.Members[1] != meta.Config.Members[1] {
			t.Fatalf("Snapshot() = %+v, %v", got, err)
		}
		_, cfg, err := s.InitialState()
		if err != nil || len(cfg.Members) != 2 || cfg.Members[0] != meta.Config.Members[0] {
			t.Fatalf("InitialState config = %+v, %v", cfg, err)
		}
	})
	closeStore(t, s)
}

func testSnapshotPastEnd(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 4, 1, 10))
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 20, Term: 3}); err != nil {
		t.Fatal(err)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 21, nil, raft.HardState{Term: 1})
		if term, err := s.Term(20); err != nil || term != 3 {
			t.Fatalf("Term(20) = %d, %v; want 3", term, err)
		}
	})
	closeStore(t, s)
}

func testSnapshotConflict(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 10))
	// The log's entry 8 has term 1, the snapshot's term 2: nothing of the
	// log can be trusted past it, so all of it goes (paper §7).
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 8, Term: 2}); err != nil {
		t.Fatal(err)
	}
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 9, nil, raft.HardState{Term: 1}) })
	closeStore(t, s)
}

func testSnapshotOutOfDate(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 10))
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 6, Term: 1}); err != nil {
		t.Fatal(err)
	}
	for _, idx := range []uint64{3, 6} {
		if err := s.ApplySnapshot(raft.SnapshotMeta{Index: idx, Term: 1}); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
			t.Fatalf("ApplySnapshot(%d) after 6: %v, want ErrSnapshotOutOfDate", idx, err)
		}
	}
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 7, makeEntries(7, 11, 1, 10), raft.HardState{Term: 1}) })
	closeStore(t, s)
}

func testAppendAfterSnapshot(t *testing.T, k storeKind) {
	s := k.open(t)
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 100, Term: 5}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(raft.HardState{}, makeEntries(100, 102, 5, 10)); !errors.Is(err, raft.ErrCompacted) {
		t.Fatalf("Save at the snapshot index: %v, want ErrCompacted", err)
	}
	if err := s.Save(raft.HardState{}, makeEntries(102, 103, 5, 10)); err == nil {
		t.Fatal("Save leaving a gap after the snapshot succeeded")
	}
	mustSave(t, s, raft.HardState{Term: 5}, makeEntries(101, 120, 5, 10))
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 101, makeEntries(101, 120, 5, 10), raft.HardState{Term: 5}) })
	closeStore(t, s)
}

func testCompact(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 10))
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 5, Term: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(6); err != nil {
		t.Fatalf("Compact(6): %v", err)
	}
	if err := s.Compact(3); !errors.Is(err, raft.ErrCompacted) {
		t.Fatalf("Compact(3): %v, want ErrCompacted", err)
	}
	if err := s.Compact(8); err == nil {
		t.Fatal("Compact(8) beyond the snapshot succeeded")
	}
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 6, makeEntries(6, 11, 1, 10), raft.HardState{Term: 1}) })
	closeStore(t, s)
}
