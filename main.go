// Command resqlite runs one node of a ReSqlite cluster: SQLite replicated
// by Raft. With -serve it runs the node headless until SIGINT or SIGTERM.
//
// Flags:
//
//	-id N            this node's id (default 1)
//	-peers LIST      the founding members, id=host:port,... this node
//	                 included (default 1=127.0.0.1:50040); once the data
//	                 directory belongs to a cluster the stored configuration
//	                 wins, and a list that disagrees with it is an error
//	-data DIR        the data directory (default resqlite-data/node-<id>)
//	-serve           run the node until SIGINT/SIGTERM
//	-join host:port  start a new, empty node and ask the cluster, through
//	                 that member, to add it; its own address is -listen
//	                 (or its entry in -peers, if given)
//	-listen ADDR     the address to listen on and be reached at (default:
//	                 this node's entry in -peers, or the stored one)
//	-leases          leader leases for lease reads (default true; they
//	                 need a bounded clock drift between nodes):
//	                 -leases=false turns them off, and then lease reads
//	                 are linearizable reads; linearizable reads always
//	                 confirm leadership with a heartbeat round
//	-log-level L     debug, info, warn or error (default error): logs go
//	                 to stderr as structured text
//	-metrics-addr A  serve /metrics (Prometheus text format) and
//	                 /debug/pprof/ over HTTP on host:port (default off)
//	-force-new-cluster
//	                 disaster recovery after a majority is lost for good:
//	                 restart this node from its data as the only member
//	                 of its cluster (a warning says so on stderr); new
//	                 members then join it
//
// Security flags (main_security.go; README "Secure cluster"):
//
//	-cert FILE -key FILE   this node's certificate and key (with -connect:
//	                       the client certificate); TLS on the port and
//	                       mutual TLS to the peers
//	-peer-ca FILE          the CA of the peers' certificates (with -cert)
//	-client-ca FILE        require client certificates of this CA
//	-auth FILE             users and permissions (resqlite passwd)
//	-auth-plaintext        passwords over plaintext connections
//	-max-sessions N, -max-inflight N, -query-timeout D   limits
//	-tls, -ca FILE, -user NAME   how -connect reaches a secure node
//
// SIGHUP reloads the certificates and the auth file.
//
// REPL flags (main_repl.go; without -serve the program is a REPL on its
// own node, reached over loopback gRPC like any other node):
//
//	-connect ADDR    no local node: the REPL talks to the cluster through
//	                 the node at host:port (cannot connect: exit 1)
//	-batch FILE      run FILE's SQL and dot-commands, then exit (with
//	                 -serve: then keep serving); without it, a prompt when
//	                 stdin is a terminal, else stdin is run as a batch
//	-interactive     the prompt follows -batch FILE
//	-mode MODE       initial output mode (default table)
//	-consistency L   initial read consistency: linearizable (default),
//	                 lease or local
//
// With a prompt (not in a batch run), one line on stderr first says where
// the data lives, whether it was created or reopened, and the address the
// node listens on.
//
// A first argument that is not a flag names a subcommand (main_subcommand.go);
// any other positional argument is an error that says what to do instead.
// -h prints the usage, the flags grouped (node, client, output).
//
// A REPL or batch run exits 0 when every statement succeeded and 1 when
// any failed or a write's outcome is unknown.
//
// Bad flags, a data directory that is in use or unusable, and a -peers
// that disagrees with the stored configuration exit with status 2 after a
// one-line error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/statemachine"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the program on its arguments and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if code, ok := dispatch(subcommands(), args, stdout, stderr); ok {
		return code
	}
	f, err := parseFlags(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		fmt.Fprintf(stderr, "resqlite: -log-level %q: use debug, info, warn or error\n", f.logLevel)
		return 2
	}
	if f.repl.connect != "" {
		if f.serve || f.join != "" || f.boot != "" {
			fmt.Fprintln(stderr, "resqlite: -connect runs no node: it cannot go with -serve, -join or -boot")
			return 2
		}
		return runConnect(f, stderr)
	}
	prog, err := f.repl.program()
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 2
	}
	cfg := node.Config{
		ID: raft.NodeID(f.id), DataDir: f.data, Listen: f.listen, Join: f.join, DisableLeases: !f.leases,
		MetricsAddr: f.metrics, ForceNewCluster: f.forceNew,
		TestSleepFunc: os.Getenv(statemachine.TestSleepFuncEnv) == "1",
		Logger:        slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if err := f.sec.nodeSecurity(&cfg, cfg.Logger); err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 2
	}
	// Without -peers, a node with data takes its members from its data.
	if f.set["peers"] || (!node.HasData(f.data) && f.join == "") {
		if cfg.Peers, err = node.ParsePeers(f.peers); err != nil {
			fmt.Fprintf(stderr, "resqlite: -peers: %v\n", err)
			return 2
		}
	}
	if f.boot != "" {
		if err := checkBoot(f, cfg); err != nil {
			fmt.Fprintf(stderr, "resqlite: %v\n", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	existed := node.HasData(f.data)
	if f.forceNew {
		fmt.Fprintln(stderr, "resqlite: WARNING: -force-new-cluster: this node restarts as the ONLY member of its cluster, with every entry of its log committed; never run the other members again with their old data")
	}
	n, err := node.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		if errors.Is(err, node.ErrConfig) {
			return 2
		}
		return 1
	}
	local, err := f.sec.localClientOptions(cfg, os.Stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		n.Stop()
		return 2
	}
	if f.boot != "" {
		if err := bootFrom(ctx, n, f.boot, local, stderr); err != nil {
			fmt.Fprintf(stderr, "resqlite: %v\n", err)
			n.Stop()
			return 1
		}
	}
	if showsPrompt(f, prog) {
		fmt.Fprintln(stderr, startupLine(n, f.data, existed))
	}
	if code, exit := replOnNode(n, f, prog, local, stderr); exit {
		return code
	}
	return serveUntilDone(ctx, n, cfg, f.sec.auth, stderr)
}

// serveUntilDone serves until SIGINT/SIGTERM (exit 0) or the node stops
// on its own (exit 1); SIGHUP reloads the certificates and auth file.
func serveUntilDone(ctx context.Context, n *node.Node, cfg node.Config, authPath string, stderr io.Writer) int {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-hup:
			reload(n, cfg, authPath, cfg.Logger)
			continue
		case <-ctx.Done():
			if err := n.Stop(); err != nil {
				fmt.Fprintf(stderr, "resqlite: %v\n", err)
				return 1
			}
			return 0
		case <-n.Done():
			fmt.Fprintf(stderr, "resqlite: node stopped: %v\n", n.Err())
			n.Stop()
			return 1
		}
	}
}
