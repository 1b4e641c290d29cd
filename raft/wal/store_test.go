package wal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
)

func TestRollsSegmentsAndTruncatesAcrossThem(t *testing.T) {
	s := openT(t, t.TempDir())
	hs := raft.HardState{Term: 1}
	var want []raft.Entry
	for lo := uint64(1); lo <= 200; lo += 10 {
		batch := makeEntries(lo, lo+10, 1, 150)
		mustSave(t, s, hs, batch)
		want = append(want, batch...)
	}
	if n := len(segmentFiles(t, s.Dir())); n < 5 {
		t.Fatalf("%d segments after 200 entries of 150 bytes at %d bytes per segment", n, testSegmentSize)
	}
	s = reopen(t, s)
	checkLog(t, s, 1, want, hs)
	// Replace everything from 35 on: 35 lives several segments back.
	hs = raft.HardState{Term: 2}
	mustSave(t, s, hs, makeEntries(35, 40, 2, 20))
	want = append(want[:34], makeEntries(35, 40, 2, 20)...)
	checkLog(t, s, 1, want, hs)
	s = reopen(t, s)
	checkLog(t, s, 1, want, hs)
	s.Close()
}

func TestBatchLargerThanSegment(t *testing.T) {
	s := openT(t, t.TempDir())
	big := makeEntries(1, 4, 1, 3*testSegmentSize)
	mustSave(t, s, raft.HardState{Term: 1}, big)
	mustSave(t, s, raft.HardState{}, makeEntries(4, 5, 1, 10))
	want := append(big, makeEntries(4, 5, 1, 10)...)
	s = reopen(t, s)
	checkLog(t, s, 1, want, raft.HardState{Term: 1})
	s.Close()
}

func TestSnapshotRemovesCoveredSegments(t *testing.T) {
	s := openT(t, t.TempDir())
	hs := raft.HardState{Term: 1}
	saveInBatches(t, s, hs, makeEntries(1, 201, 1, 150), 10)
	before := len(segmentFiles(t, s.Dir()))
	snapshotAndCompact(t, s, raft.SnapshotMeta{Index: 50, Term: 1}, 51)
	saveInBatches(t, s, hs, makeEntries(201, 301, 1, 150), 10)
	snapshotAndCompact(t, s, raft.SnapshotMeta{Index: 160, Term: 1}, 151)
	after := len(segmentFiles(t, s.Dir()))
	if after >= before {
		t.Fatalf("%d segments before the snapshots, %d after", before, after)
	}
	s = reopen(t, s)
	checkLog(t, s, 151, makeEntries(151, 301, 1, 150), hs)
	// A snapshot from the leader replaces the whole log, even entries
	// past its index; a new log follows it.
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 250, Term: 3}); err != nil {
		t.Fatal(err)
	}
	if n := len(segmentFiles(t, s.Dir())); n != 1 {
		t.Fatalf("%d segments after installing a snapshot, want 1", n)
	}
	saveInBatches(t, s, raft.HardState{Term: 3}, makeEntries(251, 451, 3, 150), 10)
	snapshotAndCompact(t, s, raft.SnapshotMeta{Index: 420, Term: 3}, 421)
	s = reopen(t, s)
	checkLog(t, s, 421, makeEntries(421, 451, 3, 150), raft.HardState{Term: 3})
	if n := len(segmentFiles(t, s.Dir())); n > 3 {
		t.Fatalf("%d segments left holding 30 entries", n)
	}
	s.Close()
}

// TestSnapshotAfterTruncationIntoDeletedSegments replays a log whose
// first remaining segment restates a last index that a later record
// truncates below, before the snapshot that allowed the deletion.
func TestSnapshotAfterTruncationIntoDeletedSegments(t *testing.T) {
	s := openT(t, t.TempDir())
	saveInBatches(t, s, raft.HardState{Term: 1}, makeEntries(1, 101, 1, 150), 10)
	saveInBatches(t, s, raft.HardState{Term: 2}, makeEntries(60, 80, 2, 150), 10) // truncates back into older segments
	before := len(segmentFiles(t, s.Dir()))
	snapshotAndCompact(t, s, raft.SnapshotMeta{Index: 70, Term: 2}, 71)
	if after := len(segmentFiles(t, s.Dir())); after >= before {
		t.Fatalf("snapshot at 70 removed no segment (%d before, %d after)", before, after)
	}
	want := makeEntries(71, 80, 2, 150)
	checkLog(t, s, 71, want, raft.HardState{Term: 2})
	s = reopen(t, s)
	checkLog(t, s, 71, want, raft.HardState{Term: 2})
	s.Close()
}

