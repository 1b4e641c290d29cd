package wal

import (
	"fmt"
	"time"

	"github.com/resqlite/resqlite/raft"
)

// Save durably records hs (unless empty or unchanged) and appends ents
// with one write and one fsync (group commit), in an order every prefix of
// which recovers consistently (saveOrder). If ents[0].Index is at or
// below the last index, the entries from there on are replaced; entries
// before the first index (already compacted) are skipped. Entries must be
// consecutive and must not leave a gap. A full disk fails Save cleanly
// before anything is written; any later I/O error is fatal (ErrFailed).
func (s *Store) Save(hs raft.HardState, ents []raft.Entry) error {
	return s.save(hs, ents, true)
}

// Append records hs and appends ents as Save does, with the fsync left
// to the next Sync (or to the next write that syncs): the write is in the
// file, and survives a crash of the process, but not yet a power cut
// (raft.AsyncLogStore). The entries are readable at once.
func (s *Store) Append(hs raft.HardState, ents []raft.Entry) error {
	return s.save(hs, ents, false)
}

// save is Save, or Append when sync is false.
func (s *Store) save(hs raft.HardState, ents []raft.Entry, sync bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	if err := s.checkEntries(ents); err != nil {
		return err
	}
	if len(ents) > 0 && ents[0].Index < s.idx.first {
		ents = ents[min(s.idx.first-ents[0].Index, uint64(len(ents))):]
	}
	buf, offs, entsEnd := s.encodeSave(hs, ents)
	if len(buf) == 0 {
		return nil
	}
	seg, base, err := s.writeSync(buf, s.snapshotReserve(), sync)
	if err != nil {
		return err
	}
	if !hs.IsEmpty() {
		s.hs = hs
	}
	for i, e := range ents {
		end := entsEnd
		if i+1 < len(ents) {
			end = offs[i+1]
		}
		p := entryPos{seg: seg, off: base + int64(offs[i]), size: uint32(end - offs[i]), dataLen: uint32(len(e.Data)),
			term: e.Term, isConfig: e.Type == raft.EntryConfig}
		if err := s.idx.add(e.Index, p); err != nil {
			return s.fail(fmt.Errorf("index entry %d: %w", e.Index, err)) // checkEntries rules this out
		}
		seg.maxIndex = max(seg.maxIndex, e.Index)
	}
	s.tail.saved(ents)
	return nil
}

// encodeSave encodes a Save's records in the order saveOrder gives, into
// the Store's reused buffer. It returns the offset of each entry's record
// and the end of the last one.
func (s *Store) encodeSave(hs raft.HardState, ents []raft.Entry) (buf []byte, offs []int, entsEnd int) {
	buf = s.buf[:0]
	before, after := s.saveOrder(hs, ents)
	if before != nil {
		buf = appendRecord(buf, recHardState, appendHardState(nil, *before))
	}
	offs = make([]int, len(ents))
	var payload []byte
	for i, e := range ents {
		offs[i] = len(buf)
		payload = appendEntry(payload[:0], e)
		buf = appendRecord(buf, recEntry, payload)
	}
	entsEnd = len(buf)
	if after != nil {
		buf = appendRecord(buf, recHardState, appendHardState(nil, *after))
	}
	if cap(buf) <= maxRetainedBuffer {
		s.buf = buf // reused by the next Save
	}
	return buf, offs, entsEnd
}

// saveOrder returns the HardState records a Save writes before and after
// its entries (nil for none), so that a power cut that keeps any prefix of
// the write recovers a consistent state:
//
//   - Term and vote go before the entries: a node must never hold entries
//     of a term it has not durably entered (Raft paper Figure 2: currentTerm
//     and votedFor are persistent state, updated before responding).
//   - The commit index is volatile state (Figure 2): a node recovers it from
//     its applied index and the leader, so an older value is always safe,
//     but a value past the log that survived is not (the core refuses to
//     start on it). Before the entries it is clamped to what is already
//     durable and not replaced: min(hs.Commit, first new index - 1), since
//     the entries may overwrite an uncommitted suffix. The full HardState
//     follows the entries when its commit differs, as etcd's WAL writes
//     entries before the state that commits them.
//
// The stored commit is clamped too when the entries rewrite what it covers
// (with hs empty or unchanged): the core never does that (committed
// entries are never replaced, §5.3), but the log stays consistent if a
// caller does.
func (s *Store) saveOrder(hs raft.HardState, ents []raft.Entry) (before, after *raft.HardState) {
	final := s.hs
	if !hs.IsEmpty() {
		final = hs
	}
	first := final
	if len(ents) > 0 {
		first.Commit = min(final.Commit, ents[0].Index-1)
	}
	if first != s.hs {
		before = &first
	}
	if first != final {
		after = &final
	}
	return before, after
}

// maxRetainedBuffer caps the encoding buffer a Store keeps between Saves.
const maxRetainedBuffer = 4 << 20

// checkEntries validates a batch before anything is written.
func (s *Store) checkEntries(ents []raft.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	first := ents[0].Index
	if last := s.idx.last(); first > last+1 {
		return fmt.Errorf("wal: append at index %d would leave a gap after last index %d", first, last)
	}
	for i, e := range ents {
		if e.Index != first+uint64(i) {
			return fmt.Errorf("wal: entries not consecutive: index %d at position %d after %d", e.Index, i, first)
		}
		if len(e.Data) > MaxRecordData-entryHeaderSize {
			return fmt.Errorf("wal: entry %d of %d bytes exceeds the limit of %d", e.Index, len(e.Data), MaxRecordData-entryHeaderSize)
		}
	}
	return nil
}

