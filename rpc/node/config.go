package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/metrics"
	"github.com/resqlite/resqlite/rpc/security"
	"google.golang.org/grpc"
)

// Config is what a node is started with.
type Config struct {
	// ID is the node's id. Required.
	ID raft.NodeID
	// Peers are the founding members of a new cluster (all voters, this
	// node included). Ignored when the data directory already belongs to
	// a cluster, except that a list that makes another cluster id is an
	// error (ErrClusterMismatch). Nil when joining.
	Peers []raft.Member
	// DataDir is the node's data directory. Required.
	DataDir string
	// Listen is the address the gRPC server listens on. Default: this
	// node's address in Peers. Ignored when Listener is set.
	Listen string
	// Listener, if set, is what the gRPC server serves on instead of a
	// listener bound to Listen (tests pass one bound to port 0, so no
	// port is probed). Start takes it over: Stop closes it, and so does a
	// Start that fails. Advertise defaults to its address when Peers does
	// not give this node's.
	Listener net.Listener
	// Advertise is the address other nodes reach this node at. Default:
	// this node's address in Peers, else Listen.
	Advertise string
	// Join is the address of a running member to join the cluster
	// through; empty to found or restart a cluster.
	Join string
	// DisableLeases turns off leader leases (thesis §6.4.1), on by
	// default: with them the leader answers lease reads from its lease,
	// without a heartbeat round (linearizable reads always do the round);
	// without them lease reads are linearizable reads. Leases rely on
	// CheckQuorum and on clocks drifting little between nodes.
	DisableLeases bool
	// TickInterval, HeartbeatTicks, ElectionTicks and SnapshotEntries
	// tune the Raft node; zero takes raft's defaults.
	TickInterval    time.Duration
	HeartbeatTicks  int
	ElectionTicks   int
	SnapshotEntries int
	// LeaderWait, ReadTimeout and StreamIdleLimit (how long a streamed
	// read waits for its client to take more rows before it is cancelled)
	// tune the client service; zero takes rpc/service's defaults.
	LeaderWait      time.Duration
	ReadTimeout     time.Duration
	StreamIdleLimit time.Duration
	// TestSleepFunc makes the state machine know the test-only SQL
	// function resqlite_test_sleep(ms) (statemachine.Options), for tests
	// of slow entries; every member must set it alike.
	TestSleepFunc bool
	// DialOptions are added when the node dials its peers: the Raft
	// transport's connections, the service's forwarding to the leader and
	// the rules upgrade's questions to the members
	// (for example a dialer that binds a source address, as the fault
	// suite's partitioning proxies need).
	DialOptions []grpc.DialOption
	// TLS, if set, serves the port over TLS and makes every dial of a
	// peer mutual TLS; Raft RPCs, AddMember and forwarded identities are
	// then accepted only from node certificates (package security). Nil:
	// plaintext, and the node logs a warning.
	TLS *security.NodeTLS
	// Auth, if set, requires clients to authenticate as its users and
	// checks every call's permission (package guard's table).
	Auth *auth.Authenticator
	// AuthPlaintext accepts credentials over plaintext connections.
	AuthPlaintext bool
	// MaxSessions bounds the open Session streams; 0: unbounded.
	MaxSessions int
	// MaxStreams bounds the requests in flight on one connection; 0:
	// gRPC's default.
	MaxStreams uint32
	// QueryTimeout bounds each read statement on this node (a Query, a
	// read of a Session); 0: none.
	QueryTimeout time.Duration
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger

	// ForceNewCluster restarts this node, from its data, as the only
	// member of its cluster: the disaster recovery of a cluster that lost
	// a majority for good (raft.ForceNewCluster). Every entry in its log
	// counts as committed; the new one-member configuration is durable,
	// so later starts without it stay a one-node cluster that new members
	// join. The other members must never run again with their data.
	// Needs a data directory with data; not with Join.
	ForceNewCluster bool

	// MetricsAddr, if set, is the host:port of a separate HTTP listener
	// serving /metrics (Prometheus text format) and /debug/pprof/; off
	// by default. Ignored when MetricsListener is set.
	MetricsAddr string
	// MetricsListener, if set, is what that HTTP server serves on (tests
	// pass one bound to port 0). Start takes it over: Stop closes it, and
	// so does a Start that fails.
	MetricsListener net.Listener
	// MetricsGuard wraps the metrics listener's handlers so that /metrics
	// needs the "status" permission and /debug/pprof/ "admin". Nil: the
	// node's own rules (TLS, Auth), as on its gRPC port: with TLS the
	// listener serves HTTPS with the node's certificate, and with an auth
	// file callers need a user holding the permission (basic auth).
	MetricsGuard metrics.Guard
}

// ErrConfig is wrapped by Start's errors that are caused by the
// configuration or the data directory (rather than by the network).
var ErrConfig = errors.New("cluster: bad configuration")

// Paths inside a data directory.
const (
	raftDir  = "raft"
	stateDir = "state"
	spoolDir = "spool"
)

// HasData reports whether dir already holds a node's data (it belongs to
// a cluster).
func HasData(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, clusterFile))
	return err == nil
}

// check validates cfg and fills in the derived addresses.
func (c *Config) check() error {
	if c.ID == raft.None {
		return fmt.Errorf("%w: node id must be a positive integer", ErrConfig)
	}
	if c.DataDir == "" {
		return fmt.Errorf("%w: no data directory", ErrConfig)
	}
	seen := map[raft.NodeID]bool{}
	var self string
	for _, m := range c.Peers {
		if m.ID == raft.None || m.Addr == "" {
			return fmt.Errorf("%w: peer %d=%q needs a positive id and an address", ErrConfig, m.ID, m.Addr)
		}
		if err := CheckAddr(m.Addr); err != nil {
			return fmt.Errorf("%w: peer %d: %w", ErrConfig, m.ID, err)
		}
		if seen[m.ID] {
			return fmt.Errorf("%w: peer id %d listed twice", ErrConfig, m.ID)
		}
		seen[m.ID] = true
		if m.ID == c.ID {
			self = m.Addr
		}
	}
	if len(c.Peers) > 0 && self == "" && c.Join == "" {
		return fmt.Errorf("%w: node id %d is not in the peer list", ErrConfig, c.ID)
	}
	if err := c.checkAddrs(); err != nil {
		return err
	}
	if c.Listener != nil {
		c.Listen = c.Listener.Addr().String()
	}
	if c.Advertise == "" {
		c.Advertise = self
	}
	if c.Listen == "" {
		c.Listen = c.Advertise
	}
	if c.Advertise == "" {
		c.Advertise = c.Listen
	}
	if c.ForceNewCluster && c.Join != "" {
		return fmt.Errorf("%w: force-new-cluster restarts a node from its own data; it cannot join a cluster", ErrConfig)
	}
	if c.Join != "" && len(c.Peers) > 1 {
		return fmt.Errorf("%w: a joining node takes its members from the cluster; give only its own address", ErrConfig)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// checkAddrs checks the addresses given besides the peers (CheckAddr).
func (c *Config) checkAddrs() error {
	given := map[string]string{"join": c.Join, "advertise": c.Advertise}
	if c.Listener == nil {
		given["listen"] = c.Listen
	}
	if c.MetricsListener == nil {
		given["metrics"] = c.MetricsAddr
	}
	for _, name := range []string{"listen", "advertise", "join", "metrics"} {
		if addr := given[name]; addr != "" {
			if err := CheckAddr(addr); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrConfig, name, err)
			}
		}
	}
	return nil
}