func snapshotAndCompact(t *testing.T, s *Store, meta raft.SnapshotMeta, compact uint64) {
	t.Helper()
	if err := s.CreateSnapshot(meta); err != nil {
		t.Fatalf("CreateSnapshot(%+v): %v", meta, err)
	}
	if err := s.Compact(compact); err != nil {
		t.Fatalf("Compact(%d): %v", compact, err)
	}
}

func TestLockExcludesSecondOpen(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	s.Close()
	s = openT(t, dir)
	s.Close()
}

func TestFsyncErrorIsFatal(t *testing.T) {
	dir := t.TempDir()
	ops := defaultFileOps()
	var mu sync.Mutex
	failSync := false
	realSync := ops.sync
	ops.sync = func(f *os.File) error {
		mu.Lock()
		defer mu.Unlock()
		if failSync {
			return syscall.EIO
		}
		return realSync(f)
	}
	s, err := open(dir, Options{SegmentSize: testSegmentSize}, ops)
	if err != nil {
		t.Fatal(err)
	}
	hs := raft.HardState{Term: 1}
	good := makeEntries(1, 6, 1, 10)
	mustSave(t, s, hs, good)
	mu.Lock()
	failSync = true
	mu.Unlock()
	if err := s.Save(hs, makeEntries(6, 8, 1, 10)); !errors.Is(err, ErrFailed) {
		t.Fatalf("Save with a failing fsync: %v, want ErrFailed", err)
	}
	mu.Lock()
	failSync = false // an fsync that works again must not be trusted
	mu.Unlock()
	if err := s.Save(hs, makeEntries(6, 8, 1, 10)); !errors.Is(err, ErrFailed) {
		t.Fatalf("Save after a failed fsync: %v, want ErrFailed", err)
	}
	if _, err := s.Entries(1, 2, 100); !errors.Is(err, ErrFailed) {
		t.Fatalf("Entries after a failed fsync: %v, want ErrFailed", err)
	}
	if err := s.ApplySnapshot(raft.SnapshotMeta{Index: 3, Term: 1}); !errors.Is(err, ErrFailed) {
		t.Fatalf("ApplySnapshot after a failed fsync: %v, want ErrFailed", err)
	}
	s.Close()
	// The unsynced batch may or may not be there; what was synced is.
	s = openT(t, dir)
	got, err := s.Entries(1, 6, ^uint64(0))
	if err != nil || sameEntries(got, good) != nil {
		t.Fatalf("after reopen: %v %v", err, sameEntries(got, good))
	}
	s.Close()
}

func TestFullDiskFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	ops := defaultFileOps()
	var mu sync.Mutex
	full := false
	realPrealloc := ops.preallocate
	ops.preallocate = func(f *os.File, size int64) error {
		mu.Lock()
		defer mu.Unlock()
		if full {
			return &os.PathError{Op: "fallocate", Path: f.Name(), Err: syscall.ENOSPC}
		}
		return realPrealloc(f, size)
	}
	s, err := open(dir, Options{SegmentSize: testSegmentSize}, ops)
	if err != nil {
		t.Fatal(err)
	}
	hs := raft.HardState{Term: 1}
	var want []raft.Entry
	mu.Lock()
	full = true
	mu.Unlock()
	// Appends go on while the current segment has room, then fail.
	var saveErr error
	for i := uint64(1); saveErr == nil && i < 1000; i++ {
		e := makeEntries(i, i+1, 1, 200)
		if saveErr = s.Save(hs, e); saveErr == nil {
			want = append(want, e...)
		}
	}
	if !errors.Is(saveErr, syscall.ENOSPC) || errors.Is(saveErr, ErrFailed) {
		t.Fatalf("Save on a full disk: %v, want ENOSPC and not ErrFailed", saveErr)
	}
	checkLog(t, s, 1, want, hs)
	if m, _ := filepath.Glob(filepath.Join(dir, "wal", "*.tmp")); len(m) != 0 {
		t.Fatalf("full disk left temp files %v", m)
	}
	mu.Lock()
	full = false
	mu.Unlock()
	more := makeEntries(uint64(len(want))+1, uint64(len(want))+20, 1, 200)
	mustSave(t, s, hs, more)
	want = append(want, more...)
	s = reopen(t, s)
	checkLog(t, s, 1, want, hs)
	s.Close()
}

