package statemachine

import (
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// dumpColumns are the columns .dump writes of a table's rows: the names
// PRAGMA table_info lists and, to preserve rowids, the name the rowid is
// read and written under ("" if it is not).
type dumpColumns struct {
	rowid string
	names []string
}

// dumpColumns finds table's columns as the sqlite3 CLI's tableColumnList
// does: with preserve, the rowid is kept for a rowid table whose rowid is
// not an INTEGER PRIMARY KEY column, under the first of rowid, _rowid_ and
// oid that no column is named.
func (r *reader) dumpColumns(table string, preserve bool) (dumpColumns, error) {
	var cols dumpColumns
	pks, ipk := 0, false
	err := r.c.each("SELECT name, type, pk FROM pragma_table_info("+quoteString(table)+")", func(row []Value) {
		cols.names = append(cols.names, row[0].Text)
		if row[2].Int != 0 {
			pks++
			ipk = pks == 1 && strings.EqualFold(row[1].Text, "INTEGER")
		}
	})
	if err != nil || !preserve {
		return cols, err
	}
	if ipk {
		// An INTEGER PRIMARY KEY is the rowid unless it has an index of
		// its own (DESC, or a WITHOUT ROWID table).
		preserve = false
		err = r.c.each("SELECT 1 FROM pragma_index_list("+quoteString(table)+") WHERE origin = 'pk'", func([]Value) { preserve = true })
		if err != nil || !preserve {
			return cols, err
		}
	}
	withoutRowid := false
	err = r.c.each("SELECT 1 FROM pragma_table_list("+quoteString(table)+") WHERE wr", func([]Value) { withoutRowid = true })
	if err != nil || withoutRowid {
		return cols, err
	}
	for _, name := range []string{"rowid", "_rowid_", "oid"} {
		if !cols.has(name) {
			cols.rowid = name
			break
		}
	}
	return cols, nil
}

// has reports whether a column is named name (in any ASCII case).
func (c dumpColumns) has(name string) bool {
	for _, n := range c.names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// into is the INSERT's target: the table, with the column list when the
// rowid is written.
func (c dumpColumns) into(table string) string {
	t := sqlval.QuoteIdentAsNeeded(table)
	if c.rowid == "" {
		return t
	}
	var b strings.Builder
	b.WriteString(t + "(" + c.rowid)
	for _, n := range c.names {
		b.WriteString("," + sqlval.QuoteIdentAsNeeded(n))
	}
	return b.String() + ")"
}

// selectFrom reads the columns of every row of table.
func (c dumpColumns) selectFrom(table string) string {
	list := make([]string, 0, len(c.names)+1)
	if c.rowid != "" {
		list = append(list, c.rowid)
	}
	for _, n := range c.names {
		list = append(list, sqlval.QuoteIdent(n))
	}
	return "SELECT " + strings.Join(list, ",") + " FROM " + sqlval.QuoteIdent(table)
}
