package metrics

import (
	"context"
	"io/fs"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/transport"
)

// Sources are what a node's collector reads when scraped.
type Sources struct {
	// Raft is the node's Raft driver. Required.
	Raft *raft.Node
	// Applied returns the state machine's applied index. Required.
	Applied func() uint64
	// SnapshotIndex returns the index of the log's latest snapshot.
	// Required.
	SnapshotIndex func() (uint64, error)
	// Peers returns the transport's counts per peer; nil for none.
	Peers func() map[raft.NodeID]transport.PeerStats
	// LogDir and DBDir are the directories of the Raft log (snapshots
	// included) and of the SQLite database, whose sizes on disk are
	// reported.
	LogDir, DBDir string
}

// statusTimeout bounds the wait for the Raft node's status in a scrape.
const statusTimeout = 2 * time.Second

// nodeCollector reads the node's state when scraped.
type nodeCollector struct {
	src   Sources
	descs map[string]*prometheus.Desc
}

// desc makes a metric's description.
func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, labels, nil)
}

func newNodeCollector(src Sources) *nodeCollector {
	d := map[string]*prometheus.Desc{}
	add := func(name, help string, labels ...string) { d[name] = desc(name, help, labels...) }
	add("raft_term", "Current Raft term of this node.")
	add("raft_is_leader", "1 if this node is the Raft leader, else 0.")
	add("raft_leader_id", "Id of the leader this node knows of; 0 when none is known.")
	add("raft_role", "1 for this node's current Raft role, 0 for the others.", "role")
	add("raft_leader_changes_total", "Times this node saw a new leader.")
	add("raft_elections_total", "Elections this node started as a candidate.")
	add("raft_commit_index", "Index of the highest log entry known committed.")
	add("raft_applied_index", "Index of the last entry the state machine applied.")
	add("raft_snapshot_index", "Index covered by the latest snapshot of the log.")
	add("raft_last_log_index", "Index of the last entry in this node's log.")
	add("raft_apply_backlog_entries", "Committed entries handed to the apply goroutine and not applied yet.")
	add("raft_proposals_total", "Proposals made on this node (as leader), by outcome: applied or failed.", "result")
	add("raft_read_index_rounds_total", "ReadIndex requests (linearizable or lease reads) handed to Raft; a retry counts again.")
	add("raft_snapshots_total", "Snapshots by kind: written for a follower, installed from the leader, or recorded to compact the log.", "kind")
	add("raft_log_size_bytes", "Space the Raft log and its snapshots take on disk.")
	add("db_size_bytes", "Space the SQLite database (with its WAL) takes on disk.")
	add("raft_peer_match_index", "Highest log index known replicated to the peer (on the leader).", "peer")
	add("raft_peer_last_contact_seconds", "Seconds since a message from the peer last arrived.", "peer")
	add("raft_peer_unreachable", "1 while messages to the peer are being lost, else 0.", "peer")
	add("raft_peer_sent_bytes_total", "Bytes of Raft messages sent to the peer.", "peer")
	add("raft_peer_received_bytes_total", "Bytes of Raft messages received from the peer.", "peer")
	return &nodeCollector{src: src, descs: d}
}

func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	emit := func(name string, typ prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], typ, v, labels...)
	}
	n := c.src.Raft
	emit("raft_term", prometheus.GaugeValue, float64(n.Term()))
	emit("raft_is_leader", prometheus.GaugeValue, boolValue(n.IsLeader()))
	emit("raft_leader_id", prometheus.GaugeValue, float64(n.Leader()))
	emit("raft_applied_index", prometheus.GaugeValue, float64(c.src.Applied()))
	c.collectCounters(emit)
	if idx, err := c.src.SnapshotIndex(); err == nil {
		emit("raft_snapshot_index", prometheus.GaugeValue, float64(idx))
	}
	emit("raft_log_size_bytes", prometheus.GaugeValue, float64(dirSize(c.src.LogDir)))
	emit("db_size_bytes", prometheus.GaugeValue, float64(dirSize(c.src.DBDir)))
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	if st, err := n.Status(ctx); err == nil {
		c.collectStatus(st, emit)
	}
	c.collectPeerStats(emit)
}

// emitFunc sends one metric of the collector.
type emitFunc func(name string, typ prometheus.ValueType, v float64, labels ...string)

// collectCounters emits the Raft node's running totals.
func (c *nodeCollector) collectCounters(emit emitFunc) {
	m := c.src.Raft.Metrics()
	emit("raft_leader_changes_total", prometheus.CounterValue, float64(m.LeaderChanges))
	emit("raft_elections_total", prometheus.CounterValue, float64(m.Elections))
	emit("raft_proposals_total", prometheus.CounterValue, float64(m.ProposalsApplied), "applied")
	emit("raft_proposals_total", prometheus.CounterValue, float64(m.ProposalsFailed), "failed")
	emit("raft_read_index_rounds_total", prometheus.CounterValue, float64(m.ReadIndexRounds))
	emit("raft_snapshots_total", prometheus.CounterValue, float64(m.SnapshotsWritten), string(raft.SnapshotWritten))
	emit("raft_snapshots_total", prometheus.CounterValue, float64(m.SnapshotsInstalled), string(raft.SnapshotInstalled))
	emit("raft_snapshots_total", prometheus.CounterValue, float64(m.Compactions), "compaction")
}

// collectStatus emits what the Raft node's status tells.
func (c *nodeCollector) collectStatus(st raft.Status, emit emitFunc) {
	emit("raft_commit_index", prometheus.GaugeValue, float64(st.Commit))
	emit("raft_last_log_index", prometheus.GaugeValue, float64(st.LastIndex))
	emit("raft_apply_backlog_entries", prometheus.GaugeValue, float64(st.ApplyBacklog.Entries))
	for _, r := range []raft.Role{raft.RoleFollower, raft.RolePreCandidate, raft.RoleCandidate, raft.RoleLeader} {
		emit("raft_role", prometheus.GaugeValue, boolValue(st.Role == r), r.String())
	}
	for id, pr := range st.Progress {
		if id != st.ID {
			emit("raft_peer_match_index", prometheus.GaugeValue, float64(pr.Match), peerLabel(id))
		}
	}
	for id, d := range st.LastContact {
		if id != st.ID {
			emit("raft_peer_last_contact_seconds", prometheus.GaugeValue, d.Seconds(), peerLabel(id))
		}
	}
}

// collectPeerStats emits the transport's counts per peer.
func (c *nodeCollector) collectPeerStats(emit emitFunc) {
	if c.src.Peers == nil {
		return
	}
	for id, ps := range c.src.Peers() {
		emit("raft_peer_unreachable", prometheus.GaugeValue, boolValue(ps.Unreachable), peerLabel(id))
		emit("raft_peer_sent_bytes_total", prometheus.CounterValue, float64(ps.BytesSent), peerLabel(id))
		emit("raft_peer_received_bytes_total", prometheus.CounterValue, float64(ps.BytesReceived), peerLabel(id))
	}
}

func peerLabel(id raft.NodeID) string { return strconv.FormatUint(uint64(id), 10) }

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// dirSize is the size of the regular files under dir; files that vanish
// while it walks (a compaction removing a segment) are skipped.
func dirSize(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			total += info.Size()
		}
		return nil
	})
	return total
}
