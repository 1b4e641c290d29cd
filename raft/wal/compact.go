package wal

import (
	"fmt"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
)

// ApplySnapshot installs a snapshot received from the leader: it durably
// records meta as the current snapshot and replaces the whole log by it
// (the log then ends at meta.Index), raising the hard state's commit index
// to meta.Index. Older snapshot files and the segments no longer needed
// are removed once the record is durable. A snapshot not newer than the
// current one returns raft.ErrSnapshotOutOfDate.
func (s *Store) ApplySnapshot(meta raft.SnapshotMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkNewSnapshot(meta); err != nil {
		return err
	}
	rec := appendRecord(nil, recSnapshot, appendSnapshotRecord(nil, meta, snapshotInstalled))
	if _, _, err := s.write(rec, 0); err != nil {
		return err
	}
	s.snap = meta
	s.idx.install(meta.Index, meta.Term)
	s.tail.reset()
	s.hs.Commit = max(s.hs.Commit, meta.Index)
	s.forgetEntries()
	return s.dropObsolete()
}

// checkNewSnapshot is what ApplySnapshot and CreateSnapshot require: a
// usable store, and well-formed metadata newer than the current snapshot.
// The caller holds s.mu.
func (s *Store) checkNewSnapshot(meta raft.SnapshotMeta) error {
	if err := s.usable(); err != nil {
		return err
	}
	if meta.Index <= s.snap.Index {
		return fmt.Errorf("wal: snapshot at %d, current at %d: %w", meta.Index, s.snap.Index, raft.ErrSnapshotOutOfDate)
	}
	if err := snap.ValidateMeta(meta); err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	return nil
}

// CreateSnapshot durably records meta as the current snapshot after the
// local state machine wrote one at meta.Index (see SaveSnapshotFile); the
// log is kept, so Compact can leave a tail for slow followers. meta.Index
// must be in the log (or be the entry before its first) with meta.Term.
// A snapshot not newer than the current one returns
// raft.ErrSnapshotOutOfDate.
func (s *Store) CreateSnapshot(meta raft.SnapshotMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkNewSnapshot(meta); err != nil {
		return err
	}
	t, ok := s.idx.term(meta.Index)
	if !ok || meta.Index > s.idx.last() {
		return fmt.Errorf("wal: snapshot at %d outside the log [%d, %d]", meta.Index, s.idx.first-1, s.idx.last())
	}
	if t != meta.Term {
		return fmt.Errorf("wal: snapshot at %d has term %d, the log has %d", meta.Index, meta.Term, t)
	}
	rec := appendRecord(nil, recSnapshot, appendSnapshotRecord(nil, meta, snapshotCreated))
	if _, _, err := s.write(rec, 0); err != nil {
		return err
	}
	s.snap = meta
	return s.dropObsolete()
}

// Compact durably discards the entries before index, which must be
// covered by the current snapshot (index <= snapshot index + 1) and not
// past the last index + 1; Term(index-1) stays available. An index at or
// before the first index changes nothing. Segments holding only discarded
// entries are then removed.
func (s *Store) Compact(index uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	if index <= s.idx.first {
		return nil
	}
	if index > s.snap.Index+1 {
		return fmt.Errorf("wal: compact before %d: not covered by the snapshot at %d", index, s.snap.Index)
	}
	if index > s.idx.last()+1 {
		return fmt.Errorf("wal: compact before %d past last index %d: %w", index, s.idx.last(), raft.ErrUnavailable)
	}
	prevTerm, _ := s.idx.term(index - 1)
	if _, _, err := s.write(appendRecord(nil, recCompaction, appendCompaction(nil, index, prevTerm)), 0); err != nil {
		return err
	}
	if err := s.idx.compact(index, prevTerm); err != nil {
		return s.fail(err) // ruled out by the checks above
	}
	return s.dropObsolete()
}

// forgetEntries records that no segment holds a live entry any more (a
// snapshot replaced the log), so all but the last can be removed.
func (s *Store) forgetEntries() {
	for _, seg := range s.segs {
		seg.maxIndex = 0
	}
}

// dropObsolete removes the snapshot files older than the current one and
// the segments whose entries were all discarded.
func (s *Store) dropObsolete() error {
	if err := snap.Prune(s.snapDir, s.snap); err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	return s.removeCovered()
}

// removeCovered deletes the oldest segments while every entry they hold
// precedes the first index. The last segment always stays; later segment
// headers restate the state the removed ones held. Each removal is made
// durable before the next, so a crash leaves a suffix of segments.
func (s *Store) removeCovered() error {
	for len(s.segs) > 1 && s.segs[0].maxIndex < s.idx.first {
		seg := s.segs[0]
		seg.f.Close()
		if err := removeFile(seg.path); err != nil {
			return fmt.Errorf("wal: remove covered segment: %w", err)
		}
		s.segs = s.segs[1:]
		s.syncs++
		if err := s.ops.syncDir(s.walDir); err != nil {
			return s.fail(err)
		}
	}
	return nil
}
