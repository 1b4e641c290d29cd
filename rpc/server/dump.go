package server

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/rpc/resqlitepb"
	"github.com/resqlite/resqlite/statemachine"
	"github.com/resqlite/resqlite/statemachine/sqlval"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DumpBlockBytes is the most SQL text Dump puts between one BEGIN
// TRANSACTION and its COMMIT, so that feeding the dump back into ReSqlite
// makes entries well under MaxEntryBytes.
const DumpBlockBytes = 1 << 20

// Dump streams the database as SQL text (tables with their rows, then
// indexes, triggers and views), read in one read transaction, so at one
// applied index, which the first chunk carries. The text rebuilds the
// database when fed to ReSqlite or to the sqlite3 CLI. Tables with
// generated columns are dumped as SELECT * reads them, which their INSERTs
// reject.
func (s *Server) Dump(req *resqlitepb.DumpRequest, stream resqlitepb.ReSqlite_DumpServer) error {
	ctx := stream.Context()
	if _, err := s.readGate(ctx, resqlitepb.Consistency_CONSISTENCY_LOCAL, req.GetMinIndex()); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(s.cfg.State.Path())+"?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return status.Errorf(codes.Internal, "dump: open database: %v", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return status.Errorf(codes.Internal, "dump: begin: %v", err)
	}
	defer tx.Rollback()
	var applied uint64
	// The statemachine's own table records the applied index in the same
	// transactions as the data; the dump leaves it out.
	if err := tx.QueryRowContext(ctx, "SELECT applied_index FROM "+statemachine.MetaTable+" WHERE id = 1").Scan(&applied); err != nil {
		return status.Errorf(codes.Internal, "dump: read applied index: %v", err)
	}
	w := &dumpWriter{stream: stream, applied: applied}
	if err := dumpDatabase(ctx, tx, w); err != nil {
		if _, ok := status.FromError(err); ok {
			return err
		}
		return status.Errorf(codes.Internal, "dump: %v", err)
	}
	return w.flush()
}

// dumpDatabase writes the schema and rows read through tx to w.
func dumpDatabase(ctx context.Context, tx *sql.Tx, w *dumpWriter) error {
	type object struct{ typ, name, sql string }
	rows, err := tx.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_schema
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND `+sqlval.HideInternalObjects+`
		ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, rowid`)
	if err != nil {
		return err
	}
	var objs []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.typ, &o.name, &o.sql); err != nil {
			rows.Close()
			return err
		}
		objs = append(objs, o)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	w.write("BEGIN TRANSACTION;\n")
	for _, o := range objs {
		w.statement(o.sql + ";\n")
		if o.typ == "table" {
			if err := dumpRows(ctx, tx, w, o.name); err != nil {
				return fmt.Errorf("table %s: %w", o.name, err)
			}
		}
	}
	var hasSeq int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_sequence'").Scan(&hasSeq); err != nil {
		return err
	}
	if hasSeq > 0 {
		w.statement("DELETE FROM sqlite_sequence;\n")
		if err := dumpRows(ctx, tx, w, "sqlite_sequence"); err != nil {
			return err
		}
	}
	w.write("COMMIT;\n")
	return w.err
}

// dumpRows writes one INSERT per row of table.
func dumpRows(ctx context.Context, tx *sql.Tx, w *dumpWriter, table string) error {
	q := sqlval.QuoteIdent(table)
	rows, err := tx.QueryContext(ctx, "SELECT * FROM "+q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		b.Reset()
		b.WriteString("INSERT INTO ")
		b.WriteString(q)
		b.WriteString(" VALUES(")
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(sqlLiteral(v))
		}
		b.WriteString(");\n")
		w.statement(b.String())
		if w.err != nil {
			return w.err
		}
	}
	return rows.Err()
}

// sqlLiteral renders a value as an SQL literal that reads back as the
// same value and type.
func sqlLiteral(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		switch {
		case math.IsNaN(v):
			return "NULL"
		case math.IsInf(v, 1):
			return "9.0e999"
		case math.IsInf(v, -1):
			return "-9.0e999"
		}
		s := strconv.FormatFloat(v, 'g', 17, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case []byte:
		return "X'" + hex.EncodeToString(v) + "'"
	}
	return "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
}

// dumpWriter sends a dump in chunks of about ChunkBytes and splits it into
// transaction blocks of about DumpBlockBytes.
type dumpWriter struct {
	stream  resqlitepb.ReSqlite_DumpServer
	applied uint64
	sent    bool
	buf     strings.Builder
	block   int
	err     error
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
	w.buf.WriteString(s)
	if w.buf.Len() >= ChunkBytes {
		w.err = w.flush()
	}
}

// flush sends what is buffered (always at least one chunk).
func (w *dumpWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	if w.buf.Len() == 0 && w.sent {
		return nil
	}
	chunk := &resqlitepb.DumpChunk{Sql: w.buf.String()}
	if !w.sent {
		chunk.AppliedIndex = w.applied
	}
	w.sent = true
	w.buf.Reset()
	return w.stream.Send(chunk)
}
