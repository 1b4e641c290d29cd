package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/resqlite/resqlite/raft"
)

// latencyBuckets span 100µs to about 13s, for fsyncs, appends, commits
// and applies.
var latencyBuckets = prometheus.ExponentialBuckets(0.0001, 2, 18)

// timings are the histograms fed while the node works: the raft.Observer
// the node is started with and the WAL's fsync observer.
type timings struct {
	fsync, appendDur, commit, apply, applyBatch prometheus.Histogram
	snapDur, snapSize                           *prometheus.HistogramVec
}

func newTimings() *timings {
	opts := func(name, help string, buckets []float64) prometheus.HistogramOpts {
		return prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}
	}
	h := func(name, help string, buckets []float64) prometheus.Histogram {
		return prometheus.NewHistogram(opts(name, help, buckets))
	}
	return &timings{
		fsync:     h("wal_fsync_duration_seconds", "Time one fsync of a write-ahead log append took.", latencyBuckets),
		appendDur: h("raft_append_duration_seconds", "Time making one batch of log entries and the hard state durable took (write and fsync).", latencyBuckets),
		commit:    h("raft_commit_duration_seconds", "Time from a proposal on this leader to its entry committing.", latencyBuckets),
		apply:     h("raft_apply_duration_seconds", "Time applying one batch of committed entries to the state machine took.", latencyBuckets),
		applyBatch: h("raft_apply_batch_entries", "Committed entries applied to the state machine in one batch.",
			prometheus.ExponentialBuckets(1, 2, 13)),
		snapDur: prometheus.NewHistogramVec(opts("raft_snapshot_duration_seconds",
			"Time writing a snapshot for a follower, or installing a received one, took.", prometheus.ExponentialBuckets(0.001, 2, 18)), []string{"kind"}),
		snapSize: prometheus.NewHistogramVec(opts("raft_snapshot_size_bytes",
			"Size of a snapshot written for a follower or installed.", prometheus.ExponentialBuckets(4096, 4, 12)), []string{"kind"}),
	}
}

func (t *timings) register(reg prometheus.Registerer) {
	reg.MustRegister(t.fsync, t.appendDur, t.commit, t.apply, t.applyBatch, t.snapDur, t.snapSize)
}

// Observer returns the raft.Observer that feeds the Set's histograms.
func (s *Set) Observer() raft.Observer { return observer{s.timings} }

// ObserveFsync is the WAL's fsync observer (wal.Options.ObserveSync).
func (s *Set) ObserveFsync(d time.Duration) { s.timings.fsync.Observe(d.Seconds()) }

// observer adapts raft.Observer to the histograms.
type observer struct{ t *timings }

func (o observer) Persisted(d time.Duration, _ int) {
	o.t.appendDur.Observe(d.Seconds())
}

func (o observer) Committed(d time.Duration) { o.t.commit.Observe(d.Seconds()) }

func (o observer) Applied(d time.Duration, entries int) {
	o.t.apply.Observe(d.Seconds())
	o.t.applyBatch.Observe(float64(entries))
}

func (o observer) Snapshot(kind raft.SnapshotKind, d time.Duration, size int64) {
	o.t.snapDur.WithLabelValues(string(kind)).Observe(d.Seconds())
	o.t.snapSize.WithLabelValues(string(kind)).Observe(float64(size))
}
