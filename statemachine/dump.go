package statemachine

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// DumpBlockBytes is the most SQL text Dump puts between one BEGIN
// TRANSACTION and its COMMIT, so that feeding the dump back into ReSqlite
// makes entries well under the service's entry limit.
const DumpBlockBytes = 1 << 20

// Dump writes the database as SQL text: tables with their rows, then
// indexes, triggers and views, then sqlite_sequence; ReSqlite's own
// objects are left out. The text rebuilds the database when fed to
// ReSqlite or to the sqlite3 CLI. Tables with generated columns are
// dumped as SELECT * reads them, which their INSERTs reject.
//
// With tables (LIKE patterns, as the sqlite3 CLI's .dump takes them) only
// the objects whose table name matches one are written: matching tables
// with their rows, and the indexes, triggers and views on them
// (sqlite_sequence only if a pattern names it).
//
// The dump reads on one of the state machine's read connections inside
// one read transaction, so at one applied index: start is called with it
// before anything is written and returns the writer the text goes to.
// Dump returns that index. The end of ctx and Close cancel a running
// dump; apply and Restore go on meanwhile (the read transaction keeps the
// dump's view of the database). Dumps hold at most half the read
// connections (one if there are fewer than 4): a further Dump waits.
func (sm *StateMachine) Dump(ctx context.Context, tables []string, start func(applied uint64) io.Writer) (uint64, error) {
	select {
	case sm.dumps <- struct{}{}:
		defer func() { <-sm.dumps }()
	case <-ctx.Done():
		return 0, fmt.Errorf("dump: wait for the other dumps: %w", ctx.Err())
	}
	r, err := sm.acquireReader(ctx)
	if err != nil {
		return 0, fmt.Errorf("dump: %w", err)
	}
	defer sm.releaseReader(r)
	if err := sm.arm(r); err != nil {
		return 0, fmt.Errorf("dump: %w", err)
	}
	defer r.cancelOn(ctx)()
	applied, err := r.dump(tables, start)
	if err != nil {
		return applied, fmt.Errorf("dump: %w", sm.readFailure(ctx, err))
	}
	return applied, nil
}

// readFailure tells why a read on a connection failed: the end of ctx and
// Close interrupt the statement, which then reports only SQLITE_INTERRUPT.
func (sm *StateMachine) readFailure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if sm.closed {
		return ErrClosed
	}
	return err
}

// dump writes the dump inside one read transaction on r.
func (r *reader) dump(tables []string, start func(applied uint64) io.Writer) (uint64, error) {
	r.pol.reset(modeInternal)
	defer r.pol.reset(modeRead)
	if err := r.c.exec("BEGIN"); err != nil {
		return 0, err
	}
	defer r.c.exec("ROLLBACK")
	applied, _, _, err := readMetaOn(r.c)
	if err != nil {
		return 0, err
	}
	w := &dumpWriter{w: start(applied)}
	return applied, r.dumpObjects(w, tableFilter(tables))
}

// tableFilter is the SQL condition on sqlite_schema's tbl_name that keeps
// the objects of the tables matching patterns (true for none).
func tableFilter(patterns []string) string {
	if len(patterns) == 0 {
		return "1"
	}
	conds := make([]string, len(patterns))
	for i, p := range patterns {
		conds[i] = "tbl_name LIKE " + quoteString(p)
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// dumpObjects writes the schema objects that filter keeps, each table
// followed by its rows, then sqlite_sequence.
func (r *reader) dumpObjects(w *dumpWriter, filter string) error {
	type object struct{ typ, name, sql string }
	var objs []object
	err := r.c.each(`SELECT type, name, sql FROM sqlite_schema
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND `+sqlval.HideInternalObjects+` AND `+filter+`
		ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, rowid`,
		func(row []Value) { objs = append(objs, object{row[0].Text, row[1].Text, row[2].Text}) })
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	w.write("BEGIN TRANSACTION;\n")
	for _, o := range objs {
		w.statement(o.sql + ";\n")
		if o.typ == "table" {
			if err := r.dumpRows(w, o.name); err != nil {
				return fmt.Errorf("table %s: %w", o.name, err)
			}
		}
	}
	hasSeq := false
	if err := r.c.each("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence' AND "+filter,
		func([]Value) { hasSeq = true }); err != nil {
		return fmt.Errorf("sqlite_sequence: %w", err)
	}
	if hasSeq {
		w.statement("DELETE FROM sqlite_sequence;\n")
		if err := r.dumpRows(w, "sqlite_sequence"); err != nil {
			return fmt.Errorf("sqlite_sequence: %w", err)
		}
	}
	w.write("COMMIT;\n")
	return w.err
}

// dumpRows writes one INSERT per row of table.
func (r *reader) dumpRows(w *dumpWriter, table string) error {
	q := sqlval.QuoteIdent(table)
	var b strings.Builder
	return r.c.scan("SELECT * FROM "+q, func(row []Value) error {
		b.Reset()
		b.WriteString("INSERT INTO ")
		b.WriteString(q)
		b.WriteString(" VALUES(")
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(sqlLiteral(v))
		}
		b.WriteString(");\n")
		w.statement(b.String())
		return w.err
	})
}

// sqlLiteral renders a value as an SQL literal that reads back as the
// same value and type.
func sqlLiteral(v Value) string {
	switch v.Type {
	case TypeInteger:
		return strconv.FormatInt(v.Int, 10)
	case TypeReal:
		return realLiteral(v.Real)
	case TypeText:
		return quoteString(v.Text)
	case TypeBlob:
		return "X'" + hex.EncodeToString(v.Blob) + "'"
	}
	return "NULL"
}

// realLiteral renders a REAL so that it reads back as the same double
// (and as a REAL: "1.0", not "1"); infinities as out-of-range literals.
func realLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NULL"
	case math.IsInf(f, 1):
		return "9.0e999"
	case math.IsInf(f, -1):
		return "-9.0e999"
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// dumpWriter writes a dump to w, split into transaction blocks of about
// DumpBlockBytes; the first write error sticks and stops the dump.
type dumpWriter struct {
	w     io.Writer
	block int
	err   error
}

// statement writes one statement, closing the transaction block first
// when it would grow past DumpBlockBytes.
func (w *dumpWriter) statement(s string) {
	if w.block > 0 && w.block+len(s) > DumpBlockBytes {
		w.write("COMMIT;\nBEGIN TRANSACTION;\n")
		w.block = 0
	}
	w.block += len(s)
	w.write(s)
}

func (w *dumpWriter) write(s string) {
	if w.err != nil {
		return
	}
	if _, err := io.WriteString(w.w, s); err != nil {
		w.err = fmt.Errorf("write: %w", err)
	}
}
