package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
)

// DefaultSegmentSize is the size segments are preallocated to unless
// Options.SegmentSize says otherwise.
const DefaultSegmentSize = 64 << 20

// Options configures Open.
type Options struct {
	// SegmentSize is the space claimed for each segment; the log rolls
	// to a new segment when a write would not fit. A single batch larger
	// than it gets a segment of its own. Zero means DefaultSegmentSize.
	SegmentSize int64
	// Repair lets Open truncate the log at the first corrupt record
	// instead of failing: that record and everything after it (later
	// segments included) are discarded and a warning is logged. Use it
	// only after a CorruptionError, knowing the node then lacks data it
	// had acknowledged (it may catch up from its peers).
	Repair bool
	// Logger receives recovery reports (info: torn tail truncated; warn:
	// repair). Nil means no logging.
	Logger *slog.Logger
}

// Recovery tells what Open found and fixed.
type Recovery struct {
	// TornFile and TornOffset locate a torn tail that was truncated
	// (TornFile is empty if there was none); TornBytes counts the
	// non-zero bytes it held.
	TornFile   string
	TornOffset int64
	TornBytes  int64
	// Repaired is the corruption Options.Repair truncated, if any.
	Repaired *CorruptionError
}

// Store is a node's durable log, hard state and snapshots in one
// directory. It implements raft.LogStore; its methods are safe for
// concurrent use.
type Store struct {
	mu       sync.RWMutex
	dir      string
	walDir   string
	snapDir  string
	opts     Options
	log      *slog.Logger
	ops      fileOps
	lockFile *os.File

	segs     []*segment // in order; the last one is appended to
	hs       raft.HardState
	snap     raft.SnapshotMeta
	idx      logIndex
	recovery Recovery
	// declared is the first index (and the term before it) that the
	// records replayed so far say the log has; replay checks the index
	// window reaches down to it.
	declared struct{ first, prevTerm uint64 }

	failed error
	closed bool
	syncs  uint64 // fsyncs issued, for benchmarks and tests
	buf    []byte
}

var _ raft.LogStore = (*Store)(nil)

// Open opens (creating if needed) the node directory dir, locks it, and
// validates and replays every segment.
func Open(dir string, opts Options) (*Store, error) {
	return open(dir, opts, defaultFileOps())
}

func open(dir string, opts Options, ops fileOps) (*Store, error) {
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{
		dir: dir, walDir: filepath.Join(dir, "wal"), snapDir: filepath.Join(dir, "snap"),
		opts: opts, log: log, ops: ops,
	}
	if err := s.makeDirs(); err != nil {
		return nil, err
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	if err := s.load(); err != nil {
		s.closeFiles()
		return nil, err
	}
	return s, nil
}

// makeDirs creates dir, dir/wal and dir/snap, fsyncing each parent that
// gained an entry.
func (s *Store) makeDirs() error {
	for _, d := range []string{s.dir, s.walDir, s.snapDir} {
		if _, err := os.Stat(d); err == nil {
			continue
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("wal: create %s: %w", d, err)
		}
		if err := s.ops.syncDir(filepath.Dir(d)); err != nil {
			return fmt.Errorf("wal: %w", err)
		}
	}
	return nil
}

// lock takes dir/LOCK with flock, so a second Open fails until Close.
func (s *Store) lock() error {
	path := filepath.Join(s.dir, "LOCK")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("wal: open lock file: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if isLocked(err) {
			return fmt.Errorf("%w: %s is locked", ErrLocked, path)
		}
		return fmt.Errorf("wal: lock %s: %w", path, err)
	}
	s.lockFile = f
	return nil
}

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

func (s *Store) closeSegments() {
	for _, seg := range s.segs {
		seg.f.Close()
	}
	s.segs = nil
}

func (s *Store) closeFiles() {
	s.closeSegments()
	if s.lockFile != nil {
		s.lockFile.Close()
		s.lockFile = nil
	}
}

// Close releases the segments and the directory lock. Everything Save
// returned for is already durable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeFiles()
	return nil
}

// Recovery reports what Open truncated or repaired.
func (s *Store) Recovery() Recovery {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.recovery
}

// Dir returns the node directory.
func (s *Store) Dir() string { return s.dir }

// usable returns the error that stops any use of the store, if any.
func (s *Store) usable() error {
	if s.closed {
		return ErrClosed
	}
	return s.failed
}

// fail marks the store failed for good and returns the wrapped error.
func (s *Store) fail(err error) error {
	if s.failed == nil {
		s.failed = fmt.Errorf("%w: %v", ErrFailed, err)
		s.log.Error("wal: store failed", "err", err)
	}
	return s.failed
}
