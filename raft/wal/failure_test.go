package wal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestWriteErrorIsFatal: a write that fails after the segment's space was
// claimed leaves the store refusing all use; reopen finds what was synced.
func TestWriteErrorIsFatal(t *testing.T) {
	dir := t.TempDir()
	s := openT(t, dir)
	hs := raft.HardState{Term: 1}
	good := makeEntries(1, 6, 1, 10)
	mustSave(t, s, hs, good)
	s.mu.Lock()
	s.segs[len(s.segs)-1].f.Close() // the next write fails with EBADF-like "file already closed"
	s.mu.Unlock()
	if err := s.Save(hs, makeEntries(6, 7, 1, 10)); !errors.Is(err, ErrFailed) {
		t.Fatalf("Save whose write fails: %v, want ErrFailed", err)
	}
	if err := s.Save(hs, makeEntries(6, 7, 1, 10)); !errors.Is(err, ErrFailed) {
		t.Fatalf("Save after a failed write: %v, want ErrFailed", err)
	}
	if err := s.Compact(1); !errors.Is(err, ErrFailed) {
		t.Fatalf("Compact after a failed write: %v, want ErrFailed", err)
	}
	s.Close()
	s = openT(t, dir)
	checkLog(t, s, 1, good, hs)
	s.Close()
}

// TestSegmentCreationFsyncErrorsAreFatal: an fsync of a new segment or of
// the directory that fails while rolling is fatal too, and leaves no temp
// file that reopen would trip over.
func TestSegmentCreationFsyncErrorsAreFatal(t *testing.T) {
	for _, which := range []string{"file", "directory"} {
		t.Run(which, func(t *testing.T) {
			dir := t.TempDir()
			ops := defaultFileOps()
			failing := false
			realSync, realSyncDir := ops.sync, ops.syncDir
			ops.sync = func(f *os.File) error {
				if failing && which == "file" && filepath.Ext(f.Name()) == tempSuffix {
					return syscall.EIO
				}
				return realSync(f)
			}
			ops.syncDir = func(d string) error {
				if failing && which == "directory" {
					return syscall.EIO
				}
				return realSyncDir(d)
			}
			s, err := open(dir, Options{SegmentSize: testSegmentSize}, ops)
			if err != nil {
				t.Fatal(err)
			}
			hs := raft.HardState{Term: 1}
			var want []raft.Entry
			failing = true
			var saveErr error
			for i := uint64(1); saveErr == nil && i < 1000; i++ {
				e := makeEntries(i, i+1, 1, 300)
				if saveErr = s.Save(hs, e); saveErr == nil {
					want = append(want, e...)
				}
			}
			if !errors.Is(saveErr, ErrFailed) {
				t.Fatalf("Save rolling with a failing %s fsync: %v, want ErrFailed", which, saveErr)
			}
			s.Close()
			s = openT(t, dir)
			got, err := s.Entries(1, uint64(len(want))+1, ^uint64(0))
			if err != nil || sameEntries(got, want) != nil {
				t.Fatalf("after reopen: %v %v", err, sameEntries(got, want))
			}
			s.Close()
		})
	}
}

// TestConformanceWithoutFallocate runs the contract on a store that claims
// segment space by writing zeros, as on file systems without fallocate.
func TestConformanceWithoutFallocate(t *testing.T) {
	k := walKind()
	k.name = "zerofill"
	k.open = func(t *testing.T) raft.LogStore {
		ops := defaultFileOps()
		ops.preallocate = writeZeros
		s, err := open(t.TempDir(), Options{SegmentSize: testSegmentSize}, ops)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	runConformance(t, k)
}

func TestWriteZeros(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write([]byte("abc"))
	if err := writeZeros(f, 200000); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.Name())
	if len(b) != 200000 || string(b[:3]) != "abc" || !bytes.Equal(b[3:], make([]byte, 200000-3)) {
		t.Fatalf("writeZeros left %d bytes starting %q", len(b), b[:3])
	}
}
