package wal

import (
	"fmt"

	"github.com/resqlite/resqlite/raft/internal/chunk"
)

// entryPos says where the record of one entry lives.
type entryPos struct {
	seg      *segment
	off      int64
	size     uint32 // record size on disk
	dataLen  uint32 // len(Entry.Data)
	term     uint64
	isConfig bool // an EntryConfig entry
}

// logIndex is the in-memory index of the entries in the log: ents.At(i)
// locates entry first+i (in chunks: an append never copies the index). prevTerm is the term of entry first-1 when
// prevKnown. In an open store prevKnown always holds and first is the
// log's first index; while a directory is replayed, segments deleted
// after a compaction can leave a window that starts later, until the
// record that allowed the deletion is replayed.
type logIndex struct {
	first     uint64
	prevTerm  uint64
	prevKnown bool
	ents      chunk.Seq[entryPos]
}

func (x *logIndex) last() uint64 { return x.first + uint64(x.ents.Len()) - 1 }

// pos returns where entry i (first <= i <= last()) lives.
func (x *logIndex) pos(i uint64) *entryPos { return x.ents.Ptr(int(i - x.first)) }

// term returns the term of entry i if the index knows it.
func (x *logIndex) term(i uint64) (uint64, bool) {
	switch {
	case i+1 == x.first:
		return x.prevTerm, x.prevKnown
	case i >= x.first && i <= x.last():
		return x.pos(i).term, true
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
		x.ents.Reset()
		x.first = index
		x.prevKnown = false
		x.prevTerm = 0
	default:
		x.ents.Truncate(int(index - x.first))
	}
	x.ents.Append(p)
	return nil
}

// install replaces the whole log by a snapshot at index of term: the log
// is then empty and ends at index.
func (x *logIndex) install(index, term uint64) {
	x.ents.Reset()
	x.first, x.prevTerm, x.prevKnown = index+1, term, true
}

// compact discards the entries before index; prevTerm is the term of
// entry index-1. A replay that does not know those entries (they were in
// deleted segments) has nothing to discard.
func (x *logIndex) compact(index, prevTerm uint64) error {
	if index < x.first {
		return nil
	}
	if index > x.last()+1 {
		return fmt.Errorf("compaction to %d past last index %d", index, x.last())
	}
	if t, ok := x.term(index - 1); ok && t != prevTerm {
		return fmt.Errorf("compaction to %d records term %d for entry %d, log has %d", index, prevTerm, index-1, t)
	}
	x.ents.DropFront(int(index - x.first))
	x.first, x.prevTerm, x.prevKnown = index, prevTerm, true
	return nil
}
