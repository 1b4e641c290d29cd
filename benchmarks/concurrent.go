package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"
)

// Kinds of concurrent workload.
const (
	kindWrite = "write"
	kindRead  = "read"
	kindMix   = "mix" // 90% reads, 10% writes
)

func concKinds() []string { return []string{kindWrite, kindRead, kindMix} }

// concWorkload names a concurrent workload by its kind.
func concWorkload(kind string) string { return "conc-" + kind }

// doer is one client of a concurrent workload: it sends one statement
// and waits for its result.
type doer interface {
	write(ctx context.Context, sql string) error
	read(ctx context.Context, sql string) error
	close()
}

// concSystem is a system the concurrent workloads run on.
type concSystem interface {
	Name() string
	// setup (re)creates the table conc with rows rows.
	setup(ctx context.Context, rows int) error
	// clients opens n clients.
	clients(ctx context.Context, n int) ([]doer, error)
	// nodePIDs are the server processes whose peak RSS is measured.
	nodePIDs() []int
}

const concTable = "conc"

func concSetupSQL(rows int) []string {
	return []string{
		"DROP TABLE IF EXISTS " + concTable + ";",
		"CREATE TABLE " + concTable + "(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);",
		fmt.Sprintf("INSERT INTO %s(id, k, v) WITH RECURSIVE c(x) AS "+
			"(SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < %d) "+
			"SELECT x, x * 7919 %% 1000, 'v-' || x FROM c;", concTable, rows),
	}
}

// concOp returns the next statement of a client: a point read of one of
// the rows rows, or an insert.
func concOp(kind string, rng *rand.Rand, rows int) (sql string, isRead bool) {
	if kind == kindRead || (kind == kindMix && rng.IntN(10) != 0) {
		return fmt.Sprintf("SELECT k, v FROM %s WHERE id = %d;", concTable, 1+rng.IntN(rows)), true
	}
	k := rng.IntN(1_000_000)
	return fmt.Sprintf("INSERT INTO %s(k, v) VALUES(%d, 'v-%d');", concTable, k, k), false
}

// runConc runs n clients of kind against sys for dur, each sending one
// statement at a time, and measures throughput, latency percentiles and
// peak RSS of the nodes and of this process (the clients).
func runConc(ctx context.Context, sys concSystem, kind string, n int, dur time.Duration, seed uint64, rows int) (Sample, error) {
	ds, err := sys.clients(ctx, n)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w", sys.Name(), err)
	}
	defer func() {
		for _, d := range ds {
			d.close()
		}
	}()
	rss, err := startRSS(append(slices.Clone(sys.nodePIDs()), os.Getpid()))
	if err != nil {
		return Sample{}, err
	}
	lats, elapsed, err := drive(ctx, ds, kind, dur, seed, rows)
	if err != nil {
		return Sample{}, fmt.Errorf("%s %s x%d: %w", sys.Name(), kind, n, err)
	}
	slices.Sort(lats)
	smp := Sample{
		Seconds: elapsed.Seconds(), Ops: len(lats),
		P50Ms: ms(percentile(lats, 50)), P99Ms: ms(percentile(lats, 99)),
	}
	peak, growth, err := rss.peaks()
	if err != nil {
		return Sample{}, err
	}
	last := len(peak) - 1 // this process, the clients
	smp.NodeRSSKB, smp.NodeGrowthKB, smp.ClientRSSKB = peak[:last], growth[:last], peak[last]
	return smp, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drive runs every client in its own goroutine until dur has passed and
// returns every statement's latency and the time until the last client
// finished. The first error stops all clients.
func drive(ctx context.Context, ds []doer, kind string, dur time.Duration, seed uint64, rows int) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	per := make([][]time.Duration, len(ds))
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(dur)
	for i, d := range ds {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				sql, isRead := concOp(kind, rng, rows)
				t0 := time.Now()
				do := d.write
				if isRead {
					do = d.read
				}
				if err := do(ctx, sql); err != nil {
					cancel(err)
					return
				}
				per[i] = append(per[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return nil, 0, err
	}
	return slices.Concat(per...), elapsed, nil
}
