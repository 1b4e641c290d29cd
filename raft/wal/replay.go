package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
)

// load replays the directory, repairing if allowed, and prepares the last
// segment for appends.
func (s *Store) load() error {
	for {
		err := s.replay()
		var ce *CorruptionError
		if err == nil || !errors.As(err, &ce) || !s.opts.Repair || s.recovery.Repaired != nil {
			if err != nil {
				return err
			}
			break
		}
		if err := s.repair(ce); err != nil {
			return err
		}
		s.recovery.Repaired = ce
	}
	if len(s.segs) == 0 {
		header := appendRecord(nil, recSegmentHeader, appendSegmentHeader(nil, segmentHeader{seq: 1, first: 1}))
		seg, _, err := createSegment(s.walDir, 1, s.opts.SegmentSize, header, s.ops)
		if err != nil {
			return err
		}
		s.segs = []*segment{seg}
	}
	if err := snap.Prune(s.snapDir, s.snap); err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	return nil
}

// replay reads every segment and rebuilds the in-memory state, truncating
// a torn tail of the last segment.
func (s *Store) replay() error {
	s.closeSegments()
	s.segs, s.hs, s.snap = nil, raft.HardState{}, raft.SnapshotMeta{}
	s.idx = logIndex{first: 1, prevKnown: true}
	s.declared.first, s.declared.prevTerm = 1, 0
	seqs, err := listSegments(s.walDir, s.ops)
	if err != nil {
		return err
	}
	for i, seq := range seqs {
		path := filepath.Join(s.walDir, segmentName(seq))
		if i > 0 && seq != seqs[i-1]+1 {
			return &CorruptionError{File: path, Offset: 0,
				Reason: fmt.Sprintf("segment %s is missing", segmentName(seqs[i-1]+1))}
		}
		if err := s.replaySegment(path, seq, i == 0, i == len(seqs)-1); err != nil {
			return err
		}
	}
	if len(s.segs) == 0 {
		return nil
	}
	d := s.declared
	if s.idx.first != d.first || (s.idx.prevKnown && s.idx.prevTerm != d.prevTerm) {
		last := s.segs[len(s.segs)-1]
		return &CorruptionError{File: last.path, Offset: last.end,
			Reason: fmt.Sprintf("the log should start at index %d (term %d before it) but the segments hold it from %d: entries are missing",
				d.first, d.prevTerm, s.idx.first)}
	}
	s.idx.prevTerm, s.idx.prevKnown = d.prevTerm, true
	return nil
}

// replaySegment validates and applies one segment.
func (s *Store) replaySegment(path string, seq uint64, isFirst, isLast bool) error {
	flag := os.O_RDONLY
	if isLast {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return fmt.Errorf("wal: open segment: %w", err)
	}
	b, err := readAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("wal: read %s: %w", path, err)
	}
	seg := &segment{seq: seq, path: path, f: f, size: int64(len(b))}
	s.segs = append(s.segs, seg)
	visit := func(off int64, typ recordType, data []byte, size int) error {
		return s.replayRecord(seg, isFirst, off, typ, data, size)
	}
	res, err := scanSegment(path, b, isLast, visit)
	if err != nil {
		return err
	}
	if res.end == 0 {
		return &CorruptionError{File: path, Offset: 0, Reason: "segment has no header record"}
	}
	seg.end = res.end
	if res.torn {
		if err := s.truncateTail(seg, res.end); err != nil {
			return err
		}
		s.recovery.TornFile, s.recovery.TornOffset, s.recovery.TornBytes = path, res.end, res.discarded
		s.log.Info("wal: truncated torn tail left by an interrupted append",
			"file", path, "offset", res.end, "nonzero_bytes_discarded", res.discarded)
	}
	return nil
}

