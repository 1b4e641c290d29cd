package main

import (
	"fmt"
	"testing"
)

// BenchmarkCommit runs the comparison as Go benchmarks (one op: one
// committed entry), for -cpuprofile and benchstat:
//
//	go test -bench . -count 5
//	go test -bench 'Commit/ours/inflight=256' -cpuprofile cpu.out
func BenchmarkCommit(b *testing.B) {
	for _, e := range engines(true, true) {
		for _, inflight := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("%s/inflight=%d", e.name, inflight), func(b *testing.B) {
				measure(b, e, defaultWorkload(inflight))
			})
		}
	}
}

// TestEnginesCommit checks that both engines commit a small workload
// (the harness itself works), with and without compaction.
func TestEnginesCommit(t *testing.T) {
	for _, e := range engines(true, true) {
		for _, w := range []workload{defaultWorkload(16), {inflight: 7, size: 10, compactEvery: 50, keep: 10}} {
			c, err := e.open(w)
			if err != nil {
				t.Fatalf("%s: %v", e.name, err)
			}
			if err := run(c, w, 1000); err != nil {
				t.Errorf("%s %+v: %v", e.name, w, err)
			}
			if err := c.close(); err != nil {
				t.Errorf("%s: close: %v", e.name, err)
			}
		}
	}
}
