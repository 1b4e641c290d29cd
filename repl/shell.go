package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrStatementsFailed is returned by RunBatch when the input ran to its end
// (or to a bail) but at least one statement or command failed; the program
// then exits 1, as the sqlite3 CLI does.
var ErrStatementsFailed = errors.New("some statements failed")

// ExitError is returned by RunBatch and Interact when ".exit N" or
// ".quit N" (N not 0) ended the session: the program exits with status N
// at once, as the CLI's exit(N), also from inside a .read file.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// Status is the process exit status for Code, as the system truncates it
// (".exit 300" exits 44, ".exit -1" 255).
func (e *ExitError) Status() int { return e.Code & 0xff }

// Options configure a Shell.
type Options struct {
	// Stdout receives results, Stderr errors. Both default to discard.
	Stdout io.Writer
	Stderr io.Writer
	// Mode is the initial output mode (default table).
	Mode Mode
	// Consistency is the initial read consistency level.
	Consistency Consistency
	// Interactive selects the CLI's interactive behaviour: errors without
	// line numbers, no pipelining, and .bail never ends the session.
	Interactive bool
	// NoPipeline sends each batch request and waits for its reply before
	// the next, instead of pipelining them.
	NoPipeline bool
	// Progress, when set (main sets it to stderr when that is a terminal),
	// receives a progress line during long batches.
	Progress io.Writer
}

// Shell is one REPL session: its settings, its open transaction block and
// its connection to the cluster. A Shell is used by one goroutine.
type Shell struct {
	client Client
	opts   Options

	settings    outputSettings
	consistency Consistency
	bail        bool
	echo        bool
	showChanges bool
	timer       bool
	eqp         eqpMode      // .eqp: show each statement's query plan first
	stats       statsMode    // .stats on|off|stmt|vmstep
	counts      sessionStats // what .stats reports
	params      paramTable   // .parameter bindings
	exitCode    int          // set by .exit N: end every input and exit with N

	out       io.Writer // current destination of results (.output/.once)
	outFile   *os.File  // the file behind out, when not Stdout
	outPath   string    // the name of outFile, as .show reports it
	onceArmed bool      // out goes back to Stdout after the next command

	block *txBlock // the open BEGIN … block, or nil
	// vtab loads the virtual tables of a .dump (vtabload.go).
	vtab vtabLoad

	lastChanges  int64 // rows changed by the latest INSERT/UPDATE/DELETE
	totalChanges int64 // rows changed by all of them this session

	sess sessionValues // what last_insert_rowid() and changes() answer (sessionfuncs.go)

	pipe      Pipeline      // open pipeline in batch mode, or nil
	queue     []pendingItem // pipelined work whose output is not printed yet
	inFlight  int           // requests in queue
	buffered  *bufio.Writer // reused for printing results
	toClose   []*os.File    // .once/.output files to close once drained
	depth     int           // .read nesting
	importing bool          // an .import is sending its rows

	progress progressLine
}

// txBlock is an open BEGIN … COMMIT block: its statements are collected and
// sent as one entry at COMMIT.
type txBlock struct {
	stmts []Statement
	// savepoint names the SAVEPOINT that opened the block (SQLite runs a
	// SAVEPOINT outside a transaction as BEGIN); releasing it commits.
	savepoint string
	// open are the savepoints of such a block not yet released, oldest
	// first (savepoint is open[0]), so that a RELEASE commits the block
	// only when it releases the first one, as in SQLite, where RELEASE
	// finds the newest savepoint of that name.
	open []string
}

// inputRun counts the failures of one input source (the batch, or one
// .read file), as the CLI's process_input does.
type inputRun struct {
	errors int
}

// maxReadDepth bounds .read nesting, as the CLI's MAX_INPUT_NESTING does.
const maxReadDepth = 25