// replayRecord applies one valid record read from seg at off.
func (s *Store) replayRecord(seg *segment, isFirst bool, off int64, typ recordType, data []byte, size int) error {
	if (off == 0) != (typ == recSegmentHeader) {
		if off == 0 {
			return errors.New("segment does not start with a header record")
		}
		return errors.New("segment header record in the middle of a segment")
	}
	switch typ {
	case recSegmentHeader:
		h, err := decodeSegmentHeader(data)
		if err != nil {
			return fmt.Errorf("segment header: %w", err)
		}
		if h.seq != seg.seq {
			return fmt.Errorf("segment header says sequence %d, file name %d", h.seq, seg.seq)
		}
		if h.first == 0 || h.first > h.last+1 || (h.first == h.last+1 && h.prevTerm != h.lastTerm) {
			return fmt.Errorf("segment header: first index %d/%d and last index %d/%d disagree", h.first, h.prevTerm, h.last, h.lastTerm)
		}
		if isFirst {
			s.hs, s.snap = h.hs, h.snap
			s.declared.first, s.declared.prevTerm = h.first, h.prevTerm
			s.idx = logIndex{first: h.last + 1, prevTerm: h.lastTerm, prevKnown: true}
			return nil
		}
		lastTerm, _ := s.idx.term(s.idx.last())
		if h.first != s.declared.first || h.prevTerm != s.declared.prevTerm ||
			h.last != s.idx.last() || h.lastTerm != lastTerm || h.hs != s.hs ||
			h.snap.Index != s.snap.Index || h.snap.Term != s.snap.Term {
			return fmt.Errorf("segment header (log %d..%d, %+v, snapshot %d/%d) does not match the previous segments (log %d..%d, %+v, snapshot %d/%d)",
				h.first, h.last, h.hs, h.snap.Index, h.snap.Term,
				s.declared.first, s.idx.last(), s.hs, s.snap.Index, s.snap.Term)
		}
	case recEntry:
		e, err := decodeEntryHeader(data)
		if err != nil {
			return fmt.Errorf("entry record: %w", err)
		}
		if e.Index < s.declared.first {
			return fmt.Errorf("entry %d precedes the log's first index %d", e.Index, s.declared.first)
		}
		p := entryPos{seg: seg, off: off, size: uint32(size), dataLen: uint32(len(data) - entryHeaderSize),
			term: e.Term, isConfig: e.Type == raft.EntryConfig}
		if err := s.idx.add(e.Index, p); err != nil {
			return err
		}
		seg.maxIndex = max(seg.maxIndex, e.Index)
	case recHardState:
		hs, err := decodeHardState(data)
		if err != nil {
			return err
		}
		s.hs = hs
	case recSnapshot:
		meta, kind, err := decodeSnapshotRecord(data)
		if err != nil {
			return fmt.Errorf("snapshot record: %w", err)
		}
		if meta.Index <= s.snap.Index {
			return fmt.Errorf("snapshot record at %d is not newer than %d", meta.Index, s.snap.Index)
		}
		s.snap = meta
		if kind == snapshotInstalled {
			s.forgetEntries()
			s.idx.install(meta.Index, meta.Term)
			s.declared.first, s.declared.prevTerm = meta.Index+1, meta.Term
			s.hs.Commit = max(s.hs.Commit, meta.Index)
		}
	case recCompaction:
		first, prevTerm, err := decodeCompaction(data)
		if err != nil {
			return err
		}
		if first <= s.declared.first || first > s.snap.Index+1 {
			return fmt.Errorf("compaction to %d with the log at %d and the snapshot at %d", first, s.declared.first, s.snap.Index)
		}
		if err := s.idx.compact(first, prevTerm); err != nil {
			return err
		}
		s.declared.first, s.declared.prevTerm = first, prevTerm
	}
	return nil
}

// truncateTail zeroes seg from end on (truncate, then claim the space
// again) and fsyncs it.
func (s *Store) truncateTail(seg *segment, end int64) error {
	if err := seg.f.Truncate(end); err != nil {
		return fmt.Errorf("wal: truncate %s at %d: %w", seg.path, end, err)
	}
	if err := s.ops.preallocate(seg.f, seg.size); err != nil {
		// The log is intact up to end; appends will roll to a new
		// segment when they do not fit.
		seg.size = end
		s.log.Warn("wal: could not reclaim segment space", "file", seg.path, "err", err)
	}
	if err := s.ops.sync(seg.f); err != nil {
		return fmt.Errorf("wal: fsync %s: %w", seg.path, err)
	}
	return nil
}

// repair truncates the log at the corruption ce names: the segment is cut
// at the offset (removed if that is its header) and later segments are
// removed.
func (s *Store) repair(ce *CorruptionError) error {
	s.closeSegments()
	seqs, err := listSegments(s.walDir, s.ops)
	if err != nil {
		return err
	}
	cut := false
	for _, seq := range seqs {
		path := filepath.Join(s.walDir, segmentName(seq))
		switch {
		case cut:
			s.log.Warn("wal: repair removes segment after the corruption", "file", path)
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("wal: repair: %w", err)
			}
		case path == ce.File && ce.Offset == 0:
			cut = true
			s.log.Warn("wal: repair removes segment with a corrupt header", "file", path)
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("wal: repair: %w", err)
			}
		case path == ce.File:
			cut = true
			s.log.Warn("wal: repair truncates corrupt segment", "file", path, "offset", ce.Offset, "reason", ce.Reason)
			if err := os.Truncate(path, ce.Offset); err != nil {
				return fmt.Errorf("wal: repair: %w", err)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				return fmt.Errorf("wal: repair: %w", err)
			}
			err = s.ops.sync(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("wal: repair: fsync %s: %w", path, err)
			}
		}
	}
	if !cut {
		return fmt.Errorf("wal: repair: %s is not a segment of %s", ce.File, s.walDir)
	}
	return s.ops.syncDir(s.walDir)
}

// readAll reads the whole of f.
func readAll(f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b := make([]byte, st.Size())
	n, err := f.ReadAt(b, 0)
	if n == len(b) {
		return b, nil
	}
	return nil, err
}
