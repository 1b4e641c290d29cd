package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// Sample is one timed run of one workload on one system.
type Sample struct {
	Seconds float64 `json:"seconds"`
	Ops     int     `json:"ops"`
	P50Ms   float64 `json:"p50_ms,omitempty"`
	P99Ms   float64 `json:"p99_ms,omitempty"`
	// NodeRSSKB is the peak RSS of each node process during the run,
	// ClientRSSKB that of the client process (the sqlite3 CLI, the
	// resqlite client, or this program for the concurrent workloads).
	NodeRSSKB   []int64 `json:"node_rss_kb,omitempty"`
	ClientRSSKB int64   `json:"client_rss_kb"`
	// NodeGrowthKB is how far each node's RSS rose during the run above
	// its RSS when the run started.
	NodeGrowthKB []int64 `json:"node_growth_kb,omitempty"`
	// Digest is a hash of the run's stdout (empty when it went to
	// /dev/null); every system must print the same.
	Digest string `json:"digest,omitempty"`
}

// Summary is the median over a result's samples.
type Summary struct {
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	P50Ms       float64 `json:"p50_ms,omitempty"`
	P99Ms       float64 `json:"p99_ms,omitempty"`
	NodeRSSKB   int64   `json:"node_rss_kb,omitempty"`
	ClientRSSKB int64   `json:"client_rss_kb"`
	// NodeGrowthKB is the largest node's growth.
	NodeGrowthKB int64 `json:"node_growth_kb,omitempty"`
}

// Result is one workload on one system over all runs.
type Result struct {
	Workload string `json:"workload"`
	// Concurrent workloads have a kind (write, read, mix) and clients.
	Kind    string   `json:"kind,omitempty"`
	Clients int      `json:"clients,omitempty"`
	System  string   `json:"system"`
	Samples []Sample `json:"samples"`
	Median  Summary  `json:"median"`
	Err     string   `json:"error,omitempty"`
	// Skipped counts the runs left out because the result's earlier runs
	// took the time budget (Config.Budget).
	Skipped int `json:"skipped_runs,omitempty"`
}

// spent is the time r's runs took.
func (r *Result) spent() time.Duration {
	var t float64
	for _, s := range r.Samples {
		t += s.Seconds
	}
	return time.Duration(t * float64(time.Second))
}

// note is r's error, and how many runs its median is of when the budget
// cut them.
func (r *Result) note() string {
	var budget string
	if r.Skipped > 0 {
		budget = fmt.Sprintf("median of %d runs (-budget)", len(r.Samples))
	}
	return joinNotes(r.Err, budget)
}

// Concurrent reports whether r is a concurrent-clients result.
func (r *Result) Concurrent() bool { return r.Clients > 0 }

// Report is everything one run of the suite measured.
type Report struct {
	Started  time.Time `json:"started"`
	Duration float64   `json:"duration_seconds"`
	Machine  Machine   `json:"machine"`
	// RunsDone is the number of rounds run: Config.Runs unless the
	// deadline (Config.Deadline) cut the suite short.
	RunsDone int `json:"runs_done,omitempty"`
	// LoadAvgEnd is the load average when the run ended (Machine.LoadAvg
	// is the one at its start).
	LoadAvgEnd string    `json:"loadavg_end,omitempty"`
	Config     Config    `json:"config"`
	Results    []*Result `json:"results"`
}

// Machine describes where the suite ran.
type Machine struct {
	CPUs     int    `json:"cpus"`
	OS       string `json:"os"`
	Go       string `json:"go"`
	SQLite3  string `json:"sqlite3"`
	LoadAvg  string `json:"loadavg"`
	Hostname string `json:"hostname"`
}

// summarize sets r.Median from r.Samples.
func (r *Result) summarize() {
	var secs, ops, p50, p99 []float64
	var nodes, growth, clients []int64
	for _, s := range r.Samples {
		secs = append(secs, s.Seconds)
		if s.Seconds > 0 {
			ops = append(ops, float64(s.Ops)/s.Seconds)
		}
		p50 = append(p50, s.P50Ms)
		p99 = append(p99, s.P99Ms)
		if len(s.NodeRSSKB) > 0 {
			nodes = append(nodes, slices.Max(s.NodeRSSKB))
		}
		if len(s.NodeGrowthKB) > 0 {
			growth = append(growth, slices.Max(s.NodeGrowthKB))
		}
		clients = append(clients, s.ClientRSSKB)
	}
	r.Median = Summary{
		Seconds: median(secs), OpsPerSec: median(ops),
		NodeRSSKB: medianInt64(nodes), ClientRSSKB: medianInt64(clients), NodeGrowthKB: medianInt64(growth),
	}
	if r.Concurrent() {
		r.Median.P50Ms, r.Median.P99Ms = median(p50), median(p99)
	}
}

// find returns the result of workload on system with kind and clients,
// or nil.
func (rep *Report) find(workload, kind string, clients int, system string) *Result {
	for _, r := range rep.Results {
		if r.Workload == workload && r.Kind == kind && r.Clients == clients && r.System == system {
			return r
		}
	}
	return nil
}

// result returns the result for the key, adding it when new.
func (rep *Report) result(workload, kind string, clients int, system string) *Result {
	if r := rep.find(workload, kind, clients, system); r != nil {
		return r
	}
	r := &Result{Workload: workload, Kind: kind, Clients: clients, System: system}
	rep.Results = append(rep.Results, r)
	return r
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}
