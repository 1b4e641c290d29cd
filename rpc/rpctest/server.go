package rpctest

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/raft/snap"
	"github.com/resqlite/resqlite/rpc/transport"
	"google.golang.org/grpc"
)

// Server is one running node: its raft.Node, the gRPC server and transport
// it talks through, and its state machine and store.
type Server struct {
	ID        raft.NodeID
	Addr      string
	Node      *raft.Node
	Transport *transport.Transport
	Machine   *Machine
	Store     raft.LogStore
	grpc      *grpc.Server
	served    chan struct{}
}

// ServerConfig is what StartServer needs.
type ServerConfig struct {
	ID        raft.NodeID
	ClusterID uint64
	// Bootstrap is the founding member list, or nil for a node that
	// joins (or restarts: the stored configuration wins).
	Bootstrap []raft.Member
	Listener  net.Listener
	Store     raft.LogStore
	Machine   *Machine
	// SnapshotDir spools snapshots in flight (default os.TempDir()).
	SnapshotDir string
	// Peers are members the transport can reach before the node has a
	// configuration of its own (a joining node); ignored otherwise.
	Peers []raft.Member
	// Tweak adjusts the node's configuration before it starts.
	Tweak  func(*raft.NodeConfig)
	Logger *slog.Logger
}

// StartServer serves the Raft service on cfg.Listener and starts the node.
func StartServer(cfg ServerConfig) (*Server, error) {
	tr, err := transport.New(transport.Config{ID: cfg.ID, ClusterID: cfg.ClusterID, SnapshotDir: cfg.SnapshotDir, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	tr.SetMembers(raft.Configuration{Members: cfg.Peers})
	ncfg := raft.NodeConfig{
		ID: cfg.ID, Bootstrap: cfg.Bootstrap, Storage: cfg.Store, StateMachine: cfg.Machine,
		Transport: tr, SnapshotSpool: snap.TempSpool{Dir: cfg.SnapshotDir}, Logger: cfg.Logger,
	}
	if cfg.Tweak != nil {
		cfg.Tweak(&ncfg)
	}
	srv := grpc.NewServer(transport.ServerOptions()...)
	tr.Register(srv)
	node, err := raft.StartNode(ncfg)
	if err != nil {
		tr.Close()
		return nil, fmt.Errorf("rpctest: start node %d: %w", cfg.ID, err)
	}
	tr.SetHandler(node)
	s := &Server{
		ID: cfg.ID, Addr: cfg.Listener.Addr().String(), Node: node, Transport: tr,
		Machine: cfg.Machine, Store: cfg.Store, grpc: srv, served: make(chan struct{}),
	}
	go func() {
		defer close(s.served)
		srv.Serve(cfg.Listener)
	}()
	return s, nil
}

// Stop shuts the node down cleanly: the gRPC server (so no message arrives
// at a stopped node), the node, then the transport. Store and machine stay
// open.
func (s *Server) Stop() {
	s.grpc.Stop()
	<-s.served
	s.Node.Stop()
	s.Transport.Close()
}
