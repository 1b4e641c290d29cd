package repl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// prepareTable finds the table's column count, creating the table from
// the header row when it does not exist, as the CLI does. It prints the
// CLI's error and returns false when the import cannot go on.
func (im *importer) prepareTable(ctx context.Context) bool {
	r, ok := im.probe(ctx)
	if !ok {
		return false
	}
	if r.Err != nil && strings.HasPrefix(r.Err.Message, "no such table: ") {
		if !im.createTable(ctx) {
			return false
		}
		if r, ok = im.probe(ctx); !ok {
			return false
		}
	}
	if r.Err != nil {
		fmt.Fprintf(im.s.opts.Stderr, "Error: %s\n", r.Err.Message)
		return false
	}
	im.nCol = len(r.Columns)
	return true
}

// probe reads the table's columns (the CLI prepares SELECT * FROM it).
func (im *importer) probe(ctx context.Context) (Result, bool) {
	r, err := im.s.client.Query(ctx, "SELECT * FROM "+im.table+" LIMIT 0", im.s.consistency)
	if err != nil {
		fmt.Fprintf(im.s.opts.Stderr, "Error: %v\n", err)
		return r, false
	}
	return r, true
}

// createTable creates the table with a TEXT column for each field of
// the first row, named as the CLI's zAutoColumn names them.
func (im *importer) createTable(ctx context.Context) bool {
	s := im.s
	var header []string
	for f, ok := im.r.next(); ok; f, ok = im.r.next() {
		header = append(header, cText(f))
		if im.r.term != im.r.colSep {
			break
		}
	}
	im.flushNotes()
	if len(header) == 0 {
		fmt.Fprintf(s.opts.Stderr, "%s: empty file\n", im.r.file)
		return false
	}
	spec, renames := importColumns(header)
	if renames != "" {
		w := s.opts.Stderr
		if s.opts.Interactive && s.depth == 0 {
			w = s.out
		}
		fmt.Fprintf(w, "Columns renamed during .import %s due to duplicates:\n%s\n", im.r.file, renames)
	}
	create := "CREATE TABLE " + im.table + spec + "\n"
	if im.o.verbose >= 1 {
		fmt.Fprintf(s.out, "%s\n", create)
	}
	rs, err := s.client.Execute(ctx, Entry{Statements: []string{create}})
	msg := ""
	switch {
	case err != nil:
		msg = err.Error()
	case len(rs) == 0:
		msg = "no result"
	case rs[0].Err != nil:
		msg = rs[0].Err.Message
	}
	if msg != "" {
		fmt.Fprintf(s.opts.Stderr, "%s failed:\n%s\n", create, msg)
		return false
	}
	return true
}

// cText is a field as the CLI binds it: C text, ending at a NUL byte.
func cText(f []byte) string {
	if i := bytes.IndexByte(f, 0); i >= 0 {
		f = f[:i]
	}
	return string(f)
}

// writeLiteral appends a field as an SQL literal: TEXT, as the CLI binds
// every field, or NULL for a field past the end of the input.
func writeLiteral(w io.StringWriter, f []byte, ok bool) {
	if !ok {
		w.WriteString("NULL")
		return
	}
	w.WriteString("'" + strings.ReplaceAll(cText(f), "'", "''") + "'")
}
