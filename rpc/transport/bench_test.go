package transport_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/rpctest"
)

// BenchmarkCommit measures a 3-node in-process cluster over gRPC on
// loopback: 100-byte proposals made at the leader by many concurrent
// proposers (each waits for its proposal to be applied at the leader
// before the next). It reports the commit latency (proposal to applied
// result) median and p99, the throughput and the CPU time the process
// spent per commit (all three nodes and the proposers; on a shared
// machine a steadier figure than the throughput), with the log in memory
// and on disk (raft/wal, fsync per batch). The state machine only counts
// (countingMachine): what is measured is the commit path (transport, node
// driver, log), not the cost of applying, which the state machine's own
// benchmarks and benchmarks/ measure.
//
//	go test ./rpc/transport -run '^$' -bench Commit -benchtime 3s
func BenchmarkCommit(b *testing.B) {
	for _, storage := range []string{"memory", "wal"} {
		for _, inflight := range []int{1, 64, 256} {
			b.Run(fmt.Sprintf("storage=%s/inflight=%d", storage, inflight), func(b *testing.B) {
				benchmarkCommit(b, storage, inflight)
			})
		}
	}
}

// countingTransport counts the Raft messages a node sends, and among
// them the MsgApps that carry no entries and the MsgReadIndex requests.
type countingTransport struct {
	raft.Transport
	msgs, emptyApps, readIndex *atomic.Int64
}

func (t countingTransport) Send(msgs []raft.Message) {
	t.msgs.Add(int64(len(msgs)))
	for _, m := range msgs {
		switch {
		case m.Type == raft.MsgApp && len(m.Entries) == 0:
			t.emptyApps.Add(1)
		case m.Type == raft.MsgReadIndex:
			t.readIndex.Add(1)
		}
	}
	t.Transport.Send(msgs)
}

func benchmarkCommit(b *testing.B, storage string, inflight int) {
	var msgs, emptyApps, readIndex atomic.Int64
	opts := rpctest.Options{Size: 3, Tweak: func(cfg *raft.NodeConfig) {
		cfg.Transport = countingTransport{Transport: cfg.Transport, msgs: &msgs, emptyApps: &emptyApps, readIndex: &readIndex}
		cfg.StateMachine = &countingMachine{}
	}}
	if storage == "wal" {
		opts.OpenStore = rpctest.OpenWAL
	}
	c := rpctest.NewCluster(b, opts)
	leader := c.Leader(30 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	payload := make([]byte, 100)
	// Warm up: connections, streams, first entries of the term.
	for range 50 {
		if _, err := c.Propose(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}

	latencies := make([]time.Duration, b.N)
	var next sync.Mutex
	issued := 0
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	msgs0, empty0 := msgs.Load(), emptyApps.Load()
	cpu0 := processCPU(b)
	start := time.Now()
	for range inflight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				i := issued
				issued++
				next.Unlock()
				if i >= b.N {
					return
				}
				t0 := time.Now()
				f, err := leader.Node.Propose(ctx, payload)
				if err == nil {
					_, err = f.Wait(ctx)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				latencies[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	if firstErr != nil {
		b.Fatalf("proposal failed (did leadership change during the run?): %v", firstErr)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commits/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/commit")
	b.ReportMetric(float64(msgs.Load()-msgs0)/float64(b.N), "msgs/commit")
	b.ReportMetric(float64(emptyApps.Load()-empty0)/float64(b.N), "emptyApps/commit")
}

// processCPU returns the user and system CPU time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingMachine is a state machine that only keeps its applied index:
// each entry's result is its index.
type countingMachine struct{ applied atomic.Uint64 }

func (m *countingMachine) Apply(ents []raft.Entry) ([]any, error) {
	out := make([]any, len(ents))
	for i, e := range ents {
		out[i] = e.Index
	}
	m.applied.Store(ents[len(ents)-1].Index)
	return out, nil
}

func (m *countingMachine) AppliedIndex() uint64 { return m.applied.Load() }

func (m *countingMachine) Snapshot(w io.Writer) (uint64, error) {
	index := m.applied.Load()
	_, err := w.Write(binary.BigEndian.AppendUint64(nil, index))
	return index, err
}

func (m *countingMachine) Restore(r io.Reader) error {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return fmt.Errorf("counting machine: restore: %w", err)
	}
	m.applied.Store(binary.BigEndian.Uint64(b[:]))
	return nil
}

// BenchmarkFollowerReadsOwnWrite measures read-your-writes at a follower:
// each operation is a 100-byte write at the leader, then a wait until a
// follower has applied it (what a session's read at a follower waits
// for). The follower learns of the commit from the leader's commit notice,
// not the next heartbeat.
//
//	go test ./rpc/transport -run '^$' -bench FollowerReadsOwnWrite -benchtime 200x
func BenchmarkFollowerReadsOwnWrite(b *testing.B) {
	c := rpctest.NewCluster(b, rpctest.Options{Size: 3, OpenStore: rpctest.OpenWAL})
	leader := c.Leader(30 * time.Second)
	var follower *rpctest.Server
	for _, s := range c.Running() {
		if s.ID != leader.ID {
			follower = s
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	payload := make([]byte, 100)
	b.ResetTimer()
	for range b.N {
		f, err := leader.Node.Propose(ctx, payload)
		if err != nil {
			b.Fatal(err)
		}
		res, err := f.Wait(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := follower.Node.WaitApplied(ctx, res.Index); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFollowerReadIndex measures linearizable reads at a follower
// made by 64 concurrent readers: each ReadIndex confirms with the leader
// (a heartbeat round) and waits until the follower applied the index.
//
//	go test ./rpc/transport -run '^$' -bench FollowerReadIndex -benchtime 20000x
func BenchmarkFollowerReadIndex(b *testing.B) {
	var msgs, emptyApps, readIndex atomic.Int64
	c := rpctest.NewCluster(b, rpctest.Options{Size: 3, Tweak: func(cfg *raft.NodeConfig) {
		cfg.Transport = countingTransport{Transport: cfg.Transport, msgs: &msgs, emptyApps: &emptyApps, readIndex: &readIndex}
	}})
	leader := c.Leader(30 * time.Second)
	var follower *rpctest.Server
	for _, s := range c.Running() {
		if s.ID != leader.ID {
			follower = s
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if _, err := c.Propose(ctx, []byte("x")); err != nil {
		b.Fatal(err)
	}
	var next sync.Mutex
	issued := 0
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	b.ResetTimer()
	msgs0, reqs0 := msgs.Load(), readIndex.Load()
	start := time.Now()
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				i := issued
				issued++
				next.Unlock()
				if i >= b.N {
					return
				}
				if _, err := follower.Node.ReadIndex(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reads/s")
	b.ReportMetric(float64(readIndex.Load()-reqs0)/float64(b.N), "readIndexMsgs/read")
	b.ReportMetric(float64(msgs.Load()-msgs0)/float64(b.N), "msgs/read")
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}