// snapshotReserve is the space at the end of each segment that only
// snapshot records may use, so that on a full disk a snapshot can still be
// recorded and free the segments it covers.
func (s *Store) snapshotReserve() int64 { return min(s.opts.SegmentSize/4, 4096) }

// write appends buf (whole records) to the log and fsyncs it, rolling to
// a new segment first if it does not fit in the segment's space less
// reserve. It returns the segment and the offset buf landed at.
func (s *Store) write(buf []byte, reserve int64) (*segment, int64, error) {
	return s.writeSync(buf, reserve, true)
}

// writeSync is write, with the fsync left to the next write that syncs
// when sync is false (SaveCommit).
func (s *Store) writeSync(buf []byte, reserve int64, sync bool) (*segment, int64, error) {
	seg := s.segs[len(s.segs)-1]
	if seg.end+int64(len(buf)) > seg.size-reserve {
		var err error
		if seg, err = s.roll(len(buf)); err != nil {
			return nil, 0, err
		}
	}
	base := seg.end
	if _, err := seg.f.WriteAt(buf, base); err != nil {
		return nil, 0, s.fail(fmt.Errorf("write %s at %d: %w", seg.path, base, err))
	}
	seg.end += int64(len(buf))
	s.written++
	if !sync {
		s.unsynced = true
		return seg, base, nil
	}
	if err := s.syncLast(); err != nil {
		return nil, 0, err
	}
	return seg, base, nil
}

// syncLast fsyncs the last segment, making every write to it durable
// (those SaveCommit left unsynced included).
func (s *Store) syncLast() error {
	seg := s.segs[len(s.segs)-1]
	s.syncs++
	start := time.Now()
	if err := s.ops.sync(seg.f); err != nil {
		return s.fail(fmt.Errorf("fsync %s: %w", seg.path, err))
	}
	if s.opts.ObserveSync != nil {
		s.opts.ObserveSync(time.Since(start))
	}
	s.unsynced = false
	s.synced = s.written
	return nil
}

// Sync makes every write the store took before the call durable, with one
// fsync of the last segment that runs without the store's lock, so that
// reads and Appends go on meanwhile (raft.AsyncLogStore). It fsyncs a
// duplicate of the segment's descriptor, which a compaction or Close
// meanwhile cannot invalidate. A write that lands in a later segment
// (after a roll, which itself fsyncs the segment it leaves) is not
// covered. As with every fsync, a failure is fatal (ErrFailed).
func (s *Store) Sync() error {
	s.mu.Lock()
	if err := s.usable(); err != nil {
		s.mu.Unlock()
		return err
	}
	if !s.unsynced {
		s.mu.Unlock()
		return nil
	}
	seg, target := s.segs[len(s.segs)-1], s.written
	f, err := dupFile(seg.f)
	if err != nil {
		defer s.mu.Unlock()
		return s.fail(fmt.Errorf("duplicate %s to fsync it: %w", seg.path, err))
	}
	s.syncs++
	s.mu.Unlock()
	start := time.Now()
	err = s.ops.sync(f)
	f.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		return s.fail(fmt.Errorf("fsync %s: %w", seg.path, err))
	}
	if s.opts.ObserveSync != nil {
		s.opts.ObserveSync(time.Since(start))
	}
	s.synced = max(s.synced, target)
	if s.synced == s.written {
		s.unsynced = false
	}
	return nil
}

// SaveCommit records hs, which differs from the stored HardState only in
// its commit index, without an fsync of its own (raft.CommitSaver; the
// node calls it when Ready.MustSync is false). It becomes durable with
// the next fsync of the log, which a segment roll issues before leaving
// the segment. A crash before then may leave it torn at the log's tail,
// which Open truncates: the HardState before it stands, and the node
// recovers its commit index from its applied index and the leader. A
// change of term or vote is saved durably, as by Save.
func (s *Store) SaveCommit(hs raft.HardState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	if hs.IsEmpty() || hs == s.hs {
		return nil
	}
	sync := hs.Term != s.hs.Term || hs.Vote != s.hs.Vote
	buf := appendRecord(s.buf[:0], recHardState, appendHardState(nil, hs))
	s.buf = buf
	if _, _, err := s.writeSync(buf, s.snapshotReserve(), sync); err != nil {
		return err
	}
	s.hs = hs
	return nil
}

// roll creates the next segment with room for at least need bytes after
// its header, which restates the current state. A write left unsynced in
// the current segment is made durable first: only the last segment may
// end torn.
func (s *Store) roll(need int) (*segment, error) {
	if s.unsynced {
		if err := s.syncLast(); err != nil {
			return nil, err
		}
	}
	cur := s.segs[len(s.segs)-1]
	last := s.idx.last()
	lastTerm, _ := s.idx.term(last)
	h := segmentHeader{seq: cur.seq + 1, first: s.idx.first, prevTerm: s.idx.prevTerm,
		last: last, lastTerm: lastTerm, hs: s.hs, snap: s.snap}
	header := appendRecord(nil, recSegmentHeader, appendSegmentHeader(nil, h))
	size := max(s.opts.SegmentSize, int64(len(header)+need)+s.snapshotReserve())
	s.syncs += 2 // the new file and its directory
	seg, fatal, err := createSegment(s.walDir, h.seq, size, header, s.ops)
	if err != nil {
		if fatal {
			return nil, s.fail(err)
		}
		return nil, err
	}
	s.segs = append(s.segs, seg)
	return seg, nil
}
