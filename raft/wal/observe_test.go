package wal

import (
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
)

func TestObserveSyncIsToldOfEachAppendFsync(t *testing.T) {
	var syncs []time.Duration
	s, err := Open(t.TempDir(), Options{ObserveSync: func(d time.Duration) { syncs = append(syncs, d) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for lo := uint64(1); lo <= 3; lo++ {
		mustSave(t, s, raft.HardState{Term: 1}, makeEntries(lo, lo+1, 1, 10))
	}
	if len(syncs) != 3 {
		t.Fatalf("observed %d fsyncs for 3 appends: %v", len(syncs), syncs)
	}
	for _, d := range syncs {
		if d <= 0 {
			t.Fatalf("fsync observed taking %v", d)
		}
	}
}
