package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is one run of the suite, as the flags set it.
type Config struct {
	Runs  int    `json:"runs"`
	Quick bool   `json:"quick"`
	Scale int    `json:"scale"`
	Seed  uint64 `json:"seed"`
	Sizes Sizes  `json:"sizes"`
	// Clients are the concurrency levels of the concurrent workloads,
	// each run for ConcDuration on a table of ConcRows rows.
	Clients      []int         `json:"clients"`
	ConcDuration time.Duration `json:"concurrent_duration_ns"`
	ConcRows     int           `json:"concurrent_rows"`
	// Deadline bounds the suite's run: no round starts that would end
	// after it at the pace of the last one.
	Deadline time.Duration `json:"deadline_ns"`
	// Budget bounds the time one batch workload may take on one system
	// over all runs: once its runs took that long, later runs skip it.
	Budget time.Duration `json:"budget_ns"`
	Match  string        `json:"match,omitempty"`
	// ScaleCheck, when set, runs the batch workloads at Scale and at
	// ScaleCheck times it and compares the two (scalecheck.go).
	ScaleCheck int    `json:"scale_check,omitempty"`
	Out        string `json:"-"`
	Bin        string `json:"-"`
	SQLite3    string `json:"-"`
	Render     string `json:"-"`
	match      *regexp.Regexp
}

// fullSizes are the original project's workload sizes.
func fullSizes() Sizes {
	return Sizes{
		N: 5000, HeavyWrites: 1500, HeavyReads: 200, LightWrites: 200, LightReads: 1500,
		Rounds: 3, Pairs: 200, Large: []int{100_000, 1_000_000},
	}
}

// quickSizes keep a -quick run under two minutes.
func quickSizes() Sizes {
	return Sizes{
		N: 500, HeavyWrites: 150, HeavyReads: 20, LightWrites: 20, LightReads: 150,
		Rounds: 3, Pairs: 20, Large: []int{20_000},
	}
}

// parseConfig reads the flags.
func parseConfig(args []string, stderr io.Writer) (Config, error) {
	var c Config
	var clients string
	var n int
	fs := flag.NewFlagSet("benchmarks", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.Runs, "runs", 0, "timed runs per workload and system; the median is reported (default 5, 3 with -quick)")
	fs.BoolVar(&c.Quick, "quick", false, "small workloads and fewer runs (under 2 minutes)")
	fs.IntVar(&c.Scale, "scale", 1, "multiply every workload's size by `k` (10: the 10x scale check)")
	fs.IntVar(&n, "n", 0, "`N`, the inserts of wOnly and the selects of rOnly, after -scale (default 5000, 500 with -quick)")
	fs.IntVar(&c.ScaleCheck, "scale-check", 0, "run the batch workloads at -scale and at `k` times it, print how time and peak RSS grow, and write scaleK.md and scaleK.json to -out (not results.*)")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the generated workloads")
	fs.StringVar(&clients, "clients", "", "concurrency levels of the concurrent workloads (default 1,8,64,256; 1,8,64 with -quick)")
	fs.DurationVar(&c.ConcDuration, "duration", 0, "length of one concurrent run (default 500ms, 200ms with -quick)")
	fs.DurationVar(&c.Deadline, "deadline", 0, "start no round that would end, at the pace of the last one, more than this after the suite started (default 13m, 100s with -quick): on a loaded machine the medians come from fewer runs, which the output says")
	fs.DurationVar(&c.Budget, "budget", 0, "a batch workload on one system takes no more runs once its runs took this long in all (default 60s, 5s with -quick): a slow baseline on a loaded machine gets fewer runs, noted in the table, instead of stretching the suite")
	fs.StringVar(&c.Match, "match", "", "run only the workloads whose name matches this `regexp` (concurrent ones are conc-write, conc-read, conc-mix)")
	fs.StringVar(&c.Out, "out", "benchmarks/results", "`directory` for results.json, results.md and the SVG charts")
	fs.StringVar(&c.Bin, "bin", "", "a built resqlite binary (default: go build one into a temp dir)")
	fs.StringVar(&c.SQLite3, "sqlite3", "sqlite3", "the sqlite3 CLI")
	fs.StringVar(&c.Render, "render", "", "run nothing: print the table of this results.json `file` and write -out from it")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := c.complete(clients); err != nil {
		return c, err
	}
	if n < 0 {
		return c, fmt.Errorf("-n %d: must be positive", n)
	}
	if n > 0 {
		c.Sizes.N = n
	}
	return c, nil
}

// complete fills in the defaults that depend on -quick and checks c.
func (c *Config) complete(clients string) error {
	c.Sizes, c.ConcRows = fullSizes(), 10_000
	defRuns, defDur, defBudget, defClients, defDeadline := 5, 500*time.Millisecond, 60*time.Second, "1,8,64,256", 13*time.Minute
	if c.Quick {
		c.Sizes, c.ConcRows = quickSizes(), 1000
		// 256 clients took a third of a -quick run at load 24 (each
		// client dials and registers): -quick stops at 64.
		defRuns, defDur, defBudget, defClients, defDeadline = 3, 200*time.Millisecond, 5*time.Second, "1,8,64", 100*time.Second
	}
	if c.Deadline == 0 {
		c.Deadline = defDeadline
	}
	if clients == "" {
		clients = defClients
	}
	if c.Budget == 0 {
		c.Budget = defBudget
	}
	if c.Scale < 1 {
		return fmt.Errorf("-scale %d: must be at least 1", c.Scale)
	}
	if c.ScaleCheck < 0 || c.ScaleCheck == 1 {
		return fmt.Errorf("-scale-check %d: must be at least 2", c.ScaleCheck)
	}
	c.Sizes, c.ConcRows = c.Sizes.Scaled(c.Scale), c.ConcRows*c.Scale
	if c.Runs == 0 {
		c.Runs = defRuns
	}
	if c.ConcDuration == 0 {
		c.ConcDuration = defDur
	}
	if c.Runs < 1 {
		return fmt.Errorf("-runs %d: must be at least 1", c.Runs)
	}
	var err error
	if c.Clients, err = parseInts(clients); err != nil {
		return fmt.Errorf("-clients: %w", err)
	}
	if c.match, err = regexp.Compile(c.Match); err != nil {
		return fmt.Errorf("-match: %w", err)
	}
	return nil
}

// wants reports whether the workload named name is to run.
func (c *Config) wants(name string) bool { return c.match == nil || c.match.MatchString(name) }

func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}
