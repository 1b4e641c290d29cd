// Command resqlite runs one node of a ReSqlite cluster: SQLite replicated
// by Raft. With -serve it runs the node headless until SIGINT or SIGTERM.
//
// Flags:
//
//	-id N            this node's id (default 1)
//	-peers LIST      the founding members, id=host:port,... this node
//	                 included (default 1=127.0.0.1:50050); once the data
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
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/resqlite/resqlite/raft"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/statemachine"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// nodeFlags are the flags of a node.
type nodeFlags struct {
	id       uint64
	peers    string
	data     string
	serve    bool
	join     string
	listen   string
	leases   bool
	logLevel string
	set      map[string]bool
	repl     replFlags
}

func parseFlags(args []string, stderr io.Writer) (*nodeFlags, error) {
	f := &nodeFlags{set: map[string]bool{}}
	fs := flag.NewFlagSet("resqlite", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Uint64Var(&f.id, "id", 1, "this node's id")
	fs.StringVar(&f.peers, "peers", "1=127.0.0.1:50050", "founding members id=host:port,...")
	fs.StringVar(&f.data, "data", "", "data directory (default resqlite-data/node-<id>)")
	fs.BoolVar(&f.serve, "serve", false, "run the node headless until SIGINT/SIGTERM")
	fs.StringVar(&f.join, "join", "", "join the cluster through the member at host:port")
	fs.StringVar(&f.listen, "listen", "", "address to listen on and be reached at")
	fs.BoolVar(&f.leases, "leases", true, "answer lease reads from the leader's lease (-leases=false: lease reads are linearizable)")
	fs.StringVar(&f.logLevel, "log-level", "error", "log level: debug, info, warn, error")
	f.repl.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if f.id == 0 {
		return nil, fmt.Errorf("-id must be a positive integer")
	}
	if f.data == "" {
		f.data = filepath.Join("resqlite-data", "node-"+strconv.FormatUint(f.id, 10))
	}
	return f, nil
}

func run(args []string, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
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
		if f.serve || f.join != "" {
			fmt.Fprintln(stderr, "resqlite: -connect runs no node: it cannot go with -serve or -join")
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
		TestSleepFunc: os.Getenv(statemachine.TestSleepFuncEnv) == "1",
		Logger:        slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	// Without -peers, a node with data takes its members from its data.
	if f.set["peers"] || (!node.HasData(f.data) && f.join == "") {
		if cfg.Peers, err = node.ParsePeers(f.peers); err != nil {
			fmt.Fprintf(stderr, "resqlite: -peers: %v\n", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := node.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		if errors.Is(err, node.ErrConfig) {
			return 2
		}
		return 1
	}
	if code, exit := replOnNode(n, f, prog, stderr); exit {
		return code
	}
	select {
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
