package statemachine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/resqlite/resqlite/raft"
)

// DatabaseFile is the name of the SQLite file inside the state directory.
const DatabaseFile = "state.db"

// ErrClosed is returned by every method once Close was called.
var ErrClosed = errors.New("statemachine: closed")

// Options tune a StateMachine. The zero value is usable.
type Options struct {
	// ReadConns is the number of read-only connections Query, Precheck,
	// Snapshot, Digest and Dump share (default 4).
	ReadConns int
	// Logger receives rare events (restores, halts); nil is quiet.
	Logger *slog.Logger
	// MaxEntrySteps bounds the work of one entry in SQLite VM instructions
	// (default DefaultMaxEntrySteps): an entry that needs more fails with
	// an error result instead of running forever. It must be the same on
	// every node, like the SQLite version, or nodes could diverge.
	MaxEntrySteps int64
	// TestSleepFunc registers resqlite_test_sleep(ms) on the apply
	// connection, for tests of slow entries (see TestSleepFuncEnv). It
	// must be the same on every node.
	TestSleepFunc bool
	// NewDatabaseRules is the determinism rules version a new database
	// starts at (default MaxRulesVersion); an existing database keeps its
	// own. A node joining a cluster passes the cluster's initial version
	// (InitialRulesVersion of a member), so that it replays the log from
	// its start under the rules the other nodes applied it under.
	NewDatabaseRules RulesVersion
}

// StateMachine is the SQLite database that committed entries are applied
// to. It implements raft.StateMachine. Apply, Restore and Close must not
// be called concurrently with each other (the node driver calls them from
// one goroutine); Query, Precheck, WaitApplied, AppliedIndex, Snapshot,
// Digest and Dump may be called from any goroutine at any time.
type StateMachine struct {
	dir  string
	path string
	log  *slog.Logger

	// applyMu serializes the users of the apply connection.
	applyMu sync.Mutex
	w       *writer
	// rules is the RulesVersion in force after the last commit;
	// initialRules the one the database started at.
	rules        atomic.Uint32
	initialRules atomic.Uint32

	readers chan *reader
	// dumps holds a token per running Dump: dumps, paced by their
	// clients, may hold at most half the read connections, so that
	// Query and Precheck (on the write path) always find one.
	dumps chan struct{}
	// allReaders lists every read connection, so Close can cancel the
	// queries running on them.
	allReaders []*reader

	mu          sync.Mutex
	applied     uint64
	appliedTerm uint64 // term of the entry at applied; 0 if unknown
	configIndex uint64
	config      []byte
	changed     chan struct{} // closed and replaced whenever applied moves
	halted      error
	closed      bool
	// streams cancels the running reads (QueryEach) when a snapshot is
	// restored; nextRead numbers them, readsDone counts those that ended.
	streams   map[uint64]context.CancelCauseFunc
	nextRead  uint64
	readsDone uint64

	// fsync makes the file at path durable; Sync calls it (a test
	// replaces it to observe which files were synced).
	fsync func(path string) error
}

var (
	_ raft.StateMachine         = (*StateMachine)(nil)
	_ raft.Syncer               = (*StateMachine)(nil)
	_ raft.AppliedStateReporter = (*StateMachine)(nil)
)

