package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/chzyer/readline"
	"github.com/resqlite/resqlite/repl"
	"github.com/resqlite/resqlite/repl/remote"
	"github.com/resqlite/resqlite/rpc/client"
)

// backupSubcommand is `resqlite backup -connect host:port -out FILE`.
func backupSubcommand() subcommand {
	c := subcommand{name: "backup", summary: "write the cluster's database to a plain SQLite file"}
	c.run = func(args []string, stdout, stderr io.Writer) int {
		fs := flag.NewFlagSet("backup", flag.ContinueOnError)
		connect := fs.String("connect", "", "take the backup from the member at `host:port`")
		out := fs.String("out", "", "write the SQLite file to `FILE` (replaced once complete)")
		sec := registerClientSecurity(fs)
		if code, done := parseSubcommandFlags(c, fs, args, stdout, stderr); done {
			return code
		}
		if *connect == "" || *out == "" {
			fmt.Fprintln(stderr, "resqlite backup: give -connect host:port and -out FILE (resqlite backup -h lists the flags)")
			return 2
		}
		opts, err := sec.clientOptions(os.Stdin, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "resqlite backup: %v\n", err)
			return 2
		}
		return runBackup(*connect, *out, opts, stdout, stderr)
	}
	return c
}

// runBackup takes the backup into out and returns the exit code.
func runBackup(addr, out string, opts client.Options, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := remote.Dial(ctx, addr, opts)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite backup: %v\n", err)
		return 1
	}
	defer c.Close()
	bar := terminalProgress(stderr)
	index, err := repl.BackupToFile(ctx, c, out, func(done, total int64) { bar(repl.BackupProgress(out, done, total)) })
	bar("")
	if err != nil {
		fmt.Fprintf(stderr, "resqlite backup: %v\n", err)
		return 1
	}
	st, err := os.Stat(out)
	if err != nil {
		fmt.Fprintf(stderr, "resqlite backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup of %s at applied index %d: %d bytes written to %s\n", addr, index, st.Size(), out)
	return 0
}

// terminalProgress returns a function that shows a line of progress on w
// when w is a terminal (an empty line erases it), and does nothing
// otherwise.
func terminalProgress(w io.Writer) func(line string) {
	f, ok := w.(*os.File)
	if !ok || !readline.IsTerminal(int(f.Fd())) {
		return func(string) {}
	}
	return func(line string) { fmt.Fprintf(f, "\r%s\x1b[K", line) }
}