// NewShell returns a session talking to client.
func NewShell(client Client, opts Options) *Shell {
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	s := &Shell{client: client, opts: opts, settings: defaultOutputSettings(), consistency: opts.Consistency, out: opts.Stdout}
	s.progress.w = opts.Progress
	if opts.Mode != "" {
		s.settings.setMode(opts.Mode, columnOptions{wrap: defaultWrap})
	}
	return s
}

// InTransaction reports whether a BEGIN block is open (the prompt shows it).
func (s *Shell) InTransaction() bool { return s.block != nil }

// Mode returns the current output mode.
func (s *Shell) Mode() Mode { return s.settings.mode }

// RunBatch runs every line of in as the sqlite3 CLI runs a script, then
// waits for all results. It returns nil when everything succeeded,
// ErrStatementsFailed when something failed, or the error that stopped it
// (reading in, or ctx ending: no further line is read then).
// Settings the script made (mode, .output, an open block) stay for what
// the session runs next, e.g. Interact after "-batch FILE -interactive".
func (s *Shell) RunBatch(ctx context.Context, in io.Reader) error {
	run, err := s.processInput(ctx, newLineReader(in))
	s.drain()
	s.progress.clear()
	if err != nil {
		return err
	}
	if err := s.exitRequest(); err != nil {
		return err
	}
	if run.errors > 0 {
		return ErrStatementsFailed
	}
	return nil
}

// exitRequest returns the ExitError that .exit N asked for, or nil.
func (s *Shell) exitRequest() error {
	if s.exitCode == 0 {
		return nil
	}
	return &ExitError{Code: s.exitCode}
}

// Close releases the pipeline and any output file.
func (s *Shell) Close() error {
	s.drain()
	s.closeOutput()
	if s.pipe != nil {
		err := s.pipe.Close()
		s.pipe = nil
		return err
	}
	return nil
}

// processInput is the CLI's process_input: it reads lines, groups them,
// and runs each group, until the input ends, .quit, or .bail stops it.
func (s *Shell) processInput(ctx context.Context, in *lineReader) (*inputRun, error) {
	run := &inputRun{}
	var g lineGrouper
	lineNo := 0
	for run.errors == 0 || !s.bail || (s.opts.Interactive && s.depth == 0) {
		if err := ctx.Err(); err != nil {
			return run, fmt.Errorf("batch stopped at line %d: %w", lineNo, err)
		}
		line, ok, err := in.next()
		if err != nil {
			return run, err
		}
		if !ok {
			break
		}
		lineNo++
		grp, ok := g.add(line, lineNo)
		if !ok {
			continue
		}
		if quit := s.runGroup(ctx, run, grp); quit {
			return run, nil
		}
	}
	if grp, ok := g.finish(); ok {
		s.runGroup(ctx, run, grp)
	}
	return run, nil
}

// runGroup runs one input group and reports whether the input should stop
// (.quit).
func (s *Shell) runGroup(ctx context.Context, run *inputRun, grp inputGroup) bool {
	if s.echo {
		out := s.out
		text := grp.text
		s.emit(func() {
			s.progress.clear()
			fmt.Fprintf(out, "%s\n", text)
		})
	}
	switch grp.kind {
	case inputDot:
		s.drain()
		s.progress.clear()
		once := s.onceArmed
		quit, failed := s.runDotCommand(ctx, grp.text)
		if failed {
			run.errors++
		}
		if once && s.onceArmed {
			s.resetOutput()
		}
		return quit
	case inputSQL:
		s.runSQL(ctx, run, grp)
		if s.onceArmed {
			s.resetOutput()
		}
	}
	return false
}

// fail prints a message to stderr in order with pipelined output and
// counts it as a failure of run and group.
func (s *Shell) fail(run *inputRun, group *groupState, msg string) {
	errOut := s.opts.Stderr
	s.emit(func() {
		s.progress.clear()
		io.WriteString(errOut, msg)
		run.errors++
		if group != nil {
			group.failed = true
		}
	})
}
