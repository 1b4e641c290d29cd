package main

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{9, 9, 1, 1, 5}, 5},
	}
	for _, c := range cases {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	in := []float64{3, 1, 2}
	median(in)
	if in[0] != 3 || in[1] != 1 {
		t.Errorf("median sorted its argument: %v", in)
	}
	if got := medianInt64([]int64{10, 30, 20, 40}); got != 25 {
		t.Errorf("medianInt64 = %d, want 25", got)
	}
}

func TestPercentile(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[i] = time.Duration(i+1) * time.Millisecond // 1..100 ms
	}
	for p, want := range map[float64]time.Duration{50: 50, 99: 99, 100: 100, 1: 1, 0.1: 1} {
		if got := percentile(ds, p); got != want*time.Millisecond {
			t.Errorf("percentile(1..100ms, %v) = %v, want %v", p, got, want*time.Millisecond)
		}
	}
	small := []time.Duration{1, 2, 3}
	if got := percentile(small, 50); got != 2 {
		t.Errorf("p50 of 1,2,3 = %v, want 2", got)
	}
	if got := percentile(small, 99); got != 3 {
		t.Errorf("p99 of 1,2,3 = %v, want 3", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of nothing = %v, want 0", got)
	}
}

func TestSummarize(t *testing.T) {
	r := &Result{Workload: "conc-write", Kind: kindWrite, Clients: 8, System: sysLeader, Samples: []Sample{
		{Seconds: 1, Ops: 100, P50Ms: 1, P99Ms: 10, NodeRSSKB: []int64{100, 300, 200}, NodeGrowthKB: []int64{1, 9, 2}, ClientRSSKB: 50},
		{Seconds: 2, Ops: 100, P50Ms: 3, P99Ms: 30, NodeRSSKB: []int64{100, 100, 500}, NodeGrowthKB: []int64{5, 1, 1}, ClientRSSKB: 70},
		{Seconds: 1, Ops: 300, P50Ms: 2, P99Ms: 20, NodeRSSKB: []int64{400, 100, 100}, NodeGrowthKB: []int64{3, 3, 3}, ClientRSSKB: 60},
	}}
	r.summarize()
	want := Summary{Seconds: 1, OpsPerSec: 100, P50Ms: 2, P99Ms: 20, NodeRSSKB: 400, ClientRSSKB: 60, NodeGrowthKB: 5}
	if r.Median != want {
		t.Errorf("summary %+v, want %+v", r.Median, want)
	}
	b := &Result{Workload: "wOnly", System: sysMem, Samples: []Sample{{Seconds: 2, Ops: 10, P50Ms: 5}}}
	b.summarize()
	if b.Median.P50Ms != 0 || b.Median.OpsPerSec != 5 {
		t.Errorf("batch summary %+v: want no percentiles and 5 ops/s", b.Median)
	}
}
