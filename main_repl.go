package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/chzyer/readline"
	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/repl/remote"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
)

// replFlags are the flags of the program's REPL side.
type replFlags struct {
	connect     string
	batch       string
	interactive bool
	mode        string
	consistency string
	timeout     time.Duration
}

// register adds the REPL flags to fs.
func (r *replFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.connect, "connect", "", "run no node: the prompt talks to the cluster through the member at `host:port`")
	fs.StringVar(&r.batch, "batch", "", "run the SQL and dot-commands in `FILE`, then exit (without it, stdin that is not a terminal is run as a batch)")
	fs.BoolVar(&r.interactive, "interactive", false, "show the prompt after -batch FILE")
	fs.StringVar(&r.mode, "mode", "table", "initial output `mode`, as .mode: list, csv, line, json, table, box, column, markdown, quote or tabs")
	fs.StringVar(&r.consistency, "consistency", "linearizable", "initial read consistency `level`: linearizable, lease or local")
	fs.DurationVar(&r.timeout, "timeout", client.DefaultTimeout, "deadline of each statement (a Go `duration`): until then writes and reads wait out a leader change")
}

// program checks the REPL flags and returns the REPL's settings.
func (r *replFlags) program() (repl.Program, error) {
	mode, err := repl.ParseMode(r.mode)
	if err != nil {
		return repl.Program{}, fmt.Errorf("-mode: %v", err)
	}
	level, ok := repl.ParseConsistency(r.consistency)
	if !ok {
		return repl.Program{}, fmt.Errorf("-consistency %q: use linearizable, lease or local", r.consistency)
	}
	if r.timeout <= 0 {
		return repl.Program{}, fmt.Errorf("-timeout %v: give a positive duration such as 30s", r.timeout)
	}
	return repl.Program{
		BatchFile: r.batch, Interactive: r.interactive, Mode: mode, Consistency: level,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	}, nil
}

// prompts reports whether p shows a prompt (then Ctrl-C belongs to the
// prompt and must not end the program).
func prompts(p repl.Program) bool {
	if p.BatchFile != "" {
		return p.Interactive
	}
	f, ok := p.Stdin.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// showsPrompt reports whether a run with flags f and REPL settings p
// shows a prompt on its own node.
func showsPrompt(f *nodeFlags, p repl.Program) bool {
	if f.serve && f.repl.batch == "" {
		return false
	}
	return prompts(p)
}

// startupLine says where the node's data lives, whether this run created
// it, and the address the node listens on.
func startupLine(n *node.Node, dataDir string, existed bool) string {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		dir = dataDir
	}
	how := "created"
	if existed {
		how = "reopened"
	}
	return fmt.Sprintf("resqlite: node %d, data in %s (%s), listening on %s", n.Raft().ID(), dir, how, n.Addr())
}

// replContext is the context the REPL runs in: SIGTERM (and SIGHUP) end
// it; so does SIGINT in a batch run, while at the prompt Ctrl-C cancels
// the current input or query instead.
func replContext(p repl.Program) (context.Context, context.CancelFunc) {
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGHUP}
	if !prompts(p) {
		sigs = append(sigs, os.Interrupt)
	}
	return signal.NotifyContext(context.Background(), sigs...)
}

// runREPL runs the REPL against the node at addr (its own node, or the
// one -connect names) and returns the exit code: 1 when the node cannot
// be reached.
func runREPL(ctx context.Context, addr string, p repl.Program, opts client.Options, stderr io.Writer) int {
	c, err := remote.Dial(ctx, addr, opts)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 1
	}
	defer c.Close()
	waitLeader(ctx, c, leaderWait)
	return p.Run(ctx, c)
}

// leaderWait bounds how long the REPL waits, before its first statement,
// for the node to know a leader (a node just started is still electing).
const leaderWait = 10 * time.Second

// waitLeader waits until the node c talks to knows a leader, at most
// timeout. If none is known by then, the REPL starts anyway and its
// requests report what the node says.
func waitLeader(ctx context.Context, c *remote.Client, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if st, err := c.Status(ctx); err == nil && st.LeaderID != 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// runConnect is -connect: the REPL alone, no local node.
func runConnect(f *nodeFlags, stderr io.Writer) int {
	p, err := f.repl.program()
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 2
	}
	opts, err := f.sec.clientOptions(os.Stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 2
	}
	opts.Timeout = f.repl.timeout
	ctx, stop := replContext(p)
	defer stop()
	return runREPL(ctx, f.repl.connect, p, opts, stderr)
}

// replOnNode runs the REPL, if the flags ask for one, against the node
// this process started, over loopback gRPC through the same client
// package as -connect. Without -serve the program ends with the REPL
// (exit is true, code its exit code, the node stopped). With -serve and
// -batch the file runs (its errors reported as usual) and the node keeps
// serving (exit is false).
func replOnNode(n *node.Node, f *nodeFlags, p repl.Program, opts client.Options, stderr io.Writer) (code int, exit bool) {
	if f.serve && f.repl.batch == "" {
		return 0, false
	}
	ctx, stop := replContext(p)
	opts.Timeout = f.repl.timeout
	code = runREPL(ctx, n.Addr(), p, opts, stderr)
	stop()
	if f.serve {
		return code, false
	}
	if err := n.Stop(); err != nil {
		fmt.Fprintf(stderr, "resqlite: %v\n", err)
		return 1, true
	}
	return code, true
}
