package raft

import (
	"fmt"
	"sync"

	"github.com/resqlite/resqlite/raft/internal/chunk"
)

// MemoryStorage is a LogStore kept in memory. Tests and the simulator use
// it, and it is the reference behavior for the durable store. "Durable"
// here means: what a Save has returned for survives for as long as the
// value does.
type MemoryStorage struct {
	mu        sync.Mutex
	hardState HardState
	snapshot  SnapshotMeta
	// ents.At(0) is a placeholder for the entry just before the first
	// one held (index and term only); ents.At(i) has index offset()+i.
	// Chunks: an append never copies the log (package chunk). Entries
	// hands out runs of a chunk without copying them, so ents changes
	// only in the chunk package's shared way: a value handed out is
	// never written again.
	ents chunk.Seq[Entry]
}

var _ LogStore = (*MemoryStorage)(nil)

// NewMemoryStorage returns an empty MemoryStorage.
func NewMemoryStorage() *MemoryStorage {
	s := &MemoryStorage{}
	s.ents.Append(Entry{})
	return s
}

// InitialState implements Storage.
func (s *MemoryStorage) InitialState() (HardState, Configuration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := s.ents.Len() - 1; i > 0; i-- {
		if e := s.ents.Ptr(i); e.Type == EntryConfig {
			cfg, err := DecodeConfiguration(e.Data)
			if err != nil {
				return HardState{}, Configuration{}, fmt.Errorf("raft: memory storage: entry %d: %w", e.Index, err)
			}
			return s.hardState, cfg, nil
		}
	}
	return s.hardState, s.snapshot.Config.Clone(), nil
}

func (s *MemoryStorage) offset() uint64    { return s.ents.Ptr(0).Index }
func (s *MemoryStorage) lastIndex() uint64 { return s.offset() + uint64(s.ents.Len()) - 1 }

// Entries implements Storage. Entries that lie in one chunk are handed
// out without a copy, shared with the store (which never writes them
// again): callers must not modify them.
func (s *MemoryStorage) Entries(lo, hi, maxBytes uint64) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if lo <= s.offset() {
		return nil, ErrCompacted
	}
	if hi > s.lastIndex()+1 || lo > hi {
		return nil, fmt.Errorf("raft: memory storage: entries [%d,%d) with last index %d: %w", lo, hi, s.lastIndex(), ErrUnavailable)
	}
	from, to := int(lo-s.offset()), int(hi-s.offset())
	if to > from {
		// Within maxBytes, but at least one entry (limitSize).
		size := uint64(len(s.ents.Ptr(from).Data))
		for i := from + 1; i < to; i++ {
			if size += uint64(len(s.ents.Ptr(i).Data)); size > maxBytes {
				to = i
				break
			}
		}
	}
	if ents, ok := s.ents.Slice(from, to); ok {
		return ents, nil
	}
	return s.ents.AppendRange(make([]Entry, 0, to-from), from, to), nil
}

// Term implements Storage.
func (s *MemoryStorage) Term(i uint64) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < s.offset() {
		return 0, ErrCompacted
	}
	if i > s.lastIndex() {
		return 0, ErrUnavailable
	}
	return s.ents.Ptr(int(i - s.offset())).Term, nil
}

// FirstIndex implements Storage.
func (s *MemoryStorage) FirstIndex() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset() + 1, nil
}

// LastIndex implements Storage.
func (s *MemoryStorage) LastIndex() (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastIndex(), nil
}

// Snapshot implements Storage.
func (s *MemoryStorage) Snapshot() (SnapshotMeta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.snapshot
	snap.Config = snap.Config.Clone()
	return snap, nil
}

// Save implements LogStore.
func (s *MemoryStorage) Save(hs HardState, ents []Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(ents) > 0 {
		first := ents[0].Index
		for i, e := range ents {
			if e.Index != first+uint64(i) {
				return fmt.Errorf("raft: memory storage: entries not consecutive at %d", e.Index)
			}
		}
		if first > s.lastIndex()+1 {
			return fmt.Errorf("raft: memory storage: append at %d leaves a gap after %d", first, s.lastIndex())
		}
		if first <= s.offset() {
			// Skip what is already folded into the snapshot.
			skip := s.offset() + 1 - first
			if skip >= uint64(len(ents)) {
				ents = nil
			} else {
				ents = ents[skip:]
			}
		}
		if len(ents) > 0 {
			// Truncate any conflicting suffix, leaving what Entries
			// handed out intact.
			s.ents.TruncateShared(int(ents[0].Index - s.offset()))
			s.ents.Append(ents...)
		}
	}
	if !hs.IsEmpty() {
		s.hardState = hs
	}
	return nil
}

// ApplySnapshot implements LogStore: the log is replaced by snapshot meta.
func (s *MemoryStorage) ApplySnapshot(meta SnapshotMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if meta.Index <= s.snapshot.Index {
		return ErrSnapshotOutOfDate
	}
	meta.Config = meta.Config.Clone()
	s.snapshot = meta
	s.ents.Reset()
	s.ents.Append(Entry{Index: meta.Index, Term: meta.Term})
	if s.hardState.Commit < meta.Index {
		s.hardState.Commit = meta.Index
	}
	return nil
}

// CreateSnapshot implements LogStore: meta becomes the current snapshot
// and the log is kept.
func (s *MemoryStorage) CreateSnapshot(meta SnapshotMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if meta.Index <= s.snapshot.Index {
		return ErrSnapshotOutOfDate
	}
	if meta.Index < s.offset() || meta.Index > s.lastIndex() {
		return fmt.Errorf("raft: memory storage: snapshot at %d outside the log [%d,%d]", meta.Index, s.offset(), s.lastIndex())
	}
	if t := s.ents.Ptr(int(meta.Index - s.offset())).Term; t != meta.Term {
		return fmt.Errorf("raft: memory storage: snapshot at %d has term %d, log has %d", meta.Index, meta.Term, t)
	}
	meta.Config = meta.Config.Clone()
	s.snapshot = meta
	return nil
}

// Compact implements LogStore.
func (s *MemoryStorage) Compact(index uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if index <= s.offset()+1 {
		return nil
	}
	if index > s.snapshot.Index+1 {
		return fmt.Errorf("raft: memory storage: compact before %d: not covered by the snapshot at %d", index, s.snapshot.Index)
	}
	if index > s.lastIndex()+1 {
		return fmt.Errorf("raft: memory storage: compact before %d past last index %d: %w", index, s.lastIndex(), ErrUnavailable)
	}
	// The first chunk left is a private copy (DropFrontShared): the
	// placeholder may be written.
	s.ents.DropFrontShared(int(index - 1 - s.offset()))
	first := s.ents.Ptr(0)
	*first = Entry{Index: first.Index, Term: first.Term}
	return nil
}

// Close implements LogStore.
func (s *MemoryStorage) Close() error { return nil }
