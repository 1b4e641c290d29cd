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

func memoryKind() storeKind {
	return storeKind{
		name: "memory",
		open: func(t *testing.T) raft.LogStore { return raft.NewMemoryStorage() },
	}
}

func TestConformanceWAL(t *testing.T) { runConformance(t, walKind()) }

// TestConformanceMemoryStorage runs the same contract against the raft
// package's reference store, so the two cannot drift apart.
func TestConformanceMemoryStorage(t *testing.T) { runConformance(t, memoryKind()) }

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
		{"CreateSnapshotKeepsLog", testCreateSnapshot},
		{"CreateSnapshotErrors", testCreateSnapshotErrors},
		{"CompactKeepsTail", testCompact},
		{"CompactErrors", testCompactErrors},
		{"ApplySnapshotReplacesLog", testApplySnapshot},
		{"SnapshotOutOfDate", testSnapshotOutOfDate},
		{"AppendAfterSnapshot", testAppendAfterSnapshot},
		{"ConfigurationFromLog", testConfigurationFromLog},
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

func mustTerm(t *testing.T, s raft.Storage, i, want uint64) {
	t.Helper()
	if term, err := s.Term(i); err != nil || term != want {
		t.Fatalf("Term(%d) = %d, %v; want %d", i, term, err, want)
	}
}

func testEmpty(t *testing.T, k storeKind) {
	s := k.open(t)
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 1, nil, raft.HardState{})
		mustTerm(t, s, 0, 0)
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
		if _, err := s.Entries(7, 5, 100); !errors.Is(err, raft.ErrUnavailable) {
			t.Fatalf("Entries(7,5): %v, want ErrUnavailable", err)
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

func testCreateSnapshot(t *testing.T, k storeKind) {
	s := k.open(t)
	hs := raft.HardState{Term: 2, Commit: 8}
	ents := makeEntries(1, 11, 2, 40)
	mustSave(t, s, hs, ents)
	meta := raft.SnapshotMeta{Index: 8, Term: 2, Config: raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "a:1"}, {ID: 2, Addr: "b:2", Learner: true}}}}
	if err := s.CreateSnapshot(meta); err != nil {
		t.Fatal(err)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 1, ents, hs) // the log is kept
		got, err := s.Snapshot()
		if err != nil || got.Index != 8 || got.Term != 2 || len(got.Config.Members) != 2 || got.Config.Members[1] != meta.Config.Members[1] {
			t.Fatalf("Snapshot() = %+v, %v", got, err)
		}
		_, cfg, err := s.InitialState()
		if err != nil || len(cfg.Members) != 2 || cfg.Members[0] != meta.Config.Members[0] {
			t.Fatalf("InitialState config = %+v, %v", cfg, err)
		}
	})
	closeStore(t, s)
}

func testCreateSnapshotErrors(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 2}, makeEntries(1, 11, 2, 10))
	for name, meta := range map[string]raft.SnapshotMeta{
		"past the log":   {Index: 11, Term: 2},
		"term mismatch":  {Index: 5, Term: 1},
		"zero (no-op)":   {Index: 0, Term: 0},
		"past, new term": {Index: 20, Term: 3},
	} {
		if err := s.CreateSnapshot(meta); err == nil {
			t.Fatalf("CreateSnapshot %s (%+v) succeeded", name, meta)
		}
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 1, makeEntries(1, 11, 2, 10), raft.HardState{Term: 2})
		if m, _ := s.Snapshot(); !m.IsEmpty() {
			t.Fatalf("failed CreateSnapshot left snapshot %+v", m)
		}
	})
	closeStore(t, s)
}

func testCompact(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 6, 1, 10))
	mustSave(t, s, raft.HardState{Term: 2}, makeEntries(6, 11, 2, 10))
	if err := s.CreateSnapshot(raft.SnapshotMeta{Index: 8, Term: 2}); err != nil {
		t.Fatal(err)
	}
	// Keep a tail of entries before the snapshot for slow followers.
	if err := s.Compact(6); err != nil {
		t.Fatalf("Compact(6): %v", err)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 6, makeEntries(6, 11, 2, 10), raft.HardState{Term: 2})
		mustTerm(t, s, 5, 1) // the entry before the first keeps its term
		if _, err := s.Term(4); !errors.Is(err, raft.ErrCompacted) {
			t.Fatalf("Term(4): %v, want ErrCompacted", err)
		}
		if _, err := s.Entries(5, 7, 1000); !errors.Is(err, raft.ErrCompacted) {
			t.Fatalf("Entries(5,7): %v, want ErrCompacted", err)
		}
	})
	if err := s.Compact(3); err != nil { // already compacted: nothing to do
		t.Fatalf("Compact(3) after Compact(6): %v", err)
	}
	if err := s.Compact(9); err != nil { // everything the snapshot covers
		t.Fatalf("Compact(9): %v", err)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 9, makeEntries(9, 11, 2, 10), raft.HardState{Term: 2})
		mustTerm(t, s, 8, 2)
	})
	closeStore(t, s)
}

