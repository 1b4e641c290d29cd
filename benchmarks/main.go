// Command benchmarks runs ReSqlite's benchmark suite: the original
// project's four workloads (wOnly, rOnly, wHeavy, rHeavy), alternating
// INSERT/SELECT pairs, large-result reads and concurrent clients, against
// the sqlite3 CLI, ReSqlite on one node and ReSqlite on three nodes (at the
// leader and at a follower), in one run. It prints one table and writes
// results.json, results.md and SVG charts to -out.
//
//	go run ./benchmarks            # full run, median of 5
//	go run ./benchmarks -quick     # under 2 minutes
//	go run ./benchmarks -h         # the flags
//
// The nodes are real resqlite processes (built with go build into a temp
// directory) on loopback ports with temp data directories; they and the
// files are removed on every exit path, Ctrl-C included.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, so deferred clean-ups run.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 2
	}
	if cfg.ScaleCheck > 0 {
		return scaleCheck(cfg, stdout, stderr)
	}
	rep, err := measure(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	if err := writeTables(stdout, rep); err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	if err := writeOutputs(cfg.Out, rep); err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	fmt.Fprintf(stderr, "results in %s (results.json, results.md, %s, %s, %s)\n", cfg.Out, chartTime, chartThroughput, chartLatency)
	return 0
}

// measure runs the suite, or with -render reads the report of an
// earlier run.
func measure(cfg Config, stderr io.Writer) (*Report, error) {
	if cfg.Render != "" {
		return readReport(cfg.Render)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSuite(ctx, cfg, newLogger(stderr))
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// scaleCheck is run for -scale-check: it runs the two scales, prints
// the comparison and writes scaleK.json and scaleK.md.
func scaleCheck(cfg Config, stdout, stderr io.Writer) int {
	if cfg.Render != "" {
		fmt.Fprintln(stderr, "benchmarks: -scale-check runs the suite; it does not go with -render")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sr, err := runScaleCheck(ctx, cfg, newLogger(stderr))
	if err == nil {
		err = writeScaleTable(stdout, sr)
	}
	if err == nil {
		err = writeScaleOutputs(cfg.Out, sr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "benchmarks:", err)
		return 1
	}
	fmt.Fprintf(stderr, "results in %s (scale%d.json, scale%d.md)\n", cfg.Out, sr.Factor, sr.Factor)
	return 0
}

// writeTables writes the results table and the session-cost table.
func writeTables(w io.Writer, rep *Report) error {
	if rep.RunsDone > 0 && rep.RunsDone < rep.Config.Runs {
		if _, err := fmt.Fprintf(w, "Medians: %s.\n\n", runsNote(rep)); err != nil {
			return fmt.Errorf("write table: %w", err)
		}
	}
	if err := writeTable(w, tableHeader(), tableRows(rep)); err != nil {
		return err
	}
	return writeSessionTable(w, rep, writeTable, sessionHeading+". "+sessionNote())
}

// readReport reads a results.json.
func readReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	return &rep, nil
}

// writeOutputs writes the JSON, the Markdown and the charts into dir.
func writeOutputs(dir string, rep *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output dir: %w", err)
	}
	files := map[string]func(io.Writer) error{
		"results.json":  rep.WriteJSON,
		"results.md":    func(w io.Writer) error { return writeMarkdown(w, rep) },
		chartTime:       func(w io.Writer) error { return writeString(w, timeChart(rep)) },
		chartThroughput: func(w io.Writer) error { return writeString(w, throughputChart(rep)) },
		chartLatency:    func(w io.Writer) error { return writeString(w, latencyChart(rep)) },
	}
	for name, write := range files {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	return nil
}

func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