// Open opens (creating if needed) the state machine whose database lives in
// dir, and resumes after the applied index stored in it.
func Open(dir string, opts Options) (*StateMachine, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("statemachine: %w", err)
	}
	abs, err := filepath.Abs(filepath.Join(dir, DatabaseFile))
	if err != nil {
		return nil, fmt.Errorf("statemachine: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	removeStaleTemporaries(dir)
	sm := &StateMachine{dir: dir, path: abs, log: log, changed: make(chan struct{}), fsync: fsyncPath}
	steps := opts.MaxEntrySteps
	if steps <= 0 {
		steps = DefaultMaxEntrySteps
	}
	newRules := opts.NewDatabaseRules
	if newRules == 0 {
		newRules = MaxRulesVersion
	}
	if newRules > MaxRulesVersion {
		return nil, fmt.Errorf("statemachine: %w", &UnknownRulesError{Version: newRules})
	}
	if sm.w, err = openWriter(abs, steps, newRules, opts.TestSleepFunc); err != nil {
		return nil, fmt.Errorf("statemachine: %w", err)
	}
	if err := errors.Join(sm.loadMeta(), sm.loadRules()); err != nil {
		sm.w.close()
		return nil, fmt.Errorf("statemachine: %w", err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = 4
	}
	sm.readers = make(chan *reader, n)
	sm.dumps = make(chan struct{}, max(1, n/2))
	for range n {
		r, err := openReader(abs)
		if err != nil {
			sm.Close()
			return nil, fmt.Errorf("statemachine: %w", err)
		}
		sm.readers <- r
		sm.allReaders = append(sm.allReaders, r)
	}
	return sm, nil
}

// removeStaleTemporaries deletes the temporary databases a snapshot or a
// restore left behind when the process died.
func removeStaleTemporaries(dir string) {
	for _, pattern := range []string{"snapshot-*.db*", "restore-*.db*", "backup-*.db*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			os.Remove(m)
		}
	}
}

// loadMeta reads the applied index, its term and the configuration from
// the database.
func (sm *StateMachine) loadMeta() error {
	idx, cfgIdx, cfg, err := sm.w.readMeta()
	if err != nil {
		return err
	}
	term, err := readAppliedTerm(sm.w.c)
	if err != nil {
		return err
	}
	sm.mu.Lock()
	sm.applied, sm.appliedTerm, sm.configIndex, sm.config = idx, term, cfgIdx, cfg
	sm.mu.Unlock()
	return nil
}

// Path returns the path of the SQLite database file.
func (sm *StateMachine) Path() string { return sm.path }

// AppliedIndex returns the index of the last applied entry, as durably
// recorded in the database (durable at the next fsync of the WAL, see
// settings.go).
func (sm *StateMachine) AppliedIndex() uint64 {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return sm.applied
}

// Config returns the data of the last configuration entry applied and its
// index (0 and nil if none).
func (sm *StateMachine) Config() (index uint64, data []byte) {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return sm.configIndex, append([]byte(nil), sm.config...)
}

// WaitApplied blocks until the applied index reaches index, ctx ends, the
// state machine halts or it is closed.
func (sm *StateMachine) WaitApplied(ctx context.Context, index uint64) error {
	for {
		sm.mu.Lock()
		applied, ch, halted, closed := sm.applied, sm.changed, sm.halted, sm.closed
		sm.mu.Unlock()
		switch {
		case applied >= index:
			return nil
		case halted != nil:
			return halted
		case closed:
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for applied index %d (at %d): %w", index, applied, ctx.Err())
		case <-ch:
		}
	}
}

// publish records a new applied index (and the term of that entry) and
// configuration, and wakes waiters.
func (sm *StateMachine) publish(applied, term, cfgIndex uint64, cfg []byte) {
	sm.mu.Lock()
	sm.applied, sm.appliedTerm, sm.configIndex, sm.config = applied, term, cfgIndex, cfg
	close(sm.changed)
	sm.changed = make(chan struct{})
	sm.mu.Unlock()
}

// halt records that apply failed because of the environment; every later
// Apply returns the same error.
func (sm *StateMachine) halt(err error) error {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.halted == nil {
		sm.halted = err
		close(sm.changed)
		sm.changed = make(chan struct{})
		sm.log.Error("state machine halted", "err", err)
	}
	return sm.halted
}

// Close cancels running queries, waits for them to end and closes every
// connection.
func (sm *StateMachine) Close() error {
	sm.mu.Lock()
	if sm.closed {
		sm.mu.Unlock()
		return nil
	}
	sm.closed = true
	close(sm.changed)
	sm.changed = make(chan struct{})
	sm.mu.Unlock()
	for _, r := range sm.allReaders {
		r.cancel.cancel()
	}

	var errs []error
	for range cap(sm.readers) {
		r, ok := <-sm.readers
		if !ok {
			break
		}
		if r != nil {
			errs = append(errs, r.close())
		}
	}
	sm.applyMu.Lock()
	errs = append(errs, sm.w.close())
	sm.applyMu.Unlock()
	return errors.Join(errs...)
}

// acquireReader takes a read connection from the pool.
func (sm *StateMachine) acquireReader(ctx context.Context) (*reader, error) {
	sm.mu.Lock()
	closed := sm.closed
	sm.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	select {
	case r := <-sm.readers:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (sm *StateMachine) releaseReader(r *reader) { sm.readers <- r }

// reader is a read-only connection with its authorizer state.
type reader struct {
	c      *conn
	pol    *policy
	cancel *cancelFlag
	// tx holds the statements that open and end its read transactions
	// (readtx.go), prepared once.
	tx snapshotStmts
	// series is set while the connection has its TEMP generate_series
	// (dropped while the user has an object of that name).
	series bool
	// seriesChecked says that series is right for the schema whose
	// cookie is seriesCookie (beginSnapshot).
	seriesChecked bool
	seriesCookie  int64
	// work runs the connection's queries (QueryEach).
	work readWorker
}

// openReader opens a read-only connection to the database at path.
func openReader(path string) (*reader, error) {
	u := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}
	d := &sqlite.Driver{}
	if err := RegisterGenerateSeries(d); err != nil {
		return nil, err
	}
	c, err := openConn(d, u.String())
	if err != nil {
		return nil, err
	}
	r := &reader{c: c, pol: &policy{mode: modeInternal}}
	// Before query_only is set: the TEMP schema is the connection's own.
	if err := c.exec(CreateGenerateSeries); err != nil {
		c.close()
		return nil, fmt.Errorf("read connection generate_series: %w", err)
	}
	r.series = true
	if err := c.exec(readSettings); err != nil {
		c.close()
		return nil, fmt.Errorf("read connection settings: %w", err)
	}
	if err := c.registerAuthorizer(r.pol.authorize); err != nil {
		c.close()
		return nil, err
	}
	if r.cancel, err = newCancelFlag(c); err != nil {
		c.close()
		return nil, err
	}
	r.work.start()
	return r, nil
}

func (r *reader) close() error {
	r.work.stop()
	r.cancel.close()
	r.tx.finalize(r.c)
	return r.c.close()
}

// isEnvironment reports whether an SQLite result code means the node's
// environment failed (rather than the statement or the data), so that the
// error must never become a result.
func isEnvironment(code int) bool {
	switch code & 0xff {
	case sqlite3.SQLITE_INTERNAL, sqlite3.SQLITE_PERM, sqlite3.SQLITE_NOMEM,
		sqlite3.SQLITE_READONLY, sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOLFS, sqlite3.SQLITE_NOTADB,
		sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_MISUSE:
		return true
	}
	return false
}

// writable reports why the write connection may not be used: the state
// machine is closed or halted. The caller holds applyMu.
func (sm *StateMachine) writable() error {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.closed {
		return ErrClosed
	}
	return sm.halted
}
