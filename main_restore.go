package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/resqlite/resqlite/repl/remote"
	"github.com/resqlite/resqlite/rpc/client"
	"github.com/resqlite/resqlite/statemachine"
)

// restoreSubcommand is `resqlite restore -connect host:port FILE`.
func restoreSubcommand() subcommand {
	c := subcommand{name: "restore", summary: "replace the cluster's database with a plain SQLite FILE (resqlite restore -connect host:port FILE)"}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flag.NewFlagSet("restore", flag.ContinueOnError)
		connect := fs.String("connect", "", "restore through the member at `host:port`")
		sec := registerClientSecurity(fs)
		valued := map[string]bool{"connect": true}
		for _, name := range clientValueFlags() {
			valued[name] = true
		}
		flags, files := splitPositional(args, valued)
		if code, done := parseSubcommandFlags(c, fs, flags, stdout, stderr); done {
			return code
		}
		if len(files) > 1 {
			fmt.Fprintf(stderr, "resqlite restore: one FILE, not %d (%s)\n", len(files), strings.Join(files, " "))
			return 2
		}
		file := ""
		if len(files) == 1 {
			file = files[0]
		}
		if *connect == "" || file == "" {
			fmt.Fprintln(stderr, "resqlite restore: give -connect host:port and the SQLite FILE (resqlite restore -h lists the flags)")
			return 2
		}
		opts, err := sec.clientOptions(os.Stdin, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "resqlite restore: %v\n", err)
			return 2
		}
		return runRestore(*connect, file, opts, stdout, stderr)
	}
	return c
}

// runRestore checks file, sends it to the cluster and returns the exit
// code: 1 when the file is refused (then nothing changed) or the restore
// failed.
func runRestore(addr, file string, opts client.Options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "resqlite restore: %v\n", err)
		return 1
	}
	if err := statemachine.ValidateDatabase(file); err != nil {
		return fail(fmt.Errorf("%w; nothing was sent, nothing changed", err))
	}
	size, sum, err := fileSum(file)
	if err != nil {
		return fail(err)
	}
	f, err := os.Open(file)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := remote.Dial(ctx, addr, opts)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	bar := terminalProgress(stderr)
	index, err := c.RPC().Restore(ctx, f, size, sum, func(done, total int64) {
		bar(fmt.Sprintf("%s: %.1f of %.1f MiB sent", file, float64(done)/(1<<20), float64(total)/(1<<20)))
	})
	bar("")
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "restored %s (%d bytes) into the cluster of %s %s\n", file, size, addr, restoredAt(index))
	return 0
}

// fileSum returns the size and SHA-256 of the file at path.
func fileSum(path string) (int64, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return 0, sum, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, sum, fmt.Errorf("read %s: %w", path, err)
	}
	copy(sum[:], h.Sum(nil))
	return n, sum, nil
}

// restoredAt says where a restore applied: its log index, or that the
// answer to its finishing entry was lost (index 0) while the cluster
// shows it applied.
func restoredAt(index uint64) string {
	if index == 0 {
		return "(the answer to its finishing entry was lost; the cluster shows it applied)"
	}
	return fmt.Sprintf("at log index %d", index)
}

// splitPositional separates a subcommand's positional arguments from its
// flags, wherever they stand; valued names the flags that take a value
// in the next argument (unless written -flag=value).
func splitPositional(args []string, valued map[string]bool) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch name := strings.TrimLeft(a, "-"); {
		case a == "--":
			return flags, append(positional, args[i+1:]...)
		case !strings.HasPrefix(a, "-") || a == "-":
			positional = append(positional, a)
		case valued[name] && i+1 < len(args):
			flags = append(flags, a, args[i+1])
			i++
		default:
			flags = append(flags, a)
		}
	}
	return flags, positional
}
