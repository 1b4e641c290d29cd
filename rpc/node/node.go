package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
	"github.com/resqlite/resqlite/raft/wal"
	"github.com/resqlite/resqlite/rpc/guard"
	"github.com/resqlite/resqlite/rpc/metrics"
	"github.com/resqlite/resqlite/rpc/service"
	"github.com/resqlite/resqlite/rpc/transport"
	"github.com/resqlite/resqlite/statemachine"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
)

// Node is one running ReSqlite node.
type Node struct {
	cfg       Config
	log       *slog.Logger
	clusterID uint64

	store     *wal.Store
	state     *statemachine.StateMachine
	transport *transport.Transport
	raft      *raft.Node
	service   *service.Server
	guard     *guard.Guard
	grpc      *grpc.Server
	health    *health.Server
	lis       net.Listener
	served    chan struct{}

	metrics    *metrics.Set
	metricsLis net.Listener
	metricsSrv *metrics.Server

	stopOnce sync.Once
	stopErr  error

	// stopRules and rulesDone stop and await the rules upgrade (rules.go).
	stopRules context.CancelFunc
	rulesDone chan struct{}
}

// Start opens the node's data, starts its Raft node and serves its gRPC
// port. A joining node (Config.Join) also asks the cluster to add it and
// returns once it is a voter. Errors caused by the configuration or the
// data directory wrap ErrConfig (and wal.ErrLocked or
// ErrClusterMismatch where those apply).
func Start(ctx context.Context, cfg Config) (_ *Node, err error) {
	if err := cfg.check(); err != nil {
		if cfg.Listener != nil {
			cfg.Listener.Close()
		}
		if cfg.MetricsListener != nil {
			cfg.MetricsListener.Close()
		}
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Logger, served: make(chan struct{}), lis: cfg.Listener,
		metrics: metrics.New(), metricsLis: cfg.MetricsListener}
	n.secure()
	cfg = n.cfg
	rollback := planRollback(cfg.DataDir)
	defer func() {
		if err != nil {
			n.undoFailedStart(rollback, err)
		}
	}()
	// A new node binds its port before it writes anything, so a port in
	// use leaves its directory as it was.
	if rollback.active && cfg.Listen != "" {
		if err := n.listen(); err != nil {
			return nil, err
		}
	}
	if err := n.bindMetrics(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: data directory: %w", ErrConfig, err)
	}
	format, err := checkFormat(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	existed := HasData(cfg.DataDir)
	// The log's lock makes a second process on the same directory fail
	// before anything else is touched.
	if n.store, err = wal.Open(filepath.Join(cfg.DataDir, raftDir), wal.Options{Logger: cfg.Logger, ObserveSync: n.metrics.ObserveFsync}); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConfig, cfg.DataDir, err)
	}
	var join *joinInfo
	if cfg.Join != "" {
		if join, err = askToJoin(ctx, cfg.Join, cfg.DialOptions); err != nil {
			return nil, err
		}
	}
	var joinID uint64
	if join != nil {
		joinID = join.clusterID
	}
	bootstrap := cfg.Peers
	switch {
	case cfg.Join != "":
		bootstrap = nil
	case bootstrap == nil:
		// A founding member restarted without its member list.
		if bootstrap, err = StoredBootstrap(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if n.clusterID, err = ResolveClusterID(cfg.DataDir, bootstrap, joinID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := n.resolveAddress(bootstrap); err != nil {
		return nil, err
	}
	cfg = n.cfg
	if err := n.listen(); err != nil {
		return nil, err
	}
	spool := filepath.Join(cfg.DataDir, spoolDir)
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return nil, fmt.Errorf("%w: spool directory: %w", ErrConfig, err)
	}
	smOpts := statemachine.Options{Logger: cfg.Logger, TestSleepFunc: cfg.TestSleepFunc}
	if join != nil {
		smOpts.NewDatabaseRules = join.initialRules
	}
	if n.state, err = statemachine.Open(filepath.Join(cfg.DataDir, stateDir), smOpts); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := n.recordFormat(format, existed); err != nil {
		return nil, err
	}
	if err := restrictPermissions(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("%w: data directory %s: %w", ErrConfig, cfg.DataDir, err)
	}
	if cfg.ForceNewCluster {
		if err := n.forceNewCluster(existed); err != nil {
			return nil, err
		}
	}
	if n.transport, err = transport.New(transport.Config{
		ID: cfg.ID, ClusterID: n.clusterID, SnapshotDir: spool, DialOptions: cfg.DialOptions, Logger: cfg.Logger,
	}); err != nil {
		return nil, err
	}
	var tr raft.Transport = n.transport
	if join != nil {
		seed := join.members
		seed.Members = append(seed.Members, raft.Member{ID: cfg.ID, Addr: cfg.Advertise, Learner: true})
		tr = seededTransport{Transport: n.transport, seed: seed}
	}
	if n.raft, err = raft.StartNode(raft.NodeConfig{
		ID: cfg.ID, Bootstrap: bootstrap, Storage: n.store, StateMachine: n.state, Transport: tr,
		TickInterval: cfg.TickInterval, HeartbeatTicks: cfg.HeartbeatTicks, ElectionTicks: cfg.ElectionTicks,
		LeaseRead: !cfg.DisableLeases, SnapshotEntries: cfg.SnapshotEntries, SnapshotSpool: snap.TempSpool{Dir: spool}, Logger: cfg.Logger,
		Observer: n.metrics.Observer(),
	}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	n.transport.SetHandler(n.raft)
	if n.service, err = service.New(service.Config{
		Node: n.raft, State: n.state, ClusterID: n.clusterID, Addr: cfg.Advertise,
		LeaderWait: cfg.LeaderWait, ReadTimeout: cfg.ReadTimeout, StreamIdleLimit: cfg.StreamIdleLimit, QueryTimeout: cfg.QueryTimeout,
		DialOptions: n.serviceDialOptions(), Logger: cfg.Logger,
	}); err != nil {
		return nil, err
	}
	n.serve()
	if err := n.serveMetrics(); err != nil {
		return nil, err
	}
	n.startRulesUpgrade()
	n.log.Info("node started", "id", uint64(cfg.ID), "listen", n.lis.Addr().String(), "cluster", fmt.Sprintf("%016x", n.clusterID), "data", cfg.DataDir)
	if join != nil {
		if err := n.join(ctx); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// undoFailedStart releases what a failed Start opened and, for a
// directory that held no node's data, removes what Start wrote there;
// unless the Raft node had started (it may have voted or acknowledged
// entries: that must stay durable) or another process holds the
// directory.
func (n *Node) undoFailedStart(r dirRollback, cause error) {
	n.close()
	if n.raft != nil || errors.Is(cause, wal.ErrLocked) {
		return
	}
	if err := r.undo(); err != nil {
		n.log.Error("failed start", "err", err)
	}
}

// listen binds the node's gRPC port, unless Config.Listener gave one.
func (n *Node) listen() error {
	if n.lis != nil {
		return nil
	}
	lis, err := net.Listen("tcp", n.cfg.Listen)
	if err != nil {
		return fmt.Errorf("%w: listen on %s: %w", ErrConfig, n.cfg.Listen, err)
	}
	n.lis = lis
	return nil
}

// recordFormat writes DataFormat into the data directory once the stores
// are open (opening them upgraded a directory of an older format, found,
// when it existed).
func (n *Node) recordFormat(found int, existed bool) error {
	if found == DataFormat {
		return nil
	}
	if err := writeFormat(n.cfg.DataDir); err != nil {
		return fmt.Errorf("%w: data directory %s: %w", ErrConfig, n.cfg.DataDir, err)
	}
	if existed {
		n.log.Info("data directory upgraded", "data", n.cfg.DataDir, "from", found, "to", DataFormat)
	}
	return nil
}

// resolveAddress finds this node's address in the stored configuration
// when neither the peer list nor the listen address gave one.
func (n *Node) resolveAddress(bootstrap []raft.Member) error {
	if n.cfg.Advertise != "" {
		return nil
	}
	for _, m := range bootstrap {
		if m.ID == n.cfg.ID {
			n.cfg.Advertise, n.cfg.Listen = m.Addr, m.Addr
			return nil
		}
	}
	_, conf, err := n.store.InitialState()
	if err != nil {
		return fmt.Errorf("%w: read stored configuration: %w", ErrConfig, err)
	}
	if m, ok := conf.Member(n.cfg.ID); ok && m.Addr != "" {
		n.cfg.Advertise, n.cfg.Listen = m.Addr, m.Addr
		return nil
	}
	return fmt.Errorf("%w: node %d has no address: give it in the peer list or as the listen address", ErrConfig, n.cfg.ID)
}

// serve starts the gRPC server with the Raft and ReSqlite services,
// health checking and reflection.
func (n *Node) serve() {
	opts := append(transport.ServerOptions(), grpc.MaxRecvMsgSize(sqlval.MaxMessageSize), grpc.MaxSendMsgSize(sqlval.MaxMessageSize),
		grpc.ChainUnaryInterceptor(service.UnaryInterceptor, n.metrics.UnaryInterceptor, n.guard.Unary),
		grpc.ChainStreamInterceptor(service.StreamInterceptor, n.metrics.StreamInterceptor, n.guard.Stream))
	opts = append(opts, n.securityServerOptions()...)
	n.grpc = grpc.NewServer(opts...)
	n.transport.Register(n.grpc)
	n.service.Register(n.grpc)
	n.health = health.NewServer()
	healthpb.RegisterHealthServer(n.grpc, n.health)
	for _, name := range []string{"", "resqlite.v1.ReSqlite", "resqlite.raft.v1.Raft"} {
		n.health.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	reflection.Register(n.grpc)
	go func() {
		defer close(n.served)
		if err := n.grpc.Serve(n.lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			n.log.Error("gRPC server stopped", "err", err)
		}
	}()
}

// serviceDialOptions are the client service's dial options: the
// configured ones, the guard's for forwarding and the metrics' count of
// forwarded writes.
func (n *Node) serviceDialOptions() []grpc.DialOption {
	return append(append(slices.Clone(n.cfg.DialOptions), n.guard.ForwardDialOptions()...),
		grpc.WithChainUnaryInterceptor(n.metrics.ClientUnaryInterceptor),
		grpc.WithChainStreamInterceptor(n.metrics.ClientStreamInterceptor))
}

// Addr returns the address the node listens on.
func (n *Node) Addr() string { return n.lis.Addr().String() }

// ClusterID returns the id of the node's cluster.
func (n *Node) ClusterID() uint64 { return n.clusterID }

// Raft returns the node's Raft driver.
func (n *Node) Raft() *raft.Node { return n.raft }

// Done is closed when the Raft node stopped (Stop, or a fatal error that
// Err reports).
func (n *Node) Done() <-chan struct{} { return n.raft.Done() }

// Err returns the fatal error that stopped the Raft node, if any.
func (n *Node) Err() error { return n.raft.Err() }

// gracePeriod is how long Stop lets running calls finish.
const gracePeriod = time.Second

// Stop shuts the node down: a leader first hands leadership to the most
// up-to-date voter (up to handoffTimeout), then running client calls get
// a grace period, then the server, the Raft node, the transport, the
// state machine and the log are closed in that order.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		n.handOffLeadership()
		n.stopErr = n.close()
	})
	return n.stopErr
}

// close releases whatever Start opened.
func (n *Node) close() error {
	var errs []error
	errs = append(errs, n.closeMetrics())
	n.stopRulesUpgrade()
	if n.grpc != nil {
		n.health.Shutdown()
		stopped := make(chan struct{})
		go func() { n.grpc.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(gracePeriod):
			n.grpc.Stop()
			<-stopped
		}
		<-n.served
	} else if n.lis != nil {
		n.lis.Close()
	}
	if n.service != nil {
		n.service.Close()
	}
	if n.raft != nil {
		n.raft.Stop()
	}
	if n.transport != nil {
		n.transport.Close()
	}
	if n.state != nil {
		errs = append(errs, n.state.Close())
	}
	if n.store != nil {
		errs = append(errs, n.store.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cluster: stop node %d: %w", n.cfg.ID, err)
	}
	return nil
}
