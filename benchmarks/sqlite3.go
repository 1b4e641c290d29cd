package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// sqlite3 CLI baselines.
const (
	sysMem  = "sqlite3 :memory:"
	sysFile = "sqlite3 file"
	sysWAL  = "sqlite3 WAL+FULL"
)

// sqliteCLI runs a workload through the sqlite3 CLI on a fresh database
// each run: in memory, on a file with the default rollback journal, or on
// a file in WAL mode with synchronous=FULL.
type sqliteCLI struct {
	name string
	bin  string
	tmp  string
	// prepared holds the set-up database of each read-only workload's
	// table, made once and read by every run.
	prepared map[string]string
}

func (s *sqliteCLI) Name() string { return s.name }

// Run sets up a fresh database (untimed), then times the body. In memory,
// the body starts by restoring the set-up file (.restore), which is timed.
// A read-only workload reads the database set up at its first run.
func (s *sqliteCLI) Run(ctx context.Context, w Workload) (Sample, error) {
	dir, err := os.MkdirTemp(s.tmp, "sqlite3-")
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", s.name, err)
	}
	defer os.RemoveAll(dir)
	db, err := s.database(ctx, dir, w)
	if err != nil {
		return Sample{}, err
	}
	target, prefix := db, []string(nil)
	switch s.name {
	case sysMem:
		target = ":memory:"
		if len(w.Setup) > 0 {
			prefix = []string{fmt.Sprintf(".restore '%s'", db)}
		}
	case sysWAL:
		prefix = []string{"PRAGMA synchronous=FULL;"}
	}
	body := filepath.Join(dir, "body.sql")
	if err := writeSQL(body, prefix, w.Body); err != nil {
		return Sample{}, err
	}
	r, err := runProc(ctx, body, w.Large, s.bin, "-batch", target)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", s.name, err)
	}
	return Sample{Seconds: r.elapsed.Seconds(), Ops: w.Statements, ClientRSSKB: r.peakKB, Digest: r.digest}, nil
}

// database returns the set-up database file for w: in dir, or for a
// read-only workload the one prepared at its first run.
func (s *sqliteCLI) database(ctx context.Context, dir string, w Workload) (string, error) {
	if !w.ReadOnly {
		db := filepath.Join(dir, "bench.db")
		return db, s.setup(ctx, dir, db, w)
	}
	if db, ok := s.prepared[w.Table]; ok {
		return db, nil
	}
	keep, err := os.MkdirTemp(s.tmp, "sqlite3-prepared-")
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.name, err)
	}
	db := filepath.Join(keep, "bench.db")
	if err := s.setup(ctx, keep, db, w); err != nil {
		return "", err
	}
	if s.prepared == nil {
		s.prepared = map[string]string{}
	}
	s.prepared[w.Table] = db
	return db, nil
}

// setup creates db with the workload's tables (in WAL mode for sysWAL).
func (s *sqliteCLI) setup(ctx context.Context, dir, db string, w Workload) error {
	var prefix []string
	if s.name == sysWAL {
		prefix = []string{"PRAGMA journal_mode=WAL;"}
	}
	if len(prefix) == 0 && len(w.Setup) == 0 {
		return nil
	}
	path := filepath.Join(dir, "setup.sql")
	if err := writeSQL(path, prefix, w.Setup); err != nil {
		return err
	}
	if err := discardRun(ctx, path, s.bin, "-batch", db); err != nil {
		return fmt.Errorf("%s setup: %w", s.name, err)
	}
	return nil
}
