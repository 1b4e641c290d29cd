package wal

import (
	"fmt"

	"github.com/resqlite/resqlite/raft"
)

// InitialState returns the hard state and the latest configuration: that
// of the last configuration entry in the log, or else the snapshot's.
func (s *Store) InitialState() (raft.HardState, raft.Configuration, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return raft.HardState{}, raft.Configuration{}, err
	}
	for i := s.idx.ents.Len() - 1; i >= 0; i-- {
		p := s.idx.ents.At(i)
		if !p.isConfig {
			continue
		}
		index := s.idx.first + uint64(i)
		ents, err := readRun(nil, []entryPos{p}, int64(p.size), index)
		if err != nil {
			return raft.HardState{}, raft.Configuration{}, err
		}
		cfg, err := raft.DecodeConfiguration(ents[0].Data)
		if err != nil {
			return raft.HardState{}, raft.Configuration{}, fmt.Errorf("wal: configuration entry %d: %w", index, err)
		}
		return s.hs, cfg, nil
	}
	return s.hs, s.snap.Config.Clone(), nil
}

// FirstIndex returns the index of the first entry in the log.
func (s *Store) FirstIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return 0, err
	}
	return s.idx.first, nil
}

// LastIndex returns the index of the last entry (FirstIndex()-1 if the
// log is empty).
func (s *Store) LastIndex() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return 0, err
	}
	return s.idx.last(), nil
}

// Snapshot returns the metadata of the current snapshot.
func (s *Store) Snapshot() (raft.SnapshotMeta, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return raft.SnapshotMeta{}, err
	}
	return s.snap, nil
}

// Term returns the term of entry i, for i in [FirstIndex()-1, LastIndex()].
func (s *Store) Term(i uint64) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return 0, err
	}
	if i+1 < s.idx.first {
		return 0, raft.ErrCompacted
	}
	if i > s.idx.last() {
		return 0, raft.ErrUnavailable
	}
	t, _ := s.idx.term(i)
	return t, nil
}

// Entries returns the entries in [lo, hi). It stops once the total size
// of the entries' Data would exceed maxBytes, but always returns at least
// one entry when the range is not empty (maxBytes 0 therefore means one
// entry; math.MaxUint64 means no limit). The entries saved last come from
// memory (tailCache); older ones are read from the segments by offset and
// their checksums verified.
func (s *Store) Entries(lo, hi, maxBytes uint64) ([]raft.Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return nil, err
	}
	if lo < s.idx.first {
		return nil, raft.ErrCompacted
	}
	if lo > hi || hi > s.idx.last()+1 {
		return nil, fmt.Errorf("wal: entries [%d, %d) with last index %d: %w", lo, hi, s.idx.last(), raft.ErrUnavailable)
	}
	if lo == hi {
		return nil, nil
	}
	if ents, ok := s.tail.get(lo, hi, maxBytes); ok {
		return ents, nil
	}
	var total uint64
	for i := lo; i < hi; i++ {
		total += uint64(s.idx.pos(i).dataLen)
		if i > lo && total > maxBytes {
			hi = i
			break
		}
	}
	poss := s.idx.ents.AppendRange(make([]entryPos, 0, hi-lo), int(lo-s.idx.first), int(hi-s.idx.first))
	ents := make([]raft.Entry, 0, len(poss))
	for len(poss) > 0 {
		// One read per run of records that lie back to back.
		n := 1
		span := int64(poss[0].size)
		for n < len(poss) && poss[n].seg == poss[0].seg && poss[n].off == poss[0].off+span {
			span += int64(poss[n].size)
			n++
		}
		var err error
		if ents, err = readRun(ents, poss[:n], span, lo+uint64(len(ents))); err != nil {
			return nil, err
		}
		poss = poss[n:]
	}
	return ents, nil
}

// readRun reads the n back-to-back records of poss (span bytes) and
// appends their entries, checking each is the expected index and term.
func readRun(ents []raft.Entry, poss []entryPos, span int64, index uint64) ([]raft.Entry, error) {
	seg := poss[0].seg
	buf := make([]byte, span)
	if _, err := seg.f.ReadAt(buf, poss[0].off); err != nil {
		return nil, fmt.Errorf("wal: read %s at %d: %w", seg.path, poss[0].off, err)
	}
	off := 0
	for i, p := range poss {
		typ, data, size, err := decodeRecord(buf[off : off+int(p.size)])
		if err == nil && (typ != recEntry || size != int(p.size)) {
			err = fmt.Errorf("record of type %d and size %d where entry %d was written", typ, size, index+uint64(i))
		}
		var e raft.Entry
		if err == nil {
			e, err = decodeEntry(data)
		}
		if err == nil && (e.Index != index+uint64(i) || e.Term != p.term) {
			err = fmt.Errorf("record holds entry %d/%d, want %d/%d", e.Index, e.Term, index+uint64(i), p.term)
		}
		if err != nil {
			return nil, &CorruptionError{File: seg.path, Offset: p.off, Reason: err.Error()}
		}
		ents = append(ents, e)
		off += int(p.size)
	}
	return ents, nil
}
