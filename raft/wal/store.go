package wal

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/resqlite/resqlite/raft"
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
	// ObserveSync, if set, is told how long each fsync of an append
	// took, for monitoring; it must be quick.
	ObserveSync func(time.Duration)
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
	// tail keeps the entries saved last (tailCache).
	tail tailCache
	// unsynced records a write to the last segment (SaveCommit) that no
	// fsync covers yet.
	unsynced bool
	// written counts the writes to the segments; synced is the count an
	// fsync last covered (Sync runs its fsync outside mu).
	written, synced uint64
	buf             []byte
}

var (
	_ raft.LogStore      = (*Store)(nil)
	_ raft.CommitSaver   = (*Store)(nil)
	_ raft.AsyncLogStore = (*Store)(nil)
)

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
		if err := os.MkdirAll(d, 0o700); err != nil {
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
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
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
