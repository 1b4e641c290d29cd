package wal

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// A commit-only HardState (Ready.MustSync false) is written without an
// fsync; the next Save's fsync makes it durable with its entries.
func TestSaveCommitIssuesNoFsync(t *testing.T) {
	s := openT(t, t.TempDir())
	hs := raft.HardState{Term: 1, Vote: 1}
	mustSave(t, s, hs, makeEntries(1, 6, 1, 50))
	syncs := s.syncs
	for commit := uint64(1); commit <= 5; commit++ {
		hs.Commit = commit
		if err := s.SaveCommit(hs); err != nil {
			t.Fatal(err)
		}
	}
	if s.syncs != syncs {
		t.Fatalf("5 commit-only SaveCommits issued %d fsyncs, want 0", s.syncs-syncs)
	}
	if !s.unsynced {
		t.Fatal("the store does not know a write awaits an fsync")
	}
	mustSave(t, s, hs, makeEntries(6, 7, 1, 50))
	if s.syncs != syncs+1 || s.unsynced {
		t.Fatalf("Save after SaveCommit issued %d fsyncs (unsynced %v), want 1", s.syncs-syncs, s.unsynced)
	}
	s = reopen(t, s)
	defer s.Close()
	checkLog(t, s, 1, makeEntries(1, 7, 1, 50), hs)
}

// A change of term or vote through SaveCommit is still made durable.
func TestSaveCommitSyncsTermOrVoteChange(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	mustSave(t, s, raft.HardState{Term: 1}, makeEntries(1, 3, 1, 10))
	syncs := s.syncs
	if err := s.SaveCommit(raft.HardState{Term: 2, Vote: 3, Commit: 1}); err != nil {
		t.Fatal(err)
	}
	if s.syncs != syncs+1 || s.unsynced {
		t.Fatalf("a term change issued %d fsyncs (unsynced %v), want 1", s.syncs-syncs, s.unsynced)
	}
}

// A crash that tears the unsynced commit record at the log's tail loses
// only that commit index: the log opens with the HardState before it and
// every entry.
func TestSaveCommitTornByCrash(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	hs := raft.HardState{Term: 1, Vote: 1, Commit: 2}
	mustSave(t, s, hs, makeEntries(1, 4, 1, 50))
	seg := s.segs[len(s.segs)-1]
	start := seg.end
	if err := s.SaveCommit(raft.HardState{Term: 1, Vote: 1, Commit: 3}); err != nil {
		t.Fatal(err)
	}
	end := seg.end
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyDir(t, s.Dir(), crashed)
	name := filepath.Join(crashed, "wal", filepath.Base(seg.path))
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Only the record's first half reached the disk.
	if _, err := f.WriteAt(make([]byte, end-(start+end)/2), (start+end)/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	c := openT(t, crashed)
	defer c.Close()
	checkLog(t, c, 1, makeEntries(1, 4, 1, 50), hs)
	if c.Recovery().TornFile == "" {
		t.Fatal("the torn commit record was not reported")
	}
}

// A segment roll fsyncs the segment it leaves when a commit record in it
// is unsynced: only the last segment may end torn.
func TestSaveCommitSyncedBeforeRoll(t *testing.T) {
	s := openT(t, t.TempDir())
	defer s.Close()
	hs := raft.HardState{Term: 1, Commit: 1}
	mustSave(t, s, hs, makeEntries(1, 3, 1, 50))
	var synced []*os.File
	sync := s.ops.sync
	s.ops.sync = func(f *os.File) error {
		synced = append(synced, f)
		return sync(f)
	}
	old := s.segs[len(s.segs)-1]
	hs.Commit = 2
	if err := s.SaveCommit(hs); err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, hs, makeEntries(3, 4, 1, testSegmentSize))
	if len(s.segs) < 2 {
		t.Fatal("no segment roll")
	}
	if len(synced) == 0 || synced[0] != old.f {
		t.Fatalf("the segment left behind (%s) was not synced first", old.path)
	}
	s = reopen(t, s)
	checkLog(t, s, 1, append(makeEntries(1, 3, 1, 50), makeEntries(3, 4, 1, testSegmentSize)...), hs)
}
