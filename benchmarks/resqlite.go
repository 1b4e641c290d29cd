package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ReSqlite systems.
const (
	sysOne      = "resqlite 1 node"
	sysLeader   = "resqlite 3 nodes @leader"
	sysFollower = "resqlite 3 nodes @follower"
)

// resqliteBatch runs a workload as a batch through a resqlite client
// process (`resqlite -connect ADDR -mode list`, the SQL on stdin) at the
// leader or at a follower of a running cluster. Each workload uses its
// own table, dropped after the run.
type resqliteBatch struct {
	name       string
	bin        string
	tmp        string
	cl         *cluster
	atFollower bool
	// ready are the read-only workloads' tables set up already (shared
	// by the systems on one cluster).
	ready map[string]bool
}

func (s *resqliteBatch) Name() string { return s.name }

// target returns the node the client connects to, asked afresh each run
// (leadership may have moved).
func (s *resqliteBatch) target(ctx context.Context) (*node, error) {
	l, err := s.cl.leader(ctx, 30*time.Second)
	if err != nil {
		return nil, err
	}
	if s.atFollower {
		return s.cl.follower(l), nil
	}
	return l, nil
}

// Run sets up the workload's table (untimed), times the body, measures
// the peak RSS of every node and of the client, and drops the table.
func (s *resqliteBatch) Run(ctx context.Context, w Workload) (Sample, error) {
	dir, err := os.MkdirTemp(s.tmp, "resqlite-")
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", s.name, err)
	}
	defer os.RemoveAll(dir)
	nd, err := s.target(ctx)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", s.name, err)
	}
	if err := s.setup(ctx, dir, nd, w); err != nil {
		return Sample{}, err
	}
	if !w.ReadOnly {
		defer s.batch(ctx, dir, "drop.sql", nd, []string{fmt.Sprintf("DROP TABLE IF EXISTS %s;", w.Table)})
	}
	rss, err := startRSS(s.cl.pids())
	if err != nil {
		return Sample{}, err
	}
	body := filepath.Join(dir, "body.sql")
	if err := writeSQL(body, nil, w.Body); err != nil {
		return Sample{}, err
	}
	r, err := runProc(ctx, body, w.Large, s.bin, "-connect", nd.addr, "-mode", "list")
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", s.name, err)
	}
	smp := Sample{Seconds: r.elapsed.Seconds(), Ops: w.Statements, ClientRSSKB: r.peakKB, Digest: r.digest}
	if smp.NodeRSSKB, smp.NodeGrowthKB, err = rss.peaks(); err != nil {
		return Sample{}, err
	}
	return smp, nil
}

// batch runs stmts through nd, untimed, discarding the output.
func (s *resqliteBatch) batch(ctx context.Context, dir, file string, nd *node, stmts []string) error {
	if len(stmts) == 0 {
		return nil
	}
	path := filepath.Join(dir, file)
	if err := writeSQL(path, nil, stmts); err != nil {
		return err
	}
	if err := discardRun(ctx, path, s.bin, "-connect", nd.addr, "-mode", "list"); err != nil {
		return fmt.Errorf("%s %s: %w", s.name, file, err)
	}
	return nil
}

// setup runs w's setup, once for a read-only workload; the table of a
// workload that writes is dropped after the run.
func (s *resqliteBatch) setup(ctx context.Context, dir string, nd *node, w Workload) error {
	if w.ReadOnly && s.ready[w.Table] {
		return nil
	}
	if err := s.batch(ctx, dir, "setup.sql", nd, w.Setup); err != nil {
		return err
	}
	if w.ReadOnly {
		s.ready[w.Table] = true
	}
	return nil
}
