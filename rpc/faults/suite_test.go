package faults

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// suiteConfig is what the environment selects: the base seed and how
// long each run's fault phase lasts.
type suiteConfig struct {
	seed  uint64
	phase time.Duration
	long  bool
	// checkTimeout bounds porcupine's search per run.
	checkTimeout time.Duration
}

// shortPhase is each run's fault phase in the short (CI) form (the last
// fault may outlast it by its hold, up to 4s).
const shortPhase = 8 * time.Second

func loadConfig(t *testing.T) suiteConfig {
	cfg := suiteConfig{seed: uint64(time.Now().UnixNano()), phase: shortPhase, checkTimeout: 30 * time.Second}
	if s := os.Getenv("RESQLITE_FAULT_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RESQLITE_FAULT_SEED=%q: %v", s, err)
		}
		cfg.seed = seed
	}
	if s := os.Getenv("RESQLITE_FAULT_MINUTES"); s != "" {
		m, err := strconv.ParseFloat(s, 64)
		if err != nil || m <= 0 {
			t.Fatalf("RESQLITE_FAULT_MINUTES=%q: want a positive number of minutes", s)
		}
		cfg.phase, cfg.long, cfg.checkTimeout = time.Duration(m*float64(time.Minute)), true, 5*time.Minute
	}
	return cfg
}

// runSpec is one run: a nemesis against a cluster of some size.
type runSpec struct {
	nemesis string
	nodes   int
}

func (r runSpec) name() string { return fmt.Sprintf("%s-%d", r.nemesis, r.nodes) }

// runs lists the short form's runs, or the long form's (every nemesis
// against 3 and 5 nodes).
func runs(long bool) []runSpec {
	if !long {
		return []runSpec{{nemKill, 3}, {nemRestart, 3}, {nemPause, 3}, {nemPartition, 3}, {nemPartition, 5}, {nemMix, 5}}
	}
	var out []runSpec
	for _, n := range []string{nemKill, nemRestart, nemPause, nemPartition, nemMix} {
		out = append(out, runSpec{n, 3}, runSpec{n, 5})
	}
	return out
}

// TestFaults runs the fault suite: each run starts a cluster of real
// node processes, runs the three workloads under one nemesis, heals,
// checks, and adds its rows to the table logged at the end. Only safety
// violations fail it; unknown and failed operations and write gaps are
// reported.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault suite starts node processes for minutes; skipped with -short")
	}
	cfg := loadConfig(t)
	t.Logf("seed %d (replay: RESQLITE_FAULT_SEED=%d), fault phase %v per run", cfg.seed, cfg.seed, cfg.phase)
	var table []row
	for _, rs := range runs(cfg.long) {
		t.Run(rs.name(), func(t *testing.T) {
			table = append(table, runOne(t, cfg, rs)...)
		})
	}
	t.Log("\n" + renderTable(table))
	if out := os.Getenv("RESQLITE_FAULT_TABLE"); out != "" {
		if err := os.WriteFile(out, []byte(renderTable(table)), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// runSeed derives a run's seed from the base seed and its name, so that
// running one run alone (-run) replays it.
func runSeed(base uint64, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return base ^ h.Sum64()
}

// workers is how many client goroutines each workload gets.
var workerCounts = map[string]int{"registers": 4, "set": 2, "bank": 2}

func newWorkloads() []workload {
	return []workload{newRegisters(8), newSet(), newBank(5)}
}

// runOne runs rs and returns its rows of the table.
func runOne(t *testing.T, cfg suiteConfig, rs runSpec) []row {
	seed := runSeed(cfg.seed, rs.name())
	sched := newSchedule()
	c := newCluster(t, rs.nodes, sched)
	sched.add(false, "cluster of %d nodes up, leader %d (run seed %d)", rs.nodes, c.leader(), seed)
	wls := newWorkloads()
	setupWorkloads(t, c, wls)

	stop, stopWorkers := context.WithCancel(context.Background())
	defer stopWorkers()
	var wg sync.WaitGroup
	k := 0
	for _, wl := range wls {
		for range workerCounts[wl.name()] {
			w := worker{id: k, c: c.client(t, k), rng: rand.New(rand.NewPCG(seed, uint64(k+1))), now: sched.now}
			wg.Go(func() { wl.run(stop, w) })
			k++
		}
	}
	from := sched.now()
	sched.add(false, "workloads started (%d clients)", k)
	nemCtx, cancel := context.WithTimeout(context.Background(), cfg.phase)
	nem := &nemesis{kind: rs.nemesis, c: c, rng: rand.New(rand.NewPCG(seed, 0)), sched: sched}
	nem.run(nemCtx)
	cancel()
	c.heal()
	sched.add(false, "healed: every node running, no partition")
	wait(context.Background(), 2*time.Second) // let the workloads run on the healed cluster
	stopWorkers()
	wg.Wait()
	to := sched.now()
	sched.add(false, "workloads stopped")
	return checkRun(t, cfg, rs, seed, c, wls, from, to)
}

// setupWorkloads creates every workload's tables through one client.
func setupWorkloads(t *testing.T, c *cluster, wls []workload) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl := c.client(t, 0)
	for _, wl := range wls {
		if err := wl.setup(ctx, cl); err != nil {
			t.Fatalf("%s setup: %v", wl.name(), err)
		}
	}
}

// client dials a new session to node k%size, with the other nodes as
// fallbacks; it is closed when the test ends.
func (c *cluster) client(t *testing.T, k int) *client.Client {
	t.Helper()
	i := k % c.size
	var fallback []string
	for j := 1; j < c.size; j++ {
		fallback = append(fallback, c.addrs[(i+j)%c.size])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, c.addrs[i], client.Options{Fallback: fallback})
	if err != nil {
		t.Fatalf("dial %s: %v", c.addrs[i], err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}