func TestSnapshotFiles(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 101, 1, 150))
	if _, err := s.OpenSnapshot(); err == nil {
		t.Fatal("OpenSnapshot with no snapshot succeeded")
	}
	write := func(index uint64, data []byte) raft.SnapshotMeta {
		t.Helper()
		w, err := s.NewSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		meta := raft.SnapshotMeta{Index: index, Term: 1, Config: raft.Configuration{Members: []raft.Member{{ID: 7, Addr: "127.0.0.1:9"}}}}
		if err := s.SaveSnapshotFile(w, meta); err != nil {
			t.Fatal(err)
		}
		snapshotAndCompact(t, s, meta, index+1)
		return meta
	}
	readBack := func(want []byte, meta raft.SnapshotMeta) {
		t.Helper()
		r, err := s.OpenSnapshot()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, want) || r.Meta.Index != meta.Index || r.Meta.Config.Members[0] != meta.Config.Members[0] {
			t.Fatalf("snapshot read back: %d bytes, %v, meta %+v", len(got), err, r.Meta)
		}
	}
	data1 := bytes.Repeat([]byte("first snapshot "), 10000)
	m1 := write(40, data1)
	readBack(data1, m1)
	data2 := bytes.Repeat([]byte("second "), 30000)
	m2 := write(90, data2)
	readBack(data2, m2)
	if _, err := os.Stat(snap.Path(filepath.Join(dir, "snap"), m1)); !os.IsNotExist(err) {
		t.Fatalf("older snapshot still there after a newer one was committed: %v", err)
	}
	checkLog(t, s, 91, makeEntries(91, 101, 1, 150), raft.HardState{Term: 1})
	// Out of date: abandoned, nothing changes.
	w, err := s.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("old"))
	if err := s.SaveSnapshotFile(w, raft.SnapshotMeta{Index: 60, Term: 1}); !errors.Is(err, raft.ErrSnapshotOutOfDate) {
		t.Fatalf("SaveSnapshotFile(60) after 90: %v", err)
	}
	// A snapshot abandoned mid-write leaves a temp file, and one saved
	// but never recorded in the log (a crash in between) a file: reopen
	// removes both and keeps the recorded one.
	w, err = s.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("never committed"))
	w2, err := s.NewSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	w2.Write([]byte("never recorded"))
	if err := s.SaveSnapshotFile(w2, raft.SnapshotMeta{Index: 95, Term: 1}); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	readBack(data2, m2)
	if m, _ := filepath.Glob(filepath.Join(dir, "snap", "*")); len(m) != 1 {
		t.Fatalf("snapshot directory holds %v, want only the current snapshot", m)
	}
	// Damage the data: the reader reports it at the end of the stream.
	path := snap.Path(filepath.Join(dir, "snap"), m2)
	b, _ := os.ReadFile(path)
	b[1000] ^= 0x10
	os.WriteFile(path, b, 0o644)
	r, err := s.OpenSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, snap.ErrCorrupt) {
		t.Fatalf("reading a damaged snapshot: %v, want snap.ErrCorrupt", err)
	}
	r.Close()
	s.Close()
}

