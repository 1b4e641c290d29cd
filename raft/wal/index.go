package wal

import "fmt"

// entryPos says where the record of one entry lives.
type entryPos struct {
	seg     *segment
	off     int64
	size    uint32 // record size on disk
	dataLen uint32 // len(Entry.Data)
	term    uint64
}

// logIndex is the in-memory index of the entries in the log: ents[i]
// locates entry first+i. prevTerm is the term of entry first-1 when
// prevKnown. In an open store first is always snapshot index + 1 and
// prevTerm the snapshot's term; while a directory is replayed, segments
// deleted after a snapshot can leave first above that until the snapshot
// record that allowed the deletion is replayed.
type logIndex struct {
	first     uint64
	prevTerm  uint64
	prevKnown bool
	ents      []entryPos
}

func (x *logIndex) last() uint64 { return x.first + uint64(len(x.ents)) - 1 }

// term returns the term of entry i if the index knows it.
func (x *logIndex) term(i uint64) (uint64, bool) {
	switch {
	case i+1 == x.first:
		return x.prevTerm, x.prevKnown
	case i >= x.first && i <= x.last():
		return x.ents[i-x.first].term, true
	}
	return 0, false
}

// add records entry index at p, dropping any entries at or after index
// first (a conflicting suffix replaced by a new leader's entries).
func (x *logIndex) add(index uint64, p entryPos) error {
	switch {
	case index > x.last()+1:
		return fmt.Errorf("entry %d leaves a gap after last index %d", index, x.last())
	case index < x.first:
		x.ents = x.ents[:0]
		x.first = index
		x.prevKnown = false
		x.prevTerm = 0
	default:
		x.ents = x.ents[:index-x.first]
	}
	x.ents = append(x.ents, p)
	return nil
}

// applySnapshot discards entries up to and including index. If kept, the
// log at index matched the snapshot and later entries stay; otherwise the
// whole log goes and the log ends at index.
func (x *logIndex) applySnapshot(index, term uint64, kept bool) error {
	if !kept {
		x.ents = nil
		x.first, x.prevTerm, x.prevKnown = index+1, term, true
		return nil
	}
	if index+1 < x.first {
		return nil // below what a replay knows; a later snapshot covers it
	}
	if index > x.last() {
		return fmt.Errorf("snapshot at %d keeps a log that ends at %d", index, x.last())
	}
	if t, ok := x.term(index); ok && t != term {
		return fmt.Errorf("snapshot at %d has term %d, log has %d", index, term, t)
	}
	x.ents = append([]entryPos(nil), x.ents[index+1-x.first:]...)
	x.first, x.prevTerm, x.prevKnown = index+1, term, true
	return nil
}
