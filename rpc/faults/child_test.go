package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/rpc/rpctest"
	"google.golang.org/grpc"
)

// childEnv carries a child process's childSpec, as JSON.
const childEnv = "RESQLITE_FAULTS_NODE"

// childSpec is one node process: a real node (node.Start) listening on
// Listen, a loopback address of its own IP, known to its peers by its
// proxy's address (Peers), dialing them from SourceIP so that their
// proxies can tell who sends.
type childSpec struct {
	ID       raft.NodeID   `json:"id"`
	Listen   string        `json:"listen"`
	Peers    []raft.Member `json:"peers"`
	DataDir  string        `json:"data_dir"`
	SourceIP string        `json:"source_ip"`
}

// runChildIfRequested runs the node the parent test asked for, when this
// process is such a child, and exits; otherwise it returns at once.
func runChildIfRequested() {
	raw := os.Getenv(childEnv)
	if raw == "" {
		return
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintf(os.Stderr, "faults child: bad %s: %v\n", childEnv, err)
		os.Exit(2)
	}
	if err := runChild(spec); err != nil {
		fmt.Fprintf(os.Stderr, "faults child %d: %v\n", spec.ID, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runChild runs spec's node until SIGTERM or SIGINT, then stops it.
func runChild(spec childSpec) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lis, err := rpctest.Listen(spec.Listen, 10*time.Second)
	if err != nil {
		return err
	}
	n, err := node.Start(context.Background(), node.Config{
		ID: spec.ID, Peers: spec.Peers, DataDir: spec.DataDir, Listener: lis, Logger: logger,
		DialOptions: []grpc.DialOption{grpc.WithContextDialer(sourceDialer(spec.SourceIP))},
	})
	if err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		return n.Stop()
	case <-n.Done():
		n.Stop()
		return fmt.Errorf("node stopped: %w", n.Err())
	}
}

// sourceDialer dials from ip (any port), so that the proxy in front of
// the peer knows which node the connection comes from.
func sourceDialer(ip string) func(context.Context, string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return func(ctx context.Context, addr string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", addr)
	}
}
