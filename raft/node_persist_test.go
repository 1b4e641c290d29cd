package raft

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// saveWatcher is a MemoryStorage that calls onSave before each Save of
// entries.
type saveWatcher struct {
	*MemoryStorage
	onSave func(ents []Entry)
}

func (s *saveWatcher) Save(hs HardState, ents []Entry) error {
	if len(ents) > 0 && s.onSave != nil {
		s.onSave(ents)
	}
	return s.MemoryStorage.Save(hs, ents)
}

// recordingExecutor keeps the work it is given without running it.
type recordingExecutor struct{ works []Work }

func (e *recordingExecutor) Run(_ Lane, w Work) { e.works = append(e.works, w) }

// nopTransport drops every message.
type nopTransport struct{ memTransport }

func (nopTransport) Send([]Message) {}

// A Ready that both commits entries an earlier Ready made durable and
// appends new ones hands the committed entries to the apply work before
// it fsyncs the new ones: they are durable already, and applying them need
// not wait for another fsync.
func TestNodeHandsOverDurableCommittedEntriesBeforeSaving(t *testing.T) {
	store := &saveWatcher{MemoryStorage: NewMemoryStorage()}
	exec := &recordingExecutor{}
	peers := []Member{{ID: 1}, {ID: 2}, {ID: 3}}
	s, err := NewStepper(NodeConfig{ID: 2, Bootstrap: peers, Storage: store, StateMachine: &logMachine{},
		Transport: nopTransport{}, Seed: 1}, exec)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Process(); err != nil {
		t.Fatal(err)
	}
	app := func(prev, prevTerm, commit uint64, data string) Message {
		return Message{Type: MsgApp, From: 1, To: 2, Term: 1, Index: prev, LogTerm: prevTerm, Commit: commit,
			Entries: []Entry{{Index: prev + 1, Term: 1, Data: []byte(data)}}}
	}
	s.Step(app(0, 0, 0, "a"))
	if err := s.Process(); err != nil {
		t.Fatal(err)
	}
	handedBefore := -1
	store.onSave = func([]Entry) { handedBefore = len(exec.works) }
	s.Step(app(1, 1, 1, "b")) // commits a (durable), appends b
	if err := s.Process(); err != nil {
		t.Fatal(err)
	}
	if handedBefore != 1 {
		t.Fatalf("entry 1 (committed, durable) was handed to apply work after the Save of entry 2 (%d pieces of work before the Save)", handedBefore)
	}
	if len(exec.works) != 1 {
		t.Fatalf("%d pieces of apply work, want 1", len(exec.works))
	}
}

// gatedStore is a MemoryStorage that is an AsyncLogStore: Append saves at
// once, and Sync waits while the gate is closed.
type gatedStore struct {
	*MemoryStorage
	mu    sync.Mutex
	gate  chan struct{}
	syncs atomic.Int64
}

func (s *gatedStore) Append(hs HardState, ents []Entry) error { return s.MemoryStorage.Save(hs, ents) }

func (s *gatedStore) Sync() error {
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		<-gate
	}
	s.syncs.Add(1)
	return nil
}

// close makes Syncs wait; the returned func lets them go.
func (s *gatedStore) close() func() {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate = gate
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(gate)
	}
}

// A leader with an AsyncLogStore sends its entries before its own fsync
// completes, but counts its own copy toward commit only once the fsync
// did (thesis §10.2.1): with one follower cut off and the leader's fsync
// blocked, the other follower's acknowledgment alone commits nothing;
// the entry commits when the leader's fsync completes.
func TestNodeLeaderCountsItselfOnlyOnceItsLogIsDurable(t *testing.T) {
	var mu sync.Mutex
	stores := map[NodeID]*gatedStore{}
	c := newMemCluster(t, 3, func(cfg *NodeConfig) {
		gs := &gatedStore{MemoryStorage: cfg.Storage.(*MemoryStorage)}
		cfg.Storage = gs
		mu.Lock()
		stores[cfg.ID] = gs
		mu.Unlock()
	})
	c.proposeAll([]string{"a"})
	leader := c.leader()
	var acker, cut NodeID
	for _, p := range c.peers {
		switch {
		case p.ID == leader.ID():
		case acker == None:
			acker = p.ID
		default:
			cut = p.ID
		}
	}
	c.net.mu.Lock()
	c.net.drop = func(m Message) bool { return m.To == cut || m.From == cut }
	c.net.mu.Unlock()
	mu.Lock()
	release := stores[leader.ID()].close()
	mu.Unlock()
	defer func() {
		if release != nil {
			release()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, err := leader.Propose(ctx, []byte("b"))
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the leader has stepped the acker's acknowledgment of b.
	for {
		st, err := leader.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Progress[acker].Match >= f.Index() {
			if st.Commit >= f.Index() {
				t.Fatalf("entry %d committed (commit %d) by the leader's vote while its fsync was blocked", f.Index(), st.Commit)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("follower %d never acknowledged entry %d", acker, f.Index())
		}
		time.Sleep(2 * time.Millisecond)
	}
	select {
	case <-f.Done():
		t.Fatalf("proposal resolved while the leader's fsync was blocked: %v", f.err)
	default:
	}
	release()
	release = nil
	if _, err := f.Wait(ctx); err != nil {
		t.Fatalf("entry %d did not commit once the leader's fsync completed: %v", f.Index(), err)
	}
}
