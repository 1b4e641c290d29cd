package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// node is one resqlite -serve process.
type node struct {
	id   int
	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process exited
}

// cluster is a set of resqlite node processes on loopback ports, each
// with its own data directory under dir.
type cluster struct {
	name  string
	bin   string
	dir   string
	nodes []*node
	log   *slog.Logger
}

// freeAddr returns a loopback address with a port that was free a
// moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startCluster starts n nodes and waits until they have a leader. On
// error it stops what it started.
func startCluster(ctx context.Context, log *slog.Logger, name, bin, dir string, n int) (*cluster, error) {
	c := &cluster{name: name, bin: bin, dir: dir, log: log}
	var peers []string
	for id := 1; id <= n; id++ {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, &node{id: id, addr: addr})
		peers = append(peers, fmt.Sprintf("%d=%s", id, addr))
	}
	for _, nd := range c.nodes {
		if err := c.launch(nd, strings.Join(peers, ",")); err != nil {
			c.stop()
			return nil, err
		}
	}
	for _, nd := range c.nodes {
		// Every node, not just one, must know the leader.
		if _, err := c.leaderFrom(ctx, []*node{nd}, 60*time.Second); err != nil {
			c.stop()
			return nil, err
		}
	}
	return c, nil
}

// launch starts one node; its stderr goes to a log file in its directory.
func (c *cluster) launch(nd *node, peers string) error {
	data := filepath.Join(c.dir, fmt.Sprintf("node-%d", nd.id))
	if err := os.MkdirAll(data, 0o755); err != nil {
		return fmt.Errorf("start %s node %d: %w", c.name, nd.id, err)
	}
	logf, err := os.Create(data + ".log")
	if err != nil {
		return fmt.Errorf("start %s node %d: %w", c.name, nd.id, err)
	}
	defer logf.Close()
	nd.cmd = exec.Command(c.bin, "-serve", "-id", fmt.Sprint(nd.id), "-peers", peers,
		"-data", data, "-log-level", "warn")
	nd.cmd.Stdout, nd.cmd.Stderr = logf, logf
	// The kernel kills the node if this program dies without stopping it.
	nd.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := nd.cmd.Start(); err != nil {
		return fmt.Errorf("start %s node %d: %w", c.name, nd.id, err)
	}
	nd.done = make(chan struct{})
	go func() { nd.cmd.Wait(); close(nd.done) }()
	c.log.Debug("node started", "cluster", c.name, "id", nd.id, "addr", nd.addr, "pid", nd.cmd.Process.Pid)
	return nil
}

// leader waits up to timeout until a node names a leader that is one of
// the cluster's nodes, and returns it.
func (c *cluster) leader(ctx context.Context, timeout time.Duration) (*node, error) {
	return c.leaderFrom(ctx, c.nodes, timeout)
}

// leaderFrom is leader asking only the nodes in ask.
func (c *cluster) leaderFrom(ctx context.Context, ask []*node, timeout time.Duration) (*node, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		for _, nd := range ask {
			l, err := c.askLeader(ctx, nd)
			if err == nil {
				return l, nil
			}
			last = err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: no leader within %v: %w", c.name, timeout, errors.Join(ctx.Err(), last))
		case <-tick.C:
		}
	}
}

// askLeader asks nd which node leads.
func (c *cluster) askLeader(ctx context.Context, nd *node) (*node, error) {
	select {
	case <-nd.done:
		return nil, fmt.Errorf("node %d exited (see %s)", nd.id, filepath.Join(c.dir, fmt.Sprintf("node-%d.log", nd.id)))
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, nd.addr, client.Options{ConnectTimeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("node %d: %w", nd.id, err)
	}
	defer cl.Close()
	st, err := cl.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("node %d: %w", nd.id, err)
	}
	for _, l := range c.nodes {
		if uint64(l.id) == st.GetLeaderId() {
			return l, nil
		}
	}
	return nil, fmt.Errorf("node %d knows no leader yet", nd.id)
}

// follower returns a node other than the leader l (l itself for one node).
func (c *cluster) follower(l *node) *node {
	for _, nd := range c.nodes {
		if nd != l {
			return nd
		}
	}
	return l
}

// pids returns the node processes' ids.
func (c *cluster) pids() []int {
	var out []int
	for _, nd := range c.nodes {
		out = append(out, nd.cmd.Process.Pid)
	}
	return out
}

// stop sends SIGTERM to every node, waits up to 10 s for each, then
// kills what is left.
func (c *cluster) stop() {
	for _, nd := range c.nodes {
		if nd.cmd != nil && nd.cmd.Process != nil {
			nd.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, nd := range c.nodes {
		if nd.done == nil {
			continue
		}
		select {
		case <-nd.done:
		case <-ctx.Done():
			nd.cmd.Process.Kill()
			<-nd.done
		}
	}
}