func TestRepairTruncatesAtCorruption(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	hs := raft.HardState{Term: 1}
	ents := makeEntries(1, 101, 1, 150)
	mustSave(t, s, hs, ents)
	// Find entry 50's record and damage one byte of its data.
	s.mu.RLock()
	p := s.idx.ents.At(49)
	s.mu.RUnlock()
	s.Close()
	b, _ := os.ReadFile(p.seg.path)
	b[p.off+recordHeaderSize+20] ^= 0x01
	os.WriteFile(p.seg.path, b, 0o644)

	_, err := Open(dir, Options{SegmentSize: testSegmentSize})
	ce := asCorruption(err)
	if ce == nil || ce.File != p.seg.path || ce.Offset != p.off {
		t.Fatalf("Open of a damaged log: %v, want corruption at %s:%d", err, p.seg.path, p.off)
	}
	var logs bytes.Buffer
	s, err = Open(dir, Options{SegmentSize: testSegmentSize, Repair: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatalf("Open with Repair: %v", err)
	}
	if r := s.Recovery(); r.Repaired == nil || r.Repaired.Offset != p.off {
		t.Fatalf("Recovery() = %+v", r)
	}
	if !bytes.Contains(logs.Bytes(), []byte("level=WARN")) {
		t.Fatalf("repair logged no warning: %s", logs.String())
	}
	checkLog(t, s, 1, ents[:49], hs)
	mustSave(t, s, hs, makeEntries(50, 60, 1, 10))
	s = reopen(t, s)
	checkLog(t, s, 1, append(ents[:49:49], makeEntries(50, 60, 1, 10)...), hs)
	s.Close()
}

func TestTornTailIsLoggedAtInfo(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 5, 1, 100))
	s.mu.RLock()
	p := s.idx.ents.At(3)
	s.mu.RUnlock()
	s.Close()
	// Zero the second half of the last record, as an interrupted append
	// into preallocated space leaves it.
	b, _ := os.ReadFile(p.seg.path)
	clear(b[p.off+int64(p.size)/2 : p.off+int64(p.size)])
	os.WriteFile(p.seg.path, b, 0o644)
	var logs bytes.Buffer
	s, err := Open(dir, Options{SegmentSize: testSegmentSize, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Recovery(); r.TornFile != p.seg.path || r.TornOffset != p.off {
		t.Fatalf("Recovery() = %+v, want torn tail at %s:%d", r, p.seg.path, p.off)
	}
	if !bytes.Contains(logs.Bytes(), []byte("level=INFO")) || !bytes.Contains(logs.Bytes(), []byte("torn")) {
		t.Fatalf("torn tail not logged at info: %q", logs.String())
	}
	checkLog(t, s, 1, makeEntries(1, 4, 1, 100), raft.HardState{Term: 1})
	s.Close()
}

func TestConcurrentReadsDuringAppends(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			last, _ := s.LastIndex()
			if last == 0 {
				continue
			}
			got, err := s.Entries(1, last+1, ^uint64(0))
			if err != nil || len(got) != int(last) {
				t.Errorf("Entries(1, %d) = %d, %v", last+1, len(got), err)
				return
			}
		}
	}()
	for i := uint64(1); i <= 300; i += 3 {
		mustSave(t, s, raft.HardState{Term: 1}, makeEntries(i, i+3, 1, 64))
	}
	cancel()
	wg.Wait()
}

func TestClosedStoreRefusesUse(t *testing.T) {
	s := openT(t, t.TempDir())
	s.Close()
	if err := s.Save(raft.HardState{Term: 1}, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Save on a closed store: %v", err)
	}
	if _, err := s.LastIndex(); !errors.Is(err, ErrClosed) {
		t.Fatalf("LastIndex on a closed store: %v", err)
	}
}

func TestSnapshotMetaBeyondLimitsIsRefused(t *testing.T) {
	s := openT(t, t.TempDir())
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 5, 1, 10))
	meta := raft.SnapshotMeta{Index: 3, Term: 1, Config: raft.Configuration{Members: make([]raft.Member, 5000)}}
	if err := s.CreateSnapshot(meta); err == nil {
		t.Fatal("CreateSnapshot with 5000 members succeeded")
	}
	if err := s.ApplySnapshot(meta); err == nil {
		t.Fatal("ApplySnapshot with 5000 members succeeded")
	}
	s = reopen(t, s)
	checkLog(t, s, 1, makeEntries(1, 5, 1, 10), raft.HardState{Term: 1})
	s.Close()
}
