package raft

import (
	"sync"
	"sync/atomic"
	"testing"
)

// syncCounter is a MemoryStorage that counts the Saves (each an fsync in
// a durable store) that carry nothing but a new commit index, and the
// commit indexes recorded without one (SaveCommit).
type syncCounter struct {
	*MemoryStorage
	last            HardState // touched by the node goroutine only
	commitOnlySyncs atomic.Int64
	lazy            atomic.Int64
}

func (s *syncCounter) Save(hs HardState, ents []Entry) error {
	if len(ents) == 0 && !hs.IsEmpty() && hs.Term == s.last.Term && hs.Vote == s.last.Vote {
		s.commitOnlySyncs.Add(1)
	}
	if !hs.IsEmpty() {
		s.last = hs
	}
	return s.MemoryStorage.Save(hs, ents)
}

func (s *syncCounter) SaveCommit(hs HardState) error {
	s.lazy.Add(1)
	s.last = hs
	return s.MemoryStorage.Save(hs, nil)
}

// Ready.MustSync is honoured: a Ready whose only change is the commit
// index (followers learning of a commit, the leader committing after its
// own write) goes to CommitSaver.SaveCommit, never to an fsyncing Save.
func TestNodeDoesNotSyncCommitOnlyHardState(t *testing.T) {
	var mu sync.Mutex
	counters := map[NodeID]*syncCounter{}
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		sc := &syncCounter{MemoryStorage: cfg.Storage.(*MemoryStorage)}
		cfg.Storage = sc
		mu.Lock()
		counters[cfg.ID] = sc
		mu.Unlock()
	})
	data := seq("x", 20)
	c.proposeAll(data)
	c.waitConverged(data)
	mu.Lock()
	defer mu.Unlock()
	var lazy int64
	for id, sc := range counters {
		if n := sc.commitOnlySyncs.Load(); n > 0 {
			t.Errorf("node %d: %d commit-only HardStates saved with an fsync", id, n)
		}
		lazy += sc.lazy.Load()
	}
	if lazy == 0 {
		t.Error("no commit-only HardState was recorded through SaveCommit")
	}
}
