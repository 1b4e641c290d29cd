package repl

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// importCommand is .import FILE TABLE: it reads CSV (or ASCII-separated)
// rows and inserts them as the sqlite3 CLI does, sent as pipelined
// all-or-nothing batches of rows (import_batch.go).
func importCommand() dotCommand {
	return dotCommand{name: "import", usage: ".import FILE TABLE", help: "Import data from FILE into TABLE", run: runImport}
}

// modeASCII is the name of the CLI's ascii output mode, whose separators
// .import also reads without quoting.
const modeASCII Mode = "ascii"

func runImport(s *Shell, ctx context.Context, args []string) (quit, failed bool) {
	o, msg := parseImportArgs(args, s.settings.mode == modeASCII)
	if msg != "" {
		fmt.Fprint(s.out, msg+importHelp)
		return false, true
	}
	if s.block != nil {
		return s.errorf(".import inside an open transaction block is not supported: the rows would have to travel as one write at COMMIT; COMMIT or ROLLBACK first")
	}
	if o.useOutputMode {
		if msg := o.outputModeSeparators(&s.settings); msg != "" {
			io.WriteString(s.opts.Stderr, msg)
			return false, true
		}
	}
	in, name, closeInput, err := openImportInput(o.file, s.opts.Stderr)
	if err != nil {
		return s.errorf("cannot open \"%s\"", o.file)
	}
	defer closeInput()
	im := newImporter(s, o, in, name)
	return false, !im.run(ctx)
}

// openImportInput opens FILE, or runs it as a shell command when it
// starts with "|" (the CLI's popen), and names it as messages do.
func openImportInput(file string, stderr io.Writer) (io.Reader, string, func(), error) {
	if !strings.HasPrefix(file, "|") {
		f, err := os.Open(file)
		if err != nil {
			return nil, "", nil, fmt.Errorf("open %s: %w", file, err)
		}
		return f, file, func() { f.Close() }, nil
	}
	cmd := exec.Command("/bin/sh", "-c", file[1:])
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", nil, fmt.Errorf("pipe for %s: %w", file, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, "", nil, fmt.Errorf("start %s: %w", file, err)
	}
	return out, "<pipe>", func() { cmd.Wait() }, nil
}

// importer is one .import in progress.
type importer struct {
	s     *Shell
	o     importOptions
	r     *fieldReader
	table string // the quoted (schema-qualified) table name
	nCol  int

	batch      *importBatch // rows read and not yet sent
	sent       int          // rows sent, for the progress line
	rows, errs int          // rows inserted and rows that failed, as -v reports
	lastFailed bool         // the last row attempted failed (the CLI's rc)
	aborted    error        // a batch failed as a whole: stop reading
}

// newImporter prepares an import of in (named name in messages).
func newImporter(s *Shell, o importOptions, in io.Reader, name string) *importer {
	im := &importer{s: s, o: o, table: o.fullTableName(), batch: &importBatch{}}
	im.r = newFieldReader(in, name, o.colSep, o.rowSep, o.ascii, im.warn)
	return im
}

// warn records a warning in order with the rows around it.
func (im *importer) warn(msg string) {
	im.batch.notes = append(im.batch.notes, importNote{before: len(im.batch.stmts), text: msg})
}

// run imports the input and reports success as the CLI's return code
// would: the last row attempted was inserted.
func (im *importer) run(ctx context.Context) bool {
	s := im.s
	if im.o.verbose >= 2 || (im.o.verbose >= 1 && im.o.useOutputMode) {
		fmt.Fprintf(s.out, "Column separator %s, row separator %s\n", outputCString(string(im.o.colSep)), outputCString(string(im.o.rowSep)))
	}
	for ; im.o.skip > 0; im.o.skip-- {
		for _, ok := im.r.next(); ok && im.r.term == im.r.colSep; _, ok = im.r.next() {
		}
	}
	im.flushNotes()
	if !im.prepareTable(ctx) {
		return false
	}
	if im.nCol == 0 {
		return true
	}
	if im.o.verbose >= 2 {
		fmt.Fprintf(s.out, "Insert using: INSERT INTO %s VALUES(?%s)\n", im.table, strings.Repeat(",?", im.nCol-1))
	}
	// Ctrl-C (ctx ending) stops the reading, as the CLI's; the rows
	// already sent are still applied and reported, as the CLI keeps the
	// rows it inserted.
	opened := s.pipe == nil // a pipeline opened here does not end with ctx
	s.importing = true
	im.readRows(ctx, context.WithoutCancel(ctx))
	s.drain()
	s.importing = false
	if opened || !s.pipelining() {
		s.closePipeline()
	}
	s.progress.clear()
	if im.aborted != nil {
		return false
	}
	if im.o.verbose > 0 {
		fmt.Fprintf(s.out, "Added %d rows with %d errors using %d lines of input\n", im.rows, im.errs, im.r.line-1)
	}
	return !im.lastFailed
}

// flushNotes prints warnings gathered outside rows (while skipping or
// reading the header).
func (im *importer) flushNotes() {
	for _, n := range im.batch.notes {
		io.WriteString(im.s.opts.Stderr, n.text)
	}
	im.batch.notes = nil
}
