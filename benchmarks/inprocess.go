package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

const sysInProc = "sqlite in-process WAL+FULL"

// inProcess is the concurrent workloads' baseline: the SQLite engine
// ReSqlite embeds (modernc.org/sqlite), one database file in WAL mode with
// synchronous=FULL, used by goroutines in this process (the sqlite3 CLI
// cannot serve concurrent clients). It is set up as Go programs use
// SQLite: writes go through a pool of one connection (SQLite runs one
// writer at a time; more connections would only wait in its busy handler),
// reads through a pool of many (WAL readers run in parallel).
type inProcess struct {
	writer, reader *sql.DB
}

// openInProcess opens the database file in dir.
func openInProcess(dir string) (*inProcess, error) {
	dsn := "file:" + filepath.Join(dir, "inproc.db") +
		"?_pragma=journal_mode(wal)&_pragma=synchronous(full)&_pragma=busy_timeout(30000)"
	writer, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open in-process SQLite: %w", err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", dsn)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open in-process SQLite: %w", err)
	}
	return &inProcess{writer: writer, reader: reader}, nil
}

func (p *inProcess) Name() string    { return sysInProc }
func (p *inProcess) nodePIDs() []int { return nil }

func (p *inProcess) close() error {
	return errors.Join(p.writer.Close(), p.reader.Close())
}

func (p *inProcess) setup(ctx context.Context, rows int) error {
	for _, s := range concSetupSQL(rows) {
		if _, err := p.writer.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s setup: %w", sysInProc, err)
		}
	}
	return nil
}

// clients returns n clients sharing the pools (each statement takes a
// connection from one, as a web application's handlers do).
func (p *inProcess) clients(ctx context.Context, n int) ([]doer, error) {
	ds := make([]doer, n)
	for i := range ds {
		ds[i] = poolClient{p}
	}
	return ds, nil
}

type poolClient struct{ p *inProcess }

func (c poolClient) close() {}

func (c poolClient) write(ctx context.Context, q string) error {
	if _, err := c.p.writer.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func (c poolClient) read(ctx context.Context, q string) error {
	rows, err := c.p.reader.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	var k int64
	var v string
	for rows.Next() {
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}
