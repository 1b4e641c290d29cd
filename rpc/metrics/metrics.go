// Package metrics exposes a ReSqlite node's metrics in the Prometheus
// format, each node with its own registry (several nodes run in one test
// process; the default registry would refuse the second). It adapts what
// the node's parts count: raft.Node's Status and Metrics and its
// raft.Observer timings, the WAL's fsync timings, the transport's
// PeerStats, and the client calls its gRPC interceptors see. Values that
// exist anyway (term, indexes, counters) are read when /metrics is
// scraped, so the hot path pays at most an atomic add or a histogram
// observation.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Namespace prefixes every ReSqlite metric.
const Namespace = "resqlite"

// Set is one node's metrics: its registry and the instruments its parts
// feed.
type Set struct {
	reg      *prometheus.Registry
	timings  *timings
	requests *requests
}

// New returns a Set whose registry holds the Go runtime and process
// collectors and the instruments fed while the node runs; Attach adds
// the ones read from the node when scraped.
func New() *Set {
	reg := prometheus.NewRegistry()
	s := &Set{reg: reg, timings: newTimings(), requests: newRequests()}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.timings.register(reg)
	s.requests.register(reg)
	return s
}

// Registry returns the node's registry (a prometheus.Gatherer).
func (s *Set) Registry() *prometheus.Registry { return s.reg }

// Attach registers the collector that reads src when scraped.
func (s *Set) Attach(src Sources) error {
	return s.reg.Register(newNodeCollector(src))
}
