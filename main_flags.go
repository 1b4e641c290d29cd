package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// defaultPeers is the single node a bare `resqlite` runs: a port of its
// own, away from scripts/cluster.sh's 50051-50053.
const defaultPeers = "1=127.0.0.1:50040"

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
	metrics  string
	forceNew bool
	boot     string
	set      map[string]bool
	repl     replFlags
	sec      secFlags
}

// newFlagSet defines every flag of the program into f.
func newFlagSet(f *nodeFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("resqlite", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Uint64Var(&f.id, "id", 1, "this node's `id`")
	fs.StringVar(&f.peers, "peers", defaultPeers, "the founding members, this node included, as `id=host:port,...`; once the data directory belongs to a cluster the stored configuration wins")
	fs.StringVar(&f.data, "data", "", "the data `directory` (default resqlite-data/node-<id>)")
	fs.BoolVar(&f.serve, "serve", false, "run the node headless until SIGINT/SIGTERM")
	fs.StringVar(&f.join, "join", "", "start a new, empty node and join the cluster through the member at `host:port`")
	fs.StringVar(&f.listen, "listen", "", "the `host:port` to listen on and be reached at (default: this node's -peers entry)")
	fs.BoolVar(&f.leases, "leases", true, "answer lease reads from the leader's lease (-leases=false: lease reads are linearizable)")
	fs.StringVar(&f.logLevel, "log-level", "error", "log `level`: debug, info, warn or error (structured logs on stderr)")
	fs.BoolVar(&f.forceNew, "force-new-cluster", false, "disaster recovery: restart this node from its data as the only member of its cluster (the lost members must never run again)")
	fs.StringVar(&f.metrics, "metrics-addr", "", "serve /metrics (Prometheus) and /debug/pprof/ over HTTP on `host:port` (default: off)")
	fs.StringVar(&f.boot, "boot", "", "start a new single-node cluster whose database is the SQLite `FILE` (checked as restore checks it); other nodes -join it")
	f.repl.register(fs)
	f.sec.register(fs)
	return fs
}

// flagGroups are the sections of the usage message, each with its flags
// in the order shown; every flag is in exactly one.
func flagGroups() []struct{ title, names string } {
	return []struct{ title, names string }{
		{"Node flags (the node this process runs)", "id peers data serve join listen leases log-level boot metrics-addr force-new-cluster"},
		{"Security flags (README: Secure cluster)", "cert key peer-ca client-ca auth auth-plaintext max-sessions max-inflight query-timeout stream-idle-limit"},
		{"Client flags (the prompt or batch, and how it reaches the cluster)", "connect batch interactive consistency timeout tls ca user"},
		{"Output flags", "mode"},
	}
}

// usage writes the -h message: usage lines, what the program is, the
// flags by group, and the subcommands.
func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: resqlite [flags]
       resqlite SUBCOMMAND [flags]

ReSqlite is SQLite replicated by Raft: this program runs one node of a
cluster with a sqlite3-style prompt on it, or (with -connect) a prompt on a
running cluster.
`)
	for _, g := range flagGroups() {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, name := range strings.Fields(g.names) {
			printFlag(w, fs.Lookup(name))
		}
	}
	fmt.Fprintf(w, "\nSubcommands: %s.\n", subcommandList(subcommands()))
}

// printFlag writes one flag as flag.PrintDefaults does.
func printFlag(w io.Writer, fl *flag.Flag) {
	name, text := flag.UnquoteUsage(fl)
	line := "  -" + fl.Name
	if name != "" {
		line += " " + name
	}
	fmt.Fprintf(w, "%s\n    \t%s", line, text)
	switch fl.DefValue {
	case "", "false", "0":
	default:
		fmt.Fprintf(w, " (default %s)", fl.DefValue)
	}
	fmt.Fprintln(w)
}

// parseFlags parses the node's and the REPL's flags. -h writes the usage
// message to stdout and returns flag.ErrHelp.
func parseFlags(args []string, stdout io.Writer) (*nodeFlags, error) {
	f := &nodeFlags{set: map[string]bool{}}
	fs := newFlagSet(f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, fs)
			return nil, err
		}
		return nil, fmt.Errorf("%w (resqlite -h lists the flags)", err)
	}
	if fs.NArg() > 0 {
		return nil, positionalError(fs.Arg(0), true)
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	if f.id == 0 {
		return nil, fmt.Errorf("-id must be a positive integer")
	}
	if f.data == "" {
		f.data = filepath.Join("resqlite-data", "node-"+strconv.FormatUint(f.id, 10))
	}
	if err := dataFileError(f.data); err != nil {
		return nil, err
	}
	return f, nil
}
