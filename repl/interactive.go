package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/chzyer/readline"
)

// Terminal is where an interactive session reads and writes.
type Terminal struct {
	Stdin  io.ReadCloser
	Stdout io.Writer
	Stderr io.Writer
	// HistoryFile keeps entered lines across sessions; empty disables it.
	HistoryFile string
}

// DefaultHistoryFile is ~/.resqlite_history, or "" when there is no home
// directory.
func DefaultHistoryFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return home + string(os.PathSeparator) + ".resqlite_history"
}

// statusTimeout bounds the Status call that refreshes the prompt.
const statusTimeout = 2 * time.Second

// RunInteractive starts a session on client and runs its prompt on term;
// see Shell.Interact.
func RunInteractive(ctx context.Context, client Client, opts Options, term Terminal) error {
	s := NewShell(client, opts)
	defer s.Close()
	return s.Interact(ctx, term)
}

// Interact runs a prompt on term until Ctrl-D or .quit. Lines are grouped
// as in batch input; the prompt shows the node, its role and an open
// transaction block, and a continuation prompt while a statement is
// incomplete. Ctrl-C at the prompt drops the pending input; Ctrl-C while a
// statement runs cancels it. From here on errors take the CLI's
// interactive form and results go to the terminal (unless .output
// redirected them). It returns ErrStatementsFailed when anything failed
// during the prompt, as the CLI exits 1 then.
func (s *Shell) Interact(ctx context.Context, term Terminal) error {
	restoreHistoryMode := privateHistory(term.HistoryFile)
	rl, err := readline.NewEx(&readline.Config{
		Prompt:            "resqlite> ",
		HistoryFile:       term.HistoryFile,
		HistorySearchFold: true,
		AutoComplete:      completer{s: s, ctx: ctx},
		InterruptPrompt:   "^C",
		EOFPrompt:         "",
		Stdin:             newByteEscaper(term.Stdin),
		Stdout:            term.Stdout,
		Stderr:            term.Stderr,
	})
	restoreHistoryMode()
	if err != nil {
		return fmt.Errorf("start line editor: %w", err)
	}
	defer rl.Close()
	s.drain()
	if s.outFile == nil {
		s.out = rl.Stdout()
	}
	s.opts.Stdout, s.opts.Stderr, s.opts.Interactive = rl.Stdout(), rl.Stderr(), true
	s.closePipeline()
	fmt.Fprintf(s.opts.Stdout, "ReSqlite: SQLite replicated by Raft.\nEnter \".help\" for usage hints.\n")

	run := &inputRun{}
	var g lineGrouper
	lineNo := 0
	prompt := s.prompt(ctx)
	for {
		if g.pending() {
			rl.SetPrompt(continuationPrompt(prompt))
		} else {
			rl.SetPrompt(prompt)
		}
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			g.reset()
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read line: %w", err)
		}
		lineNo++
		grp, ok := g.add(unescapeBytes(line), lineNo)
		if !ok {
			continue
		}
		if s.runInterruptible(ctx, run, grp) {
			break
		}
		if grp.kind != inputIgnored {
			prompt = s.prompt(ctx)
		}
	}
	if grp, ok := g.finish(); ok {
		s.runInterruptible(ctx, run, grp)
	}
	s.drain()
	if err := s.exitRequest(); err != nil {
		return err
	}
	if run.errors > 0 {
		return ErrStatementsFailed
	}
	return nil
}

// runInterruptible runs one group with a context that SIGINT (Ctrl-C in
// the terminal's cooked mode, while no line is being edited) cancels.
func (s *Shell) runInterruptible(ctx context.Context, run *inputRun, grp inputGroup) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-interrupts:
			cancel()
		case <-done:
		}
	}()
	quit := s.runGroup(ctx, run, grp)
	s.drain()
	return quit
}

// prompt is "resqlite ID ROLE> ", with " tx" while a BEGIN block is open.
func (s *Shell) prompt(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	var b strings.Builder
	b.WriteString("resqlite")
	if st, err := s.client.Status(ctx); err == nil {
		fmt.Fprintf(&b, " %d %s", st.NodeID, st.Role)
	} else {
		b.WriteString(" unreachable")
	}
	if s.InTransaction() {
		b.WriteString(" tx")
	}
	b.WriteString("> ")
	return b.String()
}

// continuationPrompt is "...> " right-aligned under the main prompt.
func continuationPrompt(prompt string) string {
	const cont = "...> "
	if n := len(prompt) - len(cont); n > 0 {
		return strings.Repeat(" ", n) + cont
	}
	return cont
}
