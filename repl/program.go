package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/chzyer/readline"
)

// Program is what the resqlite program's REPL side needs from its flags and
// process, so that main only parses flags and wires.
type Program struct {
	// BatchFile is -batch FILE: run it, then exit unless Interactive.
	BatchFile string
	// Interactive is -interactive: a prompt follows the batch file.
	Interactive bool
	// Mode and Consistency are -mode and -consistency.
	Mode        Mode
	Consistency Consistency
	// Stdin, Stdout and Stderr are the process's; Stdin that is not a
	// terminal is read as a batch when there is no BatchFile.
	Stdin  io.ReadCloser
	Stdout io.Writer
	Stderr io.Writer
	// HistoryFile is the prompt's history (DefaultHistoryFile if empty).
	HistoryFile string
}

// isTerminal reports whether v is an *os.File on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// Run runs the program's REPL against client: the batch file, the prompt,
// or standard input as a batch, as the sqlite3 CLI chooses. It returns the
// process exit code: N after ".exit N", else 0 when everything succeeded,
// 1 when anything failed (including a batch file that cannot be opened),
// with the reason on Stderr.
func (p Program) Run(ctx context.Context, client Client) int {
	opts := Options{Stdout: p.Stdout, Stderr: p.Stderr, Mode: p.Mode, Consistency: p.Consistency}
	if isTerminal(p.Stderr) {
		opts.Progress = p.Stderr
	}
	history := p.HistoryFile
	if history == "" {
		history = DefaultHistoryFile()
	}
	s := NewShell(client, opts)
	defer s.Close()
	term := Terminal{Stdin: p.Stdin, Stdout: p.Stdout, Stderr: p.Stderr, HistoryFile: history}

	var err error
	var exit *ExitError
	switch {
	case p.BatchFile != "":
		err = s.runFile(ctx, p.BatchFile)
		if p.Interactive && !errors.As(err, &exit) {
			err = errors.Join(err, s.Interact(ctx, term))
		}
	case isTerminal(p.Stdin):
		err = s.Interact(ctx, term)
	default:
		err = s.RunBatch(ctx, p.Stdin)
	}
	if err == nil {
		return 0
	}
	if errors.As(err, &exit) {
		return exit.Status()
	}
	if !errors.Is(err, ErrStatementsFailed) {
		fmt.Fprintf(p.Stderr, "Error: %v\n", err)
	}
	return 1
}

// runFile runs a batch file.
func (s *Shell) runFile(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open \"%s\": %w", path, err)
	}
	defer f.Close()
	return s.RunBatch(ctx, f)
}
