package node

import (
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/resqlite/resqlite/rpc/metrics"
)

// bindMetrics binds the metrics listener (Config.MetricsAddr), unless
// Config.MetricsListener gave one or none is wanted.
func (n *Node) bindMetrics() error {
	if n.metricsLis != nil || n.cfg.MetricsAddr == "" {
		return nil
	}
	lis, err := net.Listen("tcp", n.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("%w: metrics: listen on %s: %w", ErrConfig, n.cfg.MetricsAddr, err)
	}
	n.metricsLis = lis
	return nil
}

// serveMetrics attaches the running node to its metrics and serves them
// on the metrics listener, if there is one.
func (n *Node) serveMetrics() error {
	err := n.metrics.Attach(metrics.Sources{
		Raft:    n.raft,
		Applied: n.state.AppliedIndex,
		SnapshotIndex: func() (uint64, error) {
			meta, err := n.store.Snapshot()
			return meta.Index, err
		},
		Peers:  n.transport.PeerStats,
		LogDir: filepath.Join(n.cfg.DataDir, raftDir),
		DBDir:  filepath.Join(n.cfg.DataDir, stateDir),
	})
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if n.metricsLis != nil {
		guard := n.cfg.MetricsGuard
		if guard == nil {
			guard = n.guard.HTTP
		}
		lis, scheme := n.metricsLis, "http"
		if n.cfg.TLS != nil {
			lis, scheme = tls.NewListener(lis, n.cfg.TLS.HTTPConfig()), "https"
		}
		n.metricsSrv = n.metrics.Serve(lis, guard)
		n.log.Info("serving metrics", "id", uint64(n.cfg.ID), "addr", n.metricsLis.Addr().String(), "scheme", scheme)
	}
	return nil
}

// closeMetrics stops the metrics listener.
func (n *Node) closeMetrics() error {
	switch {
	case n.metricsSrv != nil:
		return n.metricsSrv.Close()
	case n.metricsLis != nil:
		return n.metricsLis.Close()
	}
	return nil
}

// Metrics returns the node's metrics registry.
func (n *Node) Metrics() prometheus.Gatherer { return n.metrics.Registry() }

// MetricsAddr returns the address the metrics listener listens on, or ""
// when there is none.
func (n *Node) MetricsAddr() string {
	if n.metricsLis == nil {
		return ""
	}
	return n.metricsLis.Addr().String()
}
