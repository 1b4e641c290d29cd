package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
)

func main() {
	inflight := flag.String("inflight", "16,256", "proposals kept in flight, comma-separated")
	count := flag.Int("count", 5, "runs of each engine, interleaved; figures are medians")
	withWAL := flag.Bool("wal", false, "also run ours with its durable WAL (raft/wal, fsync per Save) in a temp directory")
	size := flag.Int("size", 100, "payload bytes per proposal")
	compactEvery := flag.Uint64("compact-every", 10000, "applied entries between a node's snapshots and compactions (0: never compact)")
	keep := flag.Uint64("keep", 5000, "entries a compaction keeps")
	single := flag.Bool("single", false, "also run etcd proposing one entry per step (RawNode.Propose) instead of one MsgProp per batch")
	flag.Parse()
	levels, err := parseInts(*inflight)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcdraft:", err)
		os.Exit(2)
	}
	base := workload{size: *size, compactEvery: *compactEvery, keep: *keep}
	if err := compare(os.Stdout, engines(*single, *withWAL), base, levels, *count); err != nil {
		fmt.Fprintln(os.Stderr, "etcdraft:", err)
		os.Exit(1)
	}
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-inflight: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// result is the median of one engine's runs at one level.
type result struct {
	entriesPerSec float64
	// entriesPerCPUSec counts the process's CPU time (every thread: the
	// collector's too) instead of wall time: on a shared machine it
	// varies less with the load.
	entriesPerCPUSec float64
	allocs, bytes    float64
}

// compare measures every engine at every level (base with that many in
// flight) count times, the engines
// taking turns within each run, and prints the table of medians.
func compare(out io.Writer, es []engine, base workload, levels []int, count int) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tinflight\tentries/s\t÷etcd\tentries/CPU-s\t÷etcd\tallocs/op\tB/op\t")
	for _, inflight := range levels {
		w := base
		w.inflight = inflight
		samples := make([][]testing.BenchmarkResult, len(es))
		for range count {
			for i, e := range es {
				var failed error
				r := testing.Benchmark(func(b *testing.B) { failed = measure(b, e, w) })
				if failed != nil {
					return fmt.Errorf("%s, %d in flight: %w", e.name, inflight, failed)
				}
				samples[i] = append(samples[i], r)
			}
		}
		res := make([]result, len(es))
		for i := range es {
			res[i] = median(samples[i])
		}
		etcd := slices.IndexFunc(es, func(e engine) bool { return e.name == "etcd" })
		for i, e := range es {
			r := res[i]
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%.0f\t%s\t%.1f\t%.0f\t\n", e.name, inflight,
				r.entriesPerSec, ratio(r.entriesPerSec, res, etcd, func(r result) float64 { return r.entriesPerSec }),
				r.entriesPerCPUSec, ratio(r.entriesPerCPUSec, res, etcd, func(r result) float64 { return r.entriesPerCPUSec }),
				r.allocs, r.bytes)
		}
	}
	return tw.Flush()
}

// ratio formats v over etcd's figure (res[etcd]), "" without etcd.
func ratio(v float64, res []result, etcd int, f func(result) float64) string {
	if etcd < 0 {
		return ""
	}
	return fmt.Sprintf("%.2fx", v/f(res[etcd]))
}

func median(rs []testing.BenchmarkResult) result {
	pick := func(f func(testing.BenchmarkResult) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = f(r)
		}
		slices.Sort(vs)
		return vs[len(vs)/2]
	}
	return result{
		entriesPerSec:    pick(func(r testing.BenchmarkResult) float64 { return float64(r.N) / r.T.Seconds() }),
		entriesPerCPUSec: pick(func(r testing.BenchmarkResult) float64 { return 1e9 / r.Extra["cpu-ns/op"] }),
		allocs:           pick(func(r testing.BenchmarkResult) float64 { return float64(r.AllocsPerOp()) }),
		bytes:            pick(func(r testing.BenchmarkResult) float64 { return float64(r.AllocedBytesPerOp()) }),
	}
}

// measure runs w for b.N entries on a fresh cluster of e, timing only
// the proposals and their commits. The error is also reported through b.
func measure(b *testing.B, e engine, w workload) error {
	c, err := e.open(w)
	if err != nil {
		b.Error(err)
		return err
	}
	defer c.close()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	if err := run(c, w, b.N); err != nil {
		b.Error(err)
		return err
	}
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	return nil
}
