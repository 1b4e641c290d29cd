package wal

import (
	"errors"
	"fmt"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
)

// NewSnapshot starts a snapshot file in the node directory. The caller
// streams the state machine's snapshot (or one received from the leader)
// into it and calls SaveSnapshotFile, or Abort on the writer to give up.
func (s *Store) NewSnapshot() (*snap.Writer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return nil, err
	}
	w, err := snap.Create(s.snapDir)
	if err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	return w, nil
}

// SaveSnapshotFile makes the snapshot written to w durable under meta
// (fsync, rename, directory fsync). It does not change the log: the
// caller then records the snapshot with CreateSnapshot (one the local
// state machine wrote) or ApplySnapshot (one received from the leader),
// and only that record makes it current; until then a crash leaves the
// file unused and the next Open removes it. A snapshot not newer than the
// current one is abandoned with raft.ErrSnapshotOutOfDate.
func (s *Store) SaveSnapshotFile(w *snap.Writer, meta raft.SnapshotMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		w.Abort()
		return err
	}
	if meta.Index <= s.snap.Index {
		w.Abort()
		return fmt.Errorf("wal: snapshot at %d, current at %d: %w", meta.Index, s.snap.Index, raft.ErrSnapshotOutOfDate)
	}
	if _, err := w.Commit(meta); err != nil {
		if errors.Is(err, snap.ErrDurability) {
			return s.fail(err)
		}
		return fmt.Errorf("wal: %w", err)
	}
	return nil
}

// OpenSnapshot opens the current snapshot's file for reading (to restore
// the state machine or stream it to a follower). The Reader's Meta is the
// snapshot's metadata; reading to the end verifies the data checksum.
func (s *Store) OpenSnapshot() (*snap.Reader, error) {
	s.mu.RLock()
	meta := s.snap
	err := s.usable()
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if meta.IsEmpty() {
		return nil, errors.New("wal: no snapshot")
	}
	r, err := snap.Open(snap.Path(s.snapDir, meta))
	if err != nil {
		return nil, fmt.Errorf("wal: open snapshot %d/%d: %w", meta.Index, meta.Term, err)
	}
	if r.Meta.Index != meta.Index || r.Meta.Term != meta.Term {
		r.Close()
		return nil, fmt.Errorf("wal: snapshot file holds %d/%d, log records %d/%d", r.Meta.Index, r.Meta.Term, meta.Index, meta.Term)
	}
	return r, nil
}
