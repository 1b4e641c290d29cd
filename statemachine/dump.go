package statemachine

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// DumpOptions are the sqlite3 CLI's .dump arguments (see sqlval).
type DumpOptions = sqlval.DumpOptions

// DumpBlockBytes is the most SQL text Dump puts between one BEGIN
// TRANSACTION and its COMMIT, so that feeding the dump back into ReSqlite
// makes entries well under the service's entry limit.
const DumpBlockBytes = 1 << 20

// Dump writes the database as SQL text, byte for byte as the sqlite3 CLI
// 3.40's .dump writes it (dumpObjects, dumpformat.go): PRAGMA
// foreign_keys=OFF; BEGIN TRANSACTION; the tables with their rows,
// sqlite_sequence, indexes, triggers and views; COMMIT; ReSqlite's own
// objects are left out. The text rebuilds the database when fed to
// ReSqlite or to the sqlite3 CLI. Unlike the CLI's, a dump longer than
// DumpBlockBytes is split into several transaction blocks, so that
// ReSqlite takes each as one entry; a virtual table and its shadow tables
// stay in one block, however large (only the entry that creates a virtual
// table may load its shadow tables: RulesV6).
//
// opts are the CLI's .dump arguments. With opts.Tables (LIKE patterns)
// only the objects whose own name matches one are written, as the CLI
// does: matching tables with their rows, matching indexes, triggers and
// views (sqlite_sequence only if a pattern names it).
//
// The dump reads on one of the state machine's read connections inside
// one read transaction, so at one applied index: start is called with it
// before anything is written and returns the writer the text goes to.
// Dump returns that index. The end of ctx and Close cancel a running
// dump; apply and Restore go on meanwhile (the read transaction keeps the
// dump's view of the database). Dumps hold at most half the read
// connections (one if there are fewer than 4): a further Dump waits.
func (sm *StateMachine) Dump(ctx context.Context, opts DumpOptions, start func(applied uint64) io.Writer) (uint64, error) {
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
	applied, err := r.dump(opts, start)
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
func (r *reader) dump(opts DumpOptions, start func(applied uint64) io.Writer) (uint64, error) {
	if err := r.dropSeries(); err != nil {
		return 0, err
	}
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
	w := &dumpWriter{w: start(applied), opts: opts}
	return applied, r.dumpObjects(w, tableFilter(opts.Tables))
}

// tableFilter is the SQL condition on sqlite_schema (as o) that keeps
// the objects the sqlite3 CLI's .dump keeps for LIKE patterns (true for
// none): those whose own name matches one (a backslash escapes), and the
// shadow tables of a matching virtual table.
func tableFilter(patterns []string) string {
	if len(patterns) == 0 {
		return "1"
	}
	conds := make([]string, len(patterns))
	for i, p := range patterns {
		q := quoteString(p)
		conds[i] = "o.name LIKE " + q + ` ESCAPE '\' OR EXISTS (SELECT 1 FROM sqlite_schema WHERE name LIKE ` + q +
			` ESCAPE '\' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND substr(o.name, 1, length(name)+1) == (name||'_'))`
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// dumpObjects writes, as the sqlite3 CLI's .dump does, the tables that
// filter keeps in creation order, each followed by its rows, with
// sqlite_sequence last; then their indexes, triggers and views in
// creation order. ReSqlite's own tables are left out, and so are
// SQLite's statistics tables (sqlite3 writes ANALYZE sqlite_schema and
// their rows, which ReSqlite refuses in writes).
func (r *reader) dumpObjects(w *dumpWriter, filter string) error {
	type table struct{ name, sql string }
	var tables []table
	err := r.c.each(`SELECT name, sql FROM sqlite_schema AS o
		WHERE type = 'table' AND sql IS NOT NULL AND `+sqlval.HideInternalObjects+` AND `+filter+`
		ORDER BY tbl_name = 'sqlite_sequence', rowid`,
		func(row []Value) { tables = append(tables, table{row[0].Text, row[1].Text}) })
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	w.schema("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n")
	for _, t := range tables {
		if !isShadowOf(t.name, w.holdVtab) {
			w.holdVtab = ""
		}
		switch {
		case t.name == "sqlite_sequence" && !w.opts.NoSys:
			w.schema("DELETE FROM sqlite_sequence;\n")
		case strings.HasPrefix(t.name, "sqlite_"):
			continue
		case strings.HasPrefix(t.sql, "CREATE VIRTUAL TABLE") && !w.opts.DataOnly:
			w.virtualTable(t.name, t.sql)
			continue
		default:
			w.schema(tableSchemaLine(t.sql))
		}
		if err := r.dumpRows(w, t.name); err != nil {
			return fmt.Errorf("table %s: %w", t.name, err)
		}
	}
	w.holdVtab = ""
	err = r.c.scan(`SELECT sql FROM sqlite_schema AS o
		WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL AND `+sqlval.HideInternalObjects+` AND `+filter+`
		ORDER BY rowid`, func(row []Value) error {
		w.schema(otherSchemaLine(row[0].Text))
		return w.err
	})
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if w.writableSchema {
		w.schema("PRAGMA writable_schema=OFF;\n")
	}
	w.schema("COMMIT;\n")
	return w.err
}

// dumpRows writes one INSERT per row of table, of the columns PRAGMA
// table_info lists (not generated ones, which an INSERT without a column
// list leaves out too), and of the rowid first if it is to be preserved.
func (r *reader) dumpRows(w *dumpWriter, table string) error {
	cols, err := r.dumpColumns(table, w.opts.PreserveRowids)
	if err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	if len(cols.names) == 0 {
		return nil
	}
	prefix := "INSERT INTO " + cols.into(table) + " VALUES("
	var b strings.Builder
	return r.c.scan(cols.selectFrom(table), func(row []Value) error {
		b.Reset()
		b.WriteString(prefix)
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(sqlLiteral(v, w.opts.Newlines))
		}
		b.WriteString(");\n")
		w.statement(b.String())
		return w.err
	})
}

// dumpWriter writes a dump to w, split into transaction blocks of about
// DumpBlockBytes; the first write error sticks and stops the dump.
type dumpWriter struct {
	w     io.Writer
	opts  DumpOptions
	block int
	err   error
	// writableSchema is set once a virtual table turned writable_schema
	// on.
	writableSchema bool
	// holdVtab is the virtual table whose shadow tables are being
	// written: the block is not split until they are all written, since
	// only the entry that creates a virtual table may load them (RulesV6,
	// shadow.go). Such a block may exceed DumpBlockBytes.
	holdVtab string
}

// isShadowOf reports whether table is named like a shadow table of the
// virtual table vtab (its name, "_" and a suffix, in any ASCII case).
func isShadowOf(table, vtab string) bool {
	return vtab != "" && len(table) > len(vtab)+1 && table[len(vtab)] == '_' && sqlval.LowerASCII(table[:len(vtab)]) == sqlval.LowerASCII(vtab)
}

// virtualTable writes a virtual table as sqlite3's .dump does: a row of
// sqlite_schema, inserted with writable_schema on (its shadow tables are
// dumped as tables, so CREATE VIRTUAL TABLE would make them twice).
func (w *dumpWriter) virtualTable(name, sql string) {
	if !w.writableSchema {
		w.schema("PRAGMA writable_schema=ON;\n")
		w.writableSchema = true
	}
	w.holdVtab = name
	q := func(s string) string { return strings.ReplaceAll(s, "'", "''") }
	w.schema("INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','" + q(name) + "','" + q(name) + "',0,'" + q(sql) + "');\n")
}

// schema writes text that only a dump with its schema has (none with
// DataOnly).
func (w *dumpWriter) schema(s string) {
	if !w.opts.DataOnly {
		w.statement(s)
	}
}

// statement writes one statement, closing the transaction block first
// when it would grow past DumpBlockBytes.
func (w *dumpWriter) statement(s string) {
	if w.block > 0 && w.block+len(s) > DumpBlockBytes && !w.opts.DataOnly && w.holdVtab == "" {
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
