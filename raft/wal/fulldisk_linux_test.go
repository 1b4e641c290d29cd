package wal

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestRealFullDisk fills a 1 MiB tmpfs (mounted only where the test may
// mount, i.e. as root; skipped otherwise): the first Save that needs a new
// segment fails with ENOSPC, cleanly, the log stays intact and readable,
// and once a snapshot lets covered segments go, appends work again.
func TestRealFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	opts := Options{SegmentSize: 128 << 10}
	s, err := Open(mnt, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := raft.HardState{Term: 1}
	var want []raft.Entry
	var saveErr error
	for i := uint64(1); i < 10000 && saveErr == nil; i += 8 {
		batch := makeEntries(i, i+8, 1, 1000)
		if saveErr = s.Save(hs, batch); saveErr == nil {
			want = append(want, batch...)
		}
	}
	if !errors.Is(saveErr, syscall.ENOSPC) || errors.Is(saveErr, ErrFailed) {
		t.Fatalf("Save on a full tmpfs: %v; want ENOSPC, not ErrFailed", saveErr)
	}
	if len(want) < 500 {
		t.Fatalf("only %d entries fit in 1 MiB", len(want))
	}
	checkLog(t, s, 1, want, hs)
	s.Close()
	s, err = Open(mnt, opts)
	if err != nil {
		t.Fatalf("reopen on a full disk: %v", err)
	}
	checkLog(t, s, 1, want, hs)
	// A snapshot covering most of the log can still be recorded (each
	// segment keeps room for one) and frees the segments it covers.
	last := uint64(len(want))
	if err := s.CreateSnapshot(raft.SnapshotMeta{Index: last - 10, Term: 1}); err != nil {
		t.Fatalf("CreateSnapshot on a full disk: %v", err)
	}
	if err := s.Compact(last - 9); err != nil {
		t.Fatalf("Compact on a full disk: %v", err)
	}
	more := makeEntries(last+1, last+100, 1, 1000)
	saveInBatches(t, s, hs, more, 8)
	s.Close()
	s, err = Open(mnt, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, s, last-9, append(want[last-10:], more...), hs)
	s.Close()
}
