package wal

import (
	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/internal/chunk"
)

// tailBytes bounds the memory the tail cache holds: entry data plus
// entryOverhead per entry.
const tailBytes = 8 << 20

// entryOverhead is what the tail cache counts for an entry besides its
// data (the Entry value in its chunk).
const entryOverhead = 64

// tailCache keeps the entries saved last, so that reading them back soon
// after (the core applies committed entries and sends entries to
// followers right after it saved them) takes no disk read, checksum and
// decoding. It always holds a suffix of the log: entries first ..
// first+Len-1, the last being the log's last. The entries share their
// Data with the caller of Save, as raft.MemoryStorage's do.
type tailCache struct {
	ents  chunk.Seq[raft.Entry]
	first uint64
	bytes uint64
}

func cost(e *raft.Entry) uint64 { return uint64(len(e.Data)) + entryOverhead }

func (t *tailCache) last() uint64 { return t.first + uint64(t.ents.Len()) - 1 }

// saved records ents, just appended to the log (replacing the log's
// entries from ents[0].Index on).
func (t *tailCache) saved(ents []raft.Entry) {
	if len(ents) == 0 {
		return
	}
	from := ents[0].Index
	if t.ents.Len() == 0 || from < t.first || from > t.last()+1 {
		t.reset()
		t.first = from
	} else {
		for i := int(from - t.first); i < t.ents.Len(); i++ {
			t.bytes -= cost(t.ents.Ptr(i))
		}
		t.ents.Truncate(int(from - t.first))
	}
	t.ents.Append(ents...)
	for i := range ents {
		t.bytes += cost(&ents[i])
	}
	t.trim()
}

// trim drops the oldest entries until the cache is within tailBytes.
func (t *tailCache) trim() {
	n := 0
	for t.bytes > tailBytes && n < t.ents.Len() {
		t.bytes -= cost(t.ents.Ptr(n))
		n++
	}
	t.ents.DropFront(n)
	t.first += uint64(n)
}

func (t *tailCache) reset() {
	t.ents.Reset()
	t.bytes = 0
}

// get returns the entries in [lo, hi) as Store.Entries does (within
// maxBytes of data, at least one), if the cache holds them all.
func (t *tailCache) get(lo, hi, maxBytes uint64) ([]raft.Entry, bool) {
	if t.ents.Len() == 0 || lo < t.first || hi > t.last()+1 || lo >= hi {
		return nil, false
	}
	from, to := int(lo-t.first), int(hi-t.first)
	size := uint64(len(t.ents.Ptr(from).Data))
	for i := from + 1; i < to; i++ {
		if size += uint64(len(t.ents.Ptr(i).Data)); size > maxBytes {
			to = i
			break
		}
	}
	return t.ents.AppendRange(make([]raft.Entry, 0, to-from), from, to), true
}
