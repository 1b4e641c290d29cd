package wal

import (
	"sync"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// Append writes without an fsync, its entries readable at once; Sync
// makes them durable with one fsync, and a second Sync with nothing new
// issues none.
func TestAppendThenSync(t *testing.T) {
	s := openT(t, t.TempDir())
	hs := raft.HardState{Term: 1, Vote: 1, Commit: 2}
	syncs := s.syncs
	if err := s.Append(hs, makeEntries(1, 5, 1, 50)); err != nil {
		t.Fatal(err)
	}
	if s.syncs != syncs || !s.unsynced {
		t.Fatalf("Append issued %d fsyncs (unsynced %v), want 0 and unsynced", s.syncs-syncs, s.unsynced)
	}
	checkLog(t, s, 1, makeEntries(1, 5, 1, 50), hs)
	for range 2 {
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if s.syncs != syncs+1 || s.unsynced {
		t.Fatalf("two Syncs after an Append issued %d fsyncs (unsynced %v), want 1", s.syncs-syncs, s.unsynced)
	}
	s = reopen(t, s)
	defer s.Close()
	checkLog(t, s, 1, makeEntries(1, 5, 1, 50), hs)
}

// Syncs run on another goroutine alongside Appends that roll segments;
// whatever they interleave with, the log reopens whole (run with -race).
func TestSyncAlongsideAppends(t *testing.T) {
	s := openT(t, t.TempDir())
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.Sync(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	hs := raft.HardState{Term: 1, Vote: 1}
	const n, size = 200, 512
	for i := uint64(1); i <= n; i++ {
		hs.Commit = i - 1
		if err := s.Append(hs, makeEntries(i, i+1, 1, size)); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if s.unsynced || s.synced != s.written {
		t.Fatalf("after a final Sync: unsynced %v, synced %d of %d writes", s.unsynced, s.synced, s.written)
	}
	if len(s.segs) < 2 {
		t.Fatalf("no segment roll (%d segments); the test needs one", len(s.segs))
	}
	s = reopen(t, s)
	defer s.Close()
	checkLog(t, s, 1, makeEntries(1, n+1, 1, size), hs)
}
