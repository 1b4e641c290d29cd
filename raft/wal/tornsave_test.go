package wal

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/resqlite/resqlite/raft"
)

// TestTornSaveRestarts tears a Save that raises the commit index with its
// entries at every byte of its write (as a power cut leaves a prefix of an
// unfinished write) and restarts a raft core on each image, as a node's
// restart does. Each must start: the recovered commit index never passes
// the recovered log, and entries of the new term are never recovered
// without the new term. The Save also replaces an uncommitted suffix.
func TestTornSaveRestarts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		prev  raft.HardState
		ents  []raft.Entry
		final raft.HardState
		next  []raft.Entry
	}{
		{"append in the same term", raft.HardState{Term: 1, Vote: 1, Commit: 3}, makeEntries(1, 6, 1, 60),
			raft.HardState{Term: 1, Vote: 1, Commit: 8}, makeEntries(6, 11, 1, 60)},
		{"new term replaces a suffix", raft.HardState{Term: 1, Vote: 1, Commit: 3}, makeEntries(1, 6, 1, 60),
			raft.HardState{Term: 2, Vote: 2, Commit: 7}, makeEntries(4, 10, 2, 60)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openT(t, dir)
			mustSave(t, s, tc.prev, tc.ents)
			seg := s.segs[len(s.segs)-1]
			path, from := seg.path, seg.end
			mustSave(t, s, tc.final, tc.next)
			if s.segs[len(s.segs)-1] != seg {
				t.Fatal("the Save rolled to a new segment; the test needs it in one")
			}
			end := seg.end
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, path)
			for c := from; c <= end; c++ {
				img := append(append([]byte(nil), data[:c]...), make([]byte, len(data)-int(c))...)
				work := filepath.Join(t.TempDir(), "node")
				copyDir(t, dir, work)
				if err := os.WriteFile(filepath.Join(work, rel), img, 0o644); err != nil {
					t.Fatal(err)
				}
				restartTorn(t, work, c, from, end, tc.prev, tc.final)
			}
		})
	}
}

// restartTorn opens the torn image at work and starts a core on it.
func restartTorn(t *testing.T, work string, c, from, end int64, prev, final raft.HardState) {
	t.Helper()
	s, err := Open(work, Options{SegmentSize: testSegmentSize})
	if err != nil {
		t.Fatalf("cut at %d of %d..%d: Open: %v", c, from, end, err)
	}
	defer s.Close()
	hs, _, _ := s.InitialState()
	last, _ := s.LastIndex()
	lastTerm, _ := s.Term(last)
	if lastTerm > hs.Term {
		t.Fatalf("cut at %d of %d..%d: entry %d of term %d recovered with the HardState of term %d", c, from, end, last, lastTerm, hs.Term)
	}
	if c == end && hs != final {
		t.Fatalf("whole Save: HardState %+v, want %+v", hs, final)
	}
	if c == from && hs != prev {
		t.Fatalf("nothing of the Save: HardState %+v, want %+v", hs, prev)
	}
	cfg := raft.Config{ID: 1, ElectionTick: 10, HeartbeatTick: 1, Storage: s,
		Rand: rand.New(rand.NewPCG(1, 2)), Peers: []raft.Member{{ID: 1, Addr: "n1"}, {ID: 2, Addr: "n2"}, {ID: 3, Addr: "n3"}}}
	if _, err := raft.NewCore(cfg); err != nil {
		t.Fatalf("cut at %d of %d..%d (HardState %+v, last index %d): the node cannot restart: %v", c, from, end, hs, last, err)
	}
}
