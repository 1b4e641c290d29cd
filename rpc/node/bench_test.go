package node_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// reportLatencies reports the median and 99th percentile of ds.
func reportLatencies(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}

// benchCluster starts a 3-node cluster and returns it with its leader and
// a client of one follower.
func benchCluster(b *testing.B) (*testCluster, *client.Client) {
	c := startCluster(b, 3)
	lead := c.waitLeader(10 * time.Second)
	return c, c.client(c.followers(lead)[0])
}

// The latency of a write sent to a follower, which forwards it to the
// leader and relays the result (3 processes over loopback).
func BenchmarkForwardedWrite(b *testing.B) {
	_, cl := benchCluster(b)
	ctx := context.Background()
	if _, err := cl.Exec(ctx, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)"); err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		r, err := cl.Exec(ctx, "INSERT INTO t (b) VALUES ('a row of about forty bytes of text....')")
		if err != nil || r.Err != nil {
			b.Fatal(err, r.Err)
		}
		ds = append(ds, time.Since(start))
	}
	reportLatencies(b, ds)
}

// The latency of a linearizable read served by a follower (a read-index
// round through the leader, then the local database).
func BenchmarkLinearizableFollowerRead(b *testing.B) {
	_, cl := benchCluster(b)
	ctx := context.Background()
	if _, err := cl.Exec(ctx, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)", "INSERT INTO t VALUES (1, 'x')"); err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		rows, err := cl.Query(ctx, client.Linearizable, "SELECT b FROM t WHERE a = 1")
		if err != nil || len(rows.Rows) != 1 {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	reportLatencies(b, ds)
}

// The throughput of a pipelined session of 15,000 single-row inserts sent
// to the leader (as batch mode sends them), in inserts per second.
func BenchmarkPipelined15000Inserts(b *testing.B) {
	c := startCluster(b, 3)
	cl := c.client(c.waitLeader(10 * time.Second))
	ctx := context.Background()
	const n = 15000
	var total time.Duration
	round := 0
	for b.Loop() {
		round++
		table := fmt.Sprintf("t%d", round)
		s, err := cl.Session(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := s.Submit(client.Request{Write: []client.Statement{{SQL: "CREATE TABLE " + table + " (a INTEGER PRIMARY KEY, b TEXT)"}}}); err != nil {
			b.Fatal(err)
		}
		for i := range n {
			sql := fmt.Sprintf("INSERT INTO %s (b) VALUES ('row %d')", table, i)
			if err := s.Submit(client.Request{Write: []client.Statement{{SQL: sql}}}); err != nil {
				b.Fatal(err)
			}
		}
		for range n + 1 {
			r, err := s.Next()
			if err != nil || r.Err != nil || r.Write.Err != nil {
				b.Fatal(err, r.Err)
			}
		}
		total += time.Since(start)
		s.Close()
	}
	b.ReportMetric(float64(n*round)/total.Seconds(), "inserts/s")
}
