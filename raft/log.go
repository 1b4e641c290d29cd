package raft

import (
	"errors"
	"fmt"
)

// raftLog is the core's view of the log: the durable part read through
// Storage followed by the unstable part not yet persisted, plus the commit
// and applied indexes. A Storage failure other than ErrCompacted or
// ErrUnavailable is recorded in err and ends the core's useful life.
type raftLog struct {
	storage  Storage
	unstable unstable
	// committed is the highest index known to be committed.
	committed uint64
	// applied is the highest index the driver has reported applied.
	applied uint64
	// maxApplySize bounds the committed entries handed out at once.
	maxApplySize uint64
	// applyPaused holds committed entries back (Core.PauseApply).
	applyPaused bool
	// applyLimit bounds the entries nextCommittedEnts returns (0: no
	// bound; Core.LimitApply).
	applyLimit uint64
	err        error
}

func newRaftLog(storage Storage, maxApplySize uint64) (*raftLog, error) {
	first, err := storage.FirstIndex()
	if err != nil {
		return nil, fmt.Errorf("raft: read first index: %w", err)
	}
	last, err := storage.LastIndex()
	if err != nil {
		return nil, fmt.Errorf("raft: read last index: %w", err)
	}
	l := &raftLog{storage: storage, maxApplySize: maxApplySize}
	l.unstable.offset = last + 1
	l.committed = first - 1
	l.applied = first - 1
	return l, nil
}

func (l *raftLog) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

func (l *raftLog) firstIndex() uint64 {
	if i, ok := l.unstable.maybeFirstIndex(); ok {
		return i
	}
	i, err := l.storage.FirstIndex()
	if err != nil {
		l.fail(fmt.Errorf("raft: storage first index: %w", err))
	}
	return i
}

func (l *raftLog) lastIndex() uint64 {
	if i, ok := l.unstable.maybeLastIndex(); ok {
		return i
	}
	i, err := l.storage.LastIndex()
	if err != nil {
		l.fail(fmt.Errorf("raft: storage last index: %w", err))
	}
	return i
}

// lastStableIndex is the last index known durable (0 when a snapshot is
// being installed).
func (l *raftLog) lastStableIndex() uint64 {
	if l.unstable.snapshot != nil {
		return 0
	}
	if len(l.unstable.entries) > 0 {
		return l.unstable.offset - 1
	}
	return l.lastIndex()
}

// term returns the term of the entry at index i, which must be in
// [firstIndex-1, lastIndex].
func (l *raftLog) term(i uint64) (uint64, error) {
	if t, ok := l.unstable.maybeTerm(i); ok {
		return t, nil
	}
	if i+1 < l.firstIndex() {
		return 0, ErrCompacted
	}
	if i > l.lastIndex() {
		return 0, ErrUnavailable
	}
	t, err := l.storage.Term(i)
	if err != nil && !errors.Is(err, ErrCompacted) && !errors.Is(err, ErrUnavailable) {
		l.fail(fmt.Errorf("raft: storage term of %d: %w", i, err))
	}
	return t, err
}

func (l *raftLog) termOrZero(i uint64) uint64 {
	t, err := l.term(i)
	if err != nil {
		return 0
	}
	return t
}

func (l *raftLog) lastTerm() uint64 { return l.termOrZero(l.lastIndex()) }

func (l *raftLog) matchTerm(i, t uint64) bool {
	gt, err := l.term(i)
	return err == nil && gt == t
}

// isUpToDate reports whether a log ending at (lasti, term) is at least as
// up-to-date as ours (paper §5.4.1).
func (l *raftLog) isUpToDate(lasti, term uint64) bool {
	lt := l.lastTerm()
	return term > lt || (term == lt && lasti >= l.lastIndex())
}

// findConflict returns the index of the first entry of ents that is not
// already in the log (a different term or past the end), or 0.
func (l *raftLog) findConflict(ents []Entry) uint64 {
	for _, e := range ents {
		if !l.matchTerm(e.Index, e.Term) {
			return e.Index
		}
	}
	return 0
}

// findConflictByTerm returns the largest index <= index whose term is <=
// term, and that term. It is the fast-backtracking hint: every entry after
// it is known not to match a log whose entry at index has the given term.
func (l *raftLog) findConflictByTerm(index, term uint64) (uint64, uint64) {
	for ; index > 0; index-- {
		t, err := l.term(index)
		if err != nil {
			return index, 0
		}
		if t <= term {
			return index, t
		}
	}
	return 0, 0
}

