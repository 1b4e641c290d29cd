package sim

import (
	"fmt"
	"slices"

	"github.com/resqlite/resqlite/raft"
)

// store is a node's log on its simulated disk. It implements
// raft.LogStore. A Save takes time: it is durable only when its simulated
// fsync completes (the node is busy until then, and holds back the
// messages sent after it); a crash before that undoes it and everything
// written after it (persisted).
type store struct {
	storeState
	n *node
	// durable is the state before the first write whose fsync is in
	// flight (nil when everything is durable).
	durable *storeState
}

// storeState is what a store holds.
type storeState struct {
	hs   raft.HardState
	snap raft.SnapshotMeta
	// ents[0] is a placeholder for the entry just before the first one
	// held (the last entry folded into a snapshot or compacted away); only
	// its Index and Term are meaningful.
	ents []raft.Entry
}

// clone copies the state. The entries are shared: the store only ever
// appends past the copy's length, or truncates into a new array (save).
func (s *storeState) clone() *storeState {
	c := *s
	c.snap.Config = cloneConfig(s.snap.Config)
	return &c
}

// write is called before every write: it keeps the durable state to come
// back to if the node crashes before the fsync in flight completes. A
// write made with no fsync in flight is durable at once (its own fsync),
// and so makes an earlier unsynced SaveCommit durable too.
func (s *store) write() {
	switch {
	case s.n == nil:
	case !s.n.syncing():
		s.durable = nil
	case s.durable == nil:
		s.durable = s.storeState.clone()
	}
}

// durableState is what would survive a crash now.
func (s *store) durableState() *storeState {
	if s.durable != nil {
		return s.durable
	}
	return &s.storeState
}

// persisted marks everything written durable.
func (s *store) persisted() { s.durable = nil }

// crash undoes the writes whose fsync had not completed.
func (s *store) crash() {
	if s.durable != nil {
		s.storeState = *s.durable
		s.durable = nil
	}
}

var (
	_ raft.LogStore      = (*store)(nil)
	_ raft.CommitSaver   = (*store)(nil)
	_ raft.AsyncLogStore = (*store)(nil)
)

func newStore(n *node) *store {
	return &store{storeState: storeState{ents: []raft.Entry{{}}}, n: n}
}

// InitialState implements raft.Storage. The configuration is the latest
// one the log or snapshot holds; a store that holds none returns an empty
// one (the core then takes its bootstrap Peers).
func (s *store) InitialState() (raft.HardState, raft.Configuration, error) {
	var conf raft.Configuration
	if !s.snap.IsEmpty() {
		conf = s.snap.Config
	}
	for _, e := range s.ents[1:] {
		if e.Type == raft.EntryConfig {
			c, err := raft.DecodeConfiguration(e.Data)
			if err != nil {
				return raft.HardState{}, raft.Configuration{}, fmt.Errorf("sim store: entry %d: %w", e.Index, err)
			}
			conf = c
		}
	}
	return s.hs, cloneConfig(conf), nil
}

func (s *storeState) offset() uint64 { return s.ents[0].Index }

func (s *storeState) lastIndex() uint64 { return s.offset() + uint64(len(s.ents)) - 1 }

// Entries implements raft.Storage.
func (s *store) Entries(lo, hi, maxBytes uint64) ([]raft.Entry, error) {
	if lo <= s.offset() {
		return nil, raft.ErrCompacted
	}
	if hi > s.lastIndex()+1 {
		return nil, raft.ErrUnavailable
	}
	if lo >= hi {
		return nil, nil
	}
	src := s.ents[lo-s.offset() : hi-s.offset()]
	var size uint64
	n := 0
	for n < len(src) {
		size += uint64(len(src[n].Data))
		if n > 0 && size > maxBytes {
			break
		}
		n++
	}
	out := make([]raft.Entry, n)
	copy(out, src[:n])
	return out, nil
}

// Term implements raft.Storage.
func (s *store) Term(i uint64) (uint64, error) {
	if i < s.offset() {
		return 0, raft.ErrCompacted
	}
	if i > s.lastIndex() {
		return 0, raft.ErrUnavailable
	}
	return s.ents[i-s.offset()].Term, nil
}

// FirstIndex implements raft.Storage.
func (s *store) FirstIndex() (uint64, error) { return s.offset() + 1, nil }

// LastIndex implements raft.Storage.
func (s *store) LastIndex() (uint64, error) { return s.lastIndex(), nil }

// Snapshot implements raft.Storage.
func (s *store) Snapshot() (raft.SnapshotMeta, error) {
	m := s.snap
	m.Config = cloneConfig(m.Config)
	return m, nil
}

// Save implements raft.LogStore. Its simulated fsync starts now and
// completes after a random delay (node.startSync).
func (s *store) Save(hs raft.HardState, ents []raft.Entry) error {
	if s.n == nil { // a store under test
		return s.save(hs, ents)
	}
	c := s.n.s.chk
	c.onReady(s.n, &raft.Ready{HardState: hs, Entries: ents})
	if s.n.s.opts.mutation == mutSkipHardState {
		hs = raft.HardState{}
	}
	before := s.hs
	s.n.startSync()
	s.write()
	if err := s.save(hs, ents); err != nil {
		return err
	}
	c.onPersist(s.n, before, hs)
	return nil
}

