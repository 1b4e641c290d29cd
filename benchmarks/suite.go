package main

import (
	"context"

	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// batchSystem runs one batch workload once and times it.
type batchSystem interface {
	Name() string
	Run(ctx context.Context, w Workload) (Sample, error)
}

// suite is one run of the benchmark suite.
type suite struct {
	cfg   Config
	log   *slog.Logger
	tmp   string
	batch []batchSystem
	conc  []concSystem
	sess  []sessPair
	rep   *Report
	// prefix goes into the names of the tables the workloads use (the
	// scale check's scaled runs use their own); noConc leaves out the
	// workloads that run for a duration (the scale check does).
	prefix string
	noConc bool
}

// runSuite starts the clusters, runs every workload cfg.Runs times on
// every system and returns the report. The processes and files it made
// are gone when it returns, whatever the outcome (Ctrl-C included: ctx is
// cancelled then).
func runSuite(ctx context.Context, cfg Config, log *slog.Logger) (*Report, error) {
	reps, err := runLegs(ctx, log, []leg{{cfg: cfg}})
	if err != nil {
		return nil, err
	}
	return reps[0], nil
}

// leg is one configuration of the workloads in a run of the suite: the
// scale check runs two, at two scales, on the same systems.
type leg struct {
	cfg    Config
	prefix string
	noConc bool
}

// runLegs starts the clusters and runs each leg's workloads cfg.Runs
// times (the first leg's Runs), the legs taking turns each round, the one
// that goes first alternating. It returns one report per leg.
func runLegs(ctx context.Context, log *slog.Logger, legs []leg) ([]*Report, error) {
	cfg := legs[0].cfg
	tmp, err := os.MkdirTemp("", "resqlite-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	started, mach := time.Now().UTC(), machine(ctx, cfg.SQLite3)
	bin := cfg.Bin
	if bin == "" {
		if bin, err = build(ctx, tmp); err != nil {
			return nil, err
		}
	}
	one, err := startCluster(ctx, log, "1 node", bin, filepath.Join(tmp, "one"), 1)
	if err != nil {
		return nil, err
	}
	defer one.stop()
	three, err := startCluster(ctx, log, "3 nodes", bin, filepath.Join(tmp, "three"), 3)
	if err != nil {
		return nil, err
	}
	defer three.stop()
	inproc, err := openInProcess(tmp)
	if err != nil {
		return nil, err
	}
	defer inproc.close()
	base := &suite{cfg: cfg, log: log, tmp: tmp}
	base.systems(bin, one, three, inproc)
	suites := make([]*suite, len(legs))
	for i, l := range legs {
		s := *base
		s.cfg, s.prefix, s.noConc = l.cfg, l.prefix, l.noConc
		s.rep = &Report{Started: started, Config: l.cfg, Machine: mach}
		suites[i] = &s
	}
	runs, err := runRounds(ctx, log, suites, started)
	if err != nil {
		return nil, err
	}
	reps := make([]*Report, len(suites))
	for i, s := range suites {
		s.rep.RunsDone = runs
		s.finish()
		reps[i] = s.rep
	}
	return reps, nil
}

// runRounds runs the suites' rounds, cfg.Runs of them, the suites taking
// turns in each, the one that goes first alternating, and returns how many
// it ran. It starts no round that, at the pace of the last one, would end
// past the deadline (cfg.Deadline after start): on a loaded machine the
// medians then come from fewer runs rather than the suite from more time.
func runRounds(ctx context.Context, log *slog.Logger, suites []*suite, start time.Time) (int, error) {
	cfg := suites[0].cfg
	var last time.Duration
	for run := 1; run <= cfg.Runs; run++ {
		if run > 1 && time.Since(start)+last > cfg.Deadline {
			log.Warn("deadline: no more rounds", "rounds", run-1, "of", cfg.Runs, "elapsed", time.Since(start).Round(time.Second), "last round", last.Round(time.Second), "deadline", cfg.Deadline)
			return run - 1, nil
		}
		t0 := time.Now()
		for i := range suites {
			if err := suites[(i+run-1)%len(suites)].round(ctx, run); err != nil {
				return 0, err
			}
		}
		last = time.Since(t0)
	}
	return cfg.Runs, nil
}

// systems lists the systems in the order each round runs them.
func (s *suite) systems(bin string, one, three *cluster, inproc *inProcess) {
	sq := s.cfg.SQLite3
	oneReady, threeReady := map[string]bool{}, map[string]bool{}
	s.batch = []batchSystem{
		&sqliteCLI{name: sysMem, bin: sq, tmp: s.tmp},
		&sqliteCLI{name: sysFile, bin: sq, tmp: s.tmp},
		&sqliteCLI{name: sysWAL, bin: sq, tmp: s.tmp},
		&resqliteBatch{name: sysOne, bin: bin, tmp: s.tmp, cl: one, ready: oneReady},
		&resqliteBatch{name: sysLeader, bin: bin, tmp: s.tmp, cl: three, ready: threeReady},
		&resqliteBatch{name: sysFollower, bin: bin, tmp: s.tmp, cl: three, atFollower: true, ready: threeReady},
	}
	s.conc = []concSystem{
		inproc,
		&resqliteConc{name: sysOne, cl: one},
		&resqliteConc{name: sysLeader, cl: three},
		&resqliteConc{name: sysFollower, cl: three, atFollower: true},
	}
	s.sess = []sessPair{newSessPair(sysOne, one), newSessPair(sysLeader, three)}
}

// round runs every workload once on every system. A failure of one
// system is recorded in its result; only cancellation stops the round.
func (s *suite) round(ctx context.Context, run int) error {
	for _, w := range batchWorkloadsIn(s.prefix, s.cfg.Seed, run, s.cfg.Sizes) {
		if !s.cfg.wants(w.Name) {
			continue
		}
		for _, sys := range s.batch {
			r := s.rep.result(w.Name, "", 0, sys.Name())
			if s.overBudget(r) {
				continue
			}
			smp, err := sys.Run(ctx, w)
			if err := s.record(ctx, r, run, smp, err); err != nil {
				return err
			}
		}
	}
	if err := s.sessRound(ctx, run); err != nil {
		return err
	}
	return s.concRound(ctx, run)
}

// concRound runs the concurrent workloads once on every system.
func (s *suite) concRound(ctx context.Context, run int) error {
	if !s.wantsConc() {
		return nil
	}
	for _, sys := range s.conc {
		if err := sys.setup(ctx, s.cfg.ConcRows); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.Error("setup failed", "system", sys.Name(), "err", err)
			continue
		}
		for _, kind := range concKinds() {
			if !s.cfg.wants(concWorkload(kind)) {
				continue
			}
			for _, n := range s.cfg.Clients {
				seed := s.cfg.Seed + uint64(run)
				smp, err := runConc(ctx, sys, kind, n, s.cfg.ConcDuration, seed, s.cfg.ConcRows)
				if err := s.record(ctx, s.rep.result(concWorkload(kind), kind, n, sys.Name()), run, smp, err); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *suite) wantsConc() bool {
	if s.noConc {
		return false
	}
	for _, k := range concKinds() {
		if s.cfg.wants(concWorkload(k)) {
			return true
		}
	}
	return false
}

// overBudget reports whether r's runs took the time budget already, and
// counts the run it skips then.
func (s *suite) overBudget(r *Result) bool {
	if r.spent() < s.cfg.Budget {
		return false
	}
	if r.Skipped == 0 {
		s.log.Info("time budget spent: no more runs", "workload", r.Workload, "system", r.System, "runs", len(r.Samples), "budget", s.cfg.Budget)
	}
	r.Skipped++
	return true
}

// record adds a sample, or the error, to r; it returns ctx's error once
// the suite is cancelled.
func (s *suite) record(ctx context.Context, r *Result, run int, smp Sample, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		s.log.Error("run failed", "workload", r.Workload, "clients", r.Clients, "system", r.System, "run", run, "err", err)
		r.Err = err.Error()
		return nil
	}
	r.Samples = append(r.Samples, smp)
	s.log.Info("run", "workload", r.Workload, "clients", r.Clients, "system", r.System, "run", run,
		"seconds", fmt.Sprintf("%.3f", smp.Seconds), "ops", smp.Ops)
	return nil
}

// finish summarizes every result and checks that every system printed
// the same for each batch workload.
func (s *suite) finish() {
	for _, r := range s.rep.Results {
		r.summarize()
	}
	checkDigests(s.rep)
	s.rep.Duration = time.Since(s.rep.Started).Seconds()
	s.rep.LoadAvgEnd = loadAvg()
}

// checkDigests marks results whose stdout differs from the first
// system's for the same workload and run.
func checkDigests(rep *Report) {
	first := map[string]*Result{}
	for _, r := range rep.Results {
		if r.Concurrent() || r.isSessionCost() {
			continue
		}
		f, ok := first[r.Workload]
		if !ok {
			first[r.Workload] = r
			continue
		}
		for i, smp := range r.Samples {
			if i < len(f.Samples) && smp.Digest != f.Samples[i].Digest && r.Err == "" {
				r.Err = fmt.Sprintf("run %d printed other output than %s", i+1, f.System)
			}
		}
	}
}

// build compiles resqlite into dir.
func build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "resqlite")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/resqlite/resqlite")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build resqlite (run from the repository, or pass -bin): %w: %s", err, out)
	}
	return bin, nil
}
