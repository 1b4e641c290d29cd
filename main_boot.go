package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/resqlite/resqlite/repl/remote"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/rpc/node"
	"github.com/resqlite/resqlite/statemachine"
)

// checkBoot checks, before any node starts, that -boot FILE can make a
// new single-node cluster: no -join, one founding member, a data
// directory that holds no node yet, and a file a restore takes.
func checkBoot(f *nodeFlags, cfg node.Config) error {
	switch {
	case f.join != "":
		return fmt.Errorf("-boot starts a new cluster: it cannot go with -join (the other nodes -join the booted one)")
	case len(cfg.Peers) != 1:
		return fmt.Errorf("-boot starts a single-node cluster: -peers must name this node only (the other nodes -join it)")
	case node.HasData(f.data):
		return fmt.Errorf("-boot: the data directory %s already holds a node; -boot only starts a new one (remove the directory to boot again)", f.data)
	}
	if err := statemachine.ValidateDatabase(f.boot); err != nil {
		return fmt.Errorf("-boot: %w", err)
	}
	return nil
}

// bootFrom restores file into the new single node n, reached with opts
// (localClientOptions), through its own log
// (as `resqlite restore` would), so that nodes that join later receive it
// like any other state.
func bootFrom(ctx context.Context, n *node.Node, file string, opts client.Options, stderr io.Writer) error {
	size, sum, err := fileSum(file)
	if err != nil {
		return fmt.Errorf("-boot: %w", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("-boot: %w", err)
	}
	defer f.Close()
	c, err := remote.Dial(ctx, n.Addr(), opts)
	if err != nil {
		return fmt.Errorf("-boot: %w", err)
	}
	defer c.Close()
	bar := terminalProgress(stderr)
	index, err := c.RPC().Restore(ctx, f, size, sum, func(done, total int64) {
		bar(fmt.Sprintf("booting from %s: %.1f of %.1f MiB", file, float64(done)/(1<<20), float64(total)/(1<<20)))
	})
	bar("")
	if err != nil {
		return fmt.Errorf("-boot %s: %w", file, err)
	}
	fmt.Fprintf(stderr, "resqlite: node %d booted from %s (%d bytes) %s\n", n.Raft().ID(), file, size, restoredAt(index))
	return nil
}