// append adds ents (truncating a conflicting unstable suffix) and returns
// the new last index. Entries at or below committed are never replaced.
func (l *raftLog) append(ents []Entry) uint64 {
	if len(ents) == 0 {
		return l.lastIndex()
	}
	if after := ents[0].Index - 1; after < l.committed {
		l.fail(fmt.Errorf("raft: append at %d would overwrite committed index %d", after+1, l.committed))
		return l.lastIndex()
	}
	l.unstable.truncateAndAppend(ents)
	return l.lastIndex()
}

// entries returns entries from index i up to maxSize payload bytes.
func (l *raftLog) entries(i, maxSize uint64) ([]Entry, error) {
	last := l.lastIndex()
	if i > last {
		return nil, nil
	}
	return l.slice(i, last+1, maxSize)
}

// slice returns the entries in [lo, hi), at least one when lo < hi, and no
// more than maxSize payload bytes beyond the first.
func (l *raftLog) slice(lo, hi, maxSize uint64) ([]Entry, error) {
	if lo >= hi {
		return nil, nil
	}
	if lo < l.firstIndex() {
		return nil, ErrCompacted
	}
	if hi > l.lastIndex()+1 {
		return nil, ErrUnavailable
	}
	var ents []Entry
	if lo < l.unstable.offset {
		stop := min(hi, l.unstable.offset)
		stored, err := l.storage.Entries(lo, stop, maxSize)
		if err != nil {
			if !errors.Is(err, ErrCompacted) {
				l.fail(fmt.Errorf("raft: storage entries [%d,%d): %w", lo, stop, err))
			}
			return nil, err
		}
		if uint64(len(stored)) < stop-lo {
			return stored, nil
		}
		ents = stored
	}
	if hi > l.unstable.offset {
		start := max(lo, l.unstable.offset)
		// No capacity past hi: what is handed out is never appended
		// into (unstable writes past its length in place).
		unst := l.unstable.entries[start-l.unstable.offset : hi-l.unstable.offset : hi-l.unstable.offset]
		if len(ents) > 0 {
			ents = append(append([]Entry(nil), ents...), unst...)
		} else {
			ents = unst
		}
	}
	return limitSize(ents, maxSize), nil
}

// limitSize keeps the longest prefix of ents (at least one entry) whose
// payload fits in maxSize bytes.
func limitSize(ents []Entry, maxSize uint64) []Entry {
	if len(ents) == 0 {
		return ents
	}
	size := uint64(len(ents[0].Data))
	for i := 1; i < len(ents); i++ {
		size += uint64(len(ents[i].Data))
		if size > maxSize {
			return ents[:i]
		}
	}
	return ents
}

// commitTo raises the commit index.
func (l *raftLog) commitTo(i uint64) {
	if i <= l.committed {
		return
	}
	if last := l.lastIndex(); i > last {
		l.fail(fmt.Errorf("raft: commit index %d is past the last index %d", i, last))
		return
	}
	l.committed = i
}

func (l *raftLog) appliedTo(i uint64) {
	if i == 0 || i <= l.applied {
		return
	}
	if i > l.committed {
		l.fail(fmt.Errorf("raft: applied index %d is past the commit index %d", i, l.committed))
		return
	}
	l.applied = i
}

// nextCommittedEnts returns the committed entries not yet handed out for
// applying; none while a snapshot is pending or applying is paused.
func (l *raftLog) nextCommittedEnts() []Entry {
	if !l.hasNextCommittedEnts() {
		return nil
	}
	lo := max(l.applied+1, l.firstIndex())
	hi := l.committed + 1
	if l.applyLimit > 0 {
		hi = min(hi, lo+l.applyLimit)
	}
	ents, err := l.slice(lo, hi, l.maxApplySize)
	if err != nil {
		return nil
	}
	return ents
}

func (l *raftLog) hasNextCommittedEnts() bool {
	return !l.applyPaused && l.unstable.snapshot == nil && l.applied < l.committed
}

// restore resets the log to snapshot s.
func (l *raftLog) restore(s SnapshotMeta) {
	l.committed = s.Index
	l.unstable.restore(s)
}
