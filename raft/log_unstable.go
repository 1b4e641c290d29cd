package raft

// unstable holds what the core has accepted but the driver has not yet
// reported durable: a snapshot to install and entries to append. Entry i
// of entries has log index offset+i.
//
// Entries are appended in place into spare capacity of entries' array,
// which is never handed out: every slice given away (Ready.Entries,
// MsgApp entries) ends at the length it had and has no capacity beyond
// it (see pending and raftLog.slice), so what a driver or transport holds
// is never written to. Replacing entries (a conflict) starts a new array.
type unstable struct {
	snapshot *SnapshotMeta
	entries  []Entry
	offset   uint64
}

// maybeFirstIndex returns the first log index after a pending snapshot.
func (u *unstable) maybeFirstIndex() (uint64, bool) {
	if u.snapshot != nil {
		return u.snapshot.Index + 1, true
	}
	return 0, false
}

// maybeLastIndex returns the last index held by unstable, if any.
func (u *unstable) maybeLastIndex() (uint64, bool) {
	if n := len(u.entries); n != 0 {
		return u.offset + uint64(n) - 1, true
	}
	if u.snapshot != nil {
		return u.snapshot.Index, true
	}
	return 0, false
}

// maybeTerm returns the term of index i if unstable knows it.
func (u *unstable) maybeTerm(i uint64) (uint64, bool) {
	if i < u.offset {
		if u.snapshot != nil && u.snapshot.Index == i {
			return u.snapshot.Term, true
		}
		return 0, false
	}
	last, ok := u.maybeLastIndex()
	if !ok || i > last {
		return 0, false
	}
	return u.entries[i-u.offset].Term, true
}

// stableTo drops the entries up to index i once they are durable, provided
// the entry at i still has term t (it may have been replaced meanwhile).
func (u *unstable) stableTo(i, t uint64) {
	gt, ok := u.maybeTerm(i)
	if !ok || gt != t || i < u.offset {
		return
	}
	n := i + 1 - u.offset
	// The array's spare capacity stays for the next appends.
	u.entries = u.entries[n:]
	u.offset = i + 1
}

// pending returns the entries to persist, with no capacity beyond them
// (nil when there are none).
func (u *unstable) pending() []Entry {
	if len(u.entries) == 0 {
		return nil
	}
	return u.entries[:len(u.entries):len(u.entries)]
}

// stableSnapTo drops the pending snapshot once it is installed.
func (u *unstable) stableSnapTo(i uint64) {
	if u.snapshot != nil && u.snapshot.Index == i {
		u.snapshot = nil
	}
}

// restore replaces everything with snapshot s.
func (u *unstable) restore(s SnapshotMeta) {
	u.offset = s.Index + 1
	u.entries = nil
	u.snapshot = &s
}

// truncateAndAppend appends ents, first dropping any entries at or after
// ents[0].Index. Slices already handed out (in Ready or messages) are
// never written to.
func (u *unstable) truncateAndAppend(ents []Entry) {
	after := ents[0].Index
	switch {
	case after == u.offset+uint64(len(u.entries)):
		u.appendInPlace(ents)
	case after <= u.offset:
		u.offset = after
		u.entries = append([]Entry(nil), ents...)
	default:
		kept := append([]Entry(nil), u.entries[:after-u.offset]...)
		u.entries = append(kept, ents...)
	}
}

// minUnstableCap is the least capacity of a new array of unstable
// entries: appends of a few entries at a time (one proposal per Ready)
// share one array for many Readys instead of allocating one each.
const minUnstableCap = 256

// appendInPlace appends ents after the entries held, into the array's
// spare capacity when it has room (never handed out: see unstable), or
// into a new array with room for as many again.
func (u *unstable) appendInPlace(ents []Entry) {
	n := len(u.entries) + len(ents)
	if n > cap(u.entries) {
		grown := make([]Entry, len(u.entries), max(2*n, minUnstableCap))
		copy(grown, u.entries)
		u.entries = grown
	}
	u.entries = append(u.entries, ents...)
}
