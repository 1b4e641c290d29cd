package statemachine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// Digest identifies the content of the database at an applied index.
type Digest struct {
	// Index is the applied index the digest was taken at.
	Index uint64
	// Sum is SHA-256 over the schema (sqlite_schema's type, name, tbl_name
	// and sql, by type and name: not rootpage, which depends on the order
	// pages were allocated in) and every table's rows (rowid included) in
	// rowid or primary-key order, tables by name, virtual tables' shadow
	// tables and sqlite_sequence included. ReSqlite's internal tables
	// are left out, schema and rows: the meta table records each node's
	// progress (the applied index and term), and the session tables record
	// which clients wrote, not what the database holds, so a database
	// rebuilt from a dump (by other clients) has the digest of the one
	// dumped. Two databases with the same content have the same digest
	// however they were built.
	Sum [sha256.Size]byte
}

func (d Digest) String() string {
	return fmt.Sprintf("%d:%s", d.Index, hex.EncodeToString(d.Sum[:]))
}

// Digest computes the content digest inside one read transaction. It reads
// the whole database: it is for tests and the status command, computed on
// demand only. The end of ctx, and Close, interrupt it.
func (sm *StateMachine) Digest(ctx context.Context) (Digest, error) {
	r, err := sm.acquireReader(ctx)
	if err != nil {
		return Digest{}, err
	}
	defer sm.releaseReader(r)
	if err := sm.arm(r); err != nil {
		return Digest{}, err
	}
	defer r.cancelOn(ctx)()
	d, err := r.digest()
	if err != nil {
		return Digest{}, sm.readFailure(ctx, err)
	}
	return d, nil
}

// digest hashes the database inside one read transaction on r.
func (r *reader) digest() (Digest, error) {
	if err := r.dropSeries(); err != nil {
		return Digest{}, err
	}
	r.pol.reset(modeInternal)
	defer r.pol.reset(modeRead)
	if err := r.c.exec("BEGIN"); err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	defer r.c.exec("ROLLBACK")
	applied, _, _, err := readMetaOn(r.c)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	h := sha256.New()
	var buf []byte
	emit := func(row []Value) {
		buf = binary.AppendUvarint(buf[:0], uint64(len(row)))
		for _, v := range row {
			buf = appendValue(buf, v)
		}
		h.Write(buf)
	}
	if err := r.c.each("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE "+HideInternalObjects+" ORDER BY type, name", emit); err != nil {
		return Digest{}, fmt.Errorf("digest: schema: %w", err)
	}
	var tables [][]Value
	if err := r.c.each("SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'shadow') AND name NOT IN ('sqlite_schema', 'sqlite_master') AND "+strings.Replace(HideInternalObjects, "tbl_name", "name", 1)+" ORDER BY name",
		func(row []Value) { tables = append(tables, row) }); err != nil {
		return Digest{}, fmt.Errorf("digest: tables: %w", err)
	}
	for _, t := range tables {
		name := t[0].Text
		q := sqlval.QuoteIdent(name)
		sql := "SELECT _rowid_, * FROM " + q + " ORDER BY _rowid_"
		if t[1].Int != 0 {
			sql = "SELECT * FROM " + q + " ORDER BY " + r.primaryKey(name)
		}
		emit([]Value{Text(name)})
		if err := r.c.each(sql, emit); err != nil {
			return Digest{}, fmt.Errorf("digest: table %s: %w", name, err)
		}
	}
	d := Digest{Index: applied}
	h.Sum(d.Sum[:0])
	return d, nil
}

// primaryKey returns the ORDER BY list of a WITHOUT ROWID table's primary
// key.
func (r *reader) primaryKey(table string) string {
	var cols []string
	r.c.each("SELECT name FROM pragma_table_info("+quoteString(table)+") WHERE pk > 0 ORDER BY pk", func(row []Value) {
		cols = append(cols, sqlval.QuoteIdent(row[0].Text))
	})
	if len(cols) == 0 {
		return "1"
	}
	return strings.Join(cols, ", ")
}

// each runs one statement on c and calls fn for every row.
func (c *conn) each(sql string, fn func([]Value)) error {
	return c.scan(sql, func(row []Value) error { fn(row); return nil })
}

func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