func testCompactErrors(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 10))
	if err := s.Compact(3); err == nil {
		t.Fatal("Compact(3) with no snapshot succeeded")
	}
	if err := s.CreateSnapshot(raft.SnapshotMeta{Index: 5, Term: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(7); err == nil {
		t.Fatal("Compact(7) beyond the snapshot at 5 succeeded")
	}
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, makeEntries(1, 11, 1, 10), raft.HardState{Term: 1}) })
	closeStore(t, s)
}

func testApplySnapshot(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1, Vote: 3, Commit: 4}, makeEntries(1, 11, 1, 10))
	meta := raft.SnapshotMeta{Index: 8, Term: 1, Config: raft.Configuration{Members: []raft.Member{{ID: 3, Addr: "c:3"}}}}
	if err := s.ApplySnapshot(meta); err != nil {
		t.Fatal(err)
	}
	// The whole log goes, even entries past the snapshot; commit rises
	// to the snapshot.
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 9, nil, raft.HardState{Term: 1, Vote: 3, Commit: 8})
		mustTerm(t, s, 8, 1)
		_, cfg, _ := s.InitialState()
		if len(cfg.Members) != 1 || cfg.Members[0] != meta.Config.Members[0] {
			t.Fatalf("InitialState config = %+v", cfg)
		}
	})
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 30, Term: 4}); err != nil {
		t.Fatal(err)
	}
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 31, nil, raft.HardState{Term: 1, Vote: 3, Commit: 30})
		mustTerm(t, s, 30, 4)
		if _, err := s.Term(29); !errors.Is(err, raft.ErrCompacted) {
			t.Fatalf("Term(29): %v, want ErrCompacted", err)
		}
	})
	closeStore(t, s)
}

func testSnapshotOutOfDate(t *testing.T, k storeKind) {
	s := k.open(t)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 11, 1, 10))
	if err := s.CreateSnapshot(raft.SnapshotMeta{Index: 6, Term: 1}); err != nil {
		t.Fatal(err)
	}
	for _, idx := range []uint64{3, 6} {
		if err := s.CreateSnapshot(raft.SnapshotMeta{Index: idx, Term: 1}); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
			t.Fatalf("CreateSnapshot(%d) after 6: %v, want ErrSnapshotOutOfDate", idx, err)
		}
		if err := s.ApplySnapshot(raft.SnapshotMeta{Index: idx, Term: 1}); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
			t.Fatalf("ApplySnapshot(%d) after 6: %v, want ErrSnapshotOutOfDate", idx, err)
		}
	}
	s = k.check(t, s, func(s raft.LogStore) { checkLog(t, s, 1, makeEntries(1, 11, 1, 10), raft.HardState{Term: 1}) })
	closeStore(t, s)
}

func testAppendAfterSnapshot(t *testing.T, k storeKind) {
	s := k.open(t)
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 100, Term: 5}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(raft.HardState{}, makeEntries(102, 103, 5, 10)); err == nil {
		t.Fatal("Save leaving a gap after the snapshot succeeded")
	}
	// Entries the snapshot already covers are skipped.
	mustSave(t, s, raft.HardState{Term: 5, Commit: 100}, makeEntries(98, 120, 5, 10))
	s = k.check(t, s, func(s raft.LogStore) {
		checkLog(t, s, 101, makeEntries(101, 120, 5, 10), raft.HardState{Term: 5, Commit: 100})
	})
	closeStore(t, s)
}

func testConfigurationFromLog(t *testing.T, k storeKind) {
	s := k.open(t)
	c1 := raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}}}
	c2 := raft.Configuration{Members: []raft.Member{{ID: 1, Addr: "127.0.0.1:1"}, {ID: 2, Addr: "127.0.0.1:2", Learner: true}}}
	ents := makeEntries(1, 8, 1, 10)
	ents[1] = raft.Entry{Index: 2, Term: 1, Type: raft.EntryConfig, Data: raft.EncodeConfiguration(c1)}
	ents[4] = raft.Entry{Index: 5, Term: 1, Type: raft.EntryConfig, Data: raft.EncodeConfiguration(c2)}
	mustSave(t, s, raft.HardState{Term: 1}, ents)
	s = k.check(t, s, func(s raft.LogStore) {
		_, cfg, err := s.InitialState()
		if err != nil || len(cfg.Members) != 2 || cfg.Members[1] != c2.Members[1] {
			t.Fatalf("InitialState config = %+v, %v; want %+v", cfg, err, c2)
		}
	})
	// Truncating the later configuration entry brings back the earlier.
	mustSave(t, s, raft.HardState{Term: 2}, makeEntries(4, 6, 2, 10))
	s = k.check(t, s, func(s raft.LogStore) {
		_, cfg, err := s.InitialState()
		if err != nil || len(cfg.Members) != 1 || cfg.Members[0] != c1.Members[0] {
			t.Fatalf("InitialState config after truncation = %+v, %v; want %+v", cfg, err, c1)
		}
	})
	closeStore(t, s)
}