// Append implements raft.AsyncLogStore: the write is made now and is
// durable only once a Sync (which the driver runs in LaneSync work, at a
// virtual time the simulator draws) completes; a crash before that undoes
// it and everything written after it. The node is not busy meanwhile.
func (s *store) Append(hs raft.HardState, ents []raft.Entry) error {
	if s.n == nil {
		return s.save(hs, ents)
	}
	c := s.n.s.chk
	c.onReady(s.n, &raft.Ready{HardState: hs, Entries: ents})
	if s.durable == nil {
		s.durable = s.storeState.clone()
	}
	before := s.hs
	if err := s.save(hs, ents); err != nil {
		return err
	}
	c.onPersist(s.n, before, hs)
	return nil
}

// Sync implements raft.AsyncLogStore: everything written is durable. While
// a Save's fsync is in flight it does nothing: the driver made every
// Append durable before that Save (and the Save's own write becomes
// durable only when its fsync completes).
func (s *store) Sync() error {
	if s.n == nil || s.n.syncing() {
		return nil
	}
	s.persisted()
	return nil
}

// SaveCommit implements raft.CommitSaver: the commit-only HardState is
// written without an fsync of its own. It becomes durable when the next
// fsync completes; a crash before that loses it. (A write made while an
// fsync is in flight counts as covered by it: the model is optimistic
// there, as the driver makes no such write while it is busy.)
func (s *store) SaveCommit(hs raft.HardState) error {
	if s.n == nil {
		return s.save(hs, nil)
	}
	c := s.n.s.chk
	c.onReady(s.n, &raft.Ready{HardState: hs})
	if s.durable == nil {
		s.durable = s.storeState.clone()
	}
	before := s.hs
	if err := s.save(hs, nil); err != nil {
		return err
	}
	c.onPersist(s.n, before, hs)
	return nil
}

func (s *store) save(hs raft.HardState, ents []raft.Entry) error {
	if len(ents) > 0 {
		first := ents[0].Index
		for i := 1; i < len(ents); i++ {
			if ents[i].Index != first+uint64(i) {
				return fmt.Errorf("sim store: save: entries not contiguous at %d", ents[i].Index)
			}
		}
		if first > s.lastIndex()+1 {
			return fmt.Errorf("sim store: save: gap: first new entry %d after last %d", first, s.lastIndex())
		}
		if last := first + uint64(len(ents)) - 1; last <= s.offset() {
			ents = nil // entirely covered by the snapshot
		} else if first <= s.offset() {
			ents = ents[s.offset()+1-first:]
		}
		if len(ents) > 0 {
			keep := ents[0].Index - s.offset()
			if keep < uint64(len(s.ents)) {
				// A conflicting suffix goes: into a new array, so the
				// durable state (clone) keeps it.
				s.ents = slices.Clip(s.ents[:keep])
			}
			s.ents = append(s.ents, ents...)
		}
	}
	if !hs.IsEmpty() {
		s.hs = hs
	}
	return nil
}

// ApplySnapshot implements raft.LogStore: a snapshot received from the
// leader replaces the whole log.
func (s *store) ApplySnapshot(meta raft.SnapshotMeta) error {
	if s.n != nil {
		s.n.s.chk.onReady(s.n, &raft.Ready{Snapshot: meta})
	}
	if meta.Index <= s.snap.Index {
		return raft.ErrSnapshotOutOfDate
	}
	s.write()
	meta.Config = cloneConfig(meta.Config)
	s.ents = []raft.Entry{{Index: meta.Index, Term: meta.Term}}
	s.snap = meta
	if s.hs.Commit < meta.Index {
		s.hs.Commit = meta.Index
	}
	return nil
}

// CreateSnapshot implements raft.LogStore: meta, a snapshot the local
// state machine wrote, becomes the current one and the log is kept.
func (s *store) CreateSnapshot(meta raft.SnapshotMeta) error {
	if meta.Index <= s.snap.Index {
		return raft.ErrSnapshotOutOfDate
	}
	if meta.Index < s.offset() || meta.Index > s.lastIndex() {
		return fmt.Errorf("sim store: snapshot at %d outside the log [%d,%d]", meta.Index, s.offset(), s.lastIndex())
	}
	if t := s.ents[meta.Index-s.offset()].Term; t != meta.Term {
		return fmt.Errorf("sim store: snapshot at %d has term %d, the log has %d", meta.Index, meta.Term, t)
	}
	s.write()
	meta.Config = cloneConfig(meta.Config)
	s.snap = meta
	return nil
}

// Compact implements raft.LogStore.
func (s *store) Compact(index uint64) error {
	if index <= s.offset()+1 {
		return nil
	}
	if index-1 > s.snap.Index {
		return fmt.Errorf("sim store: compact to %d: not covered by snapshot at %d", index, s.snap.Index)
	}
	if index-1 > s.lastIndex() {
		return fmt.Errorf("sim store: compact to %d: past last index %d", index, s.lastIndex())
	}
	s.write()
	i := index - 1 - s.offset()
	kept := make([]raft.Entry, 0, uint64(len(s.ents))-i)
	kept = append(kept, raft.Entry{Index: s.ents[i].Index, Term: s.ents[i].Term})
	kept = append(kept, s.ents[i+1:]...)
	s.ents = kept
	return nil
}

// Close implements raft.LogStore.
func (s *store) Close() error { return nil }

func cloneConfig(c raft.Configuration) raft.Configuration {
	if c.Members == nil {
		return c
	}
	m := make([]raft.Member, len(c.Members))
	copy(m, c.Members)
	return raft.Configuration{Members: m}
}
