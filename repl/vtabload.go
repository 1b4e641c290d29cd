package repl

import (
	"regexp"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// sqlite3's .dump (and ReSqlite's, which writes the same text) writes a
// virtual table without running its module: PRAGMA writable_schema=ON,
// the table's row of sqlite_schema inserted as is, then each shadow table
// as CREATE TABLE IF NOT EXISTS with its rows, and PRAGMA
// writable_schema=OFF. A write may not change sqlite_schema, so the shell
// loads that idiom the way its result is reached through the module:
//
//   - PRAGMA writable_schema=ON|OFF is not sent; it turns the idiom on
//     or off in the shell;
//   - the row of sqlite_schema of a virtual table becomes the CREATE
//     VIRTUAL TABLE it holds (the module makes its shadow tables, with
//     their initial rows);
//   - a CREATE TABLE IF NOT EXISTS of one of that table's shadow tables
//     (its name is the table's, "_" and a suffix) is sent, followed by a
//     DELETE of the rows the module made, so that the dumped rows that
//     follow are the shadow table's whole content, as in the database
//     dumped.
//
// The module must not have read its shadow tables between its creation
// and their reload (fts5 reads its index structure on first use, not
// when it creates it; nothing of the dump uses the table itself), so the
// table answers from the reloaded content on every node alike. Since
// rules version 6 the nodes enforce this: shadow tables are read-only to
// writes, except in the write that created their virtual table, before
// it uses the table (statemachine/shadow.go). So the idiom loads only
// inside one transaction block, where both dumps put it (ReSqlite's
// .dump never splits a virtual table's part into two blocks).

// vtabLoad is the shell's state for the idiom.
type vtabLoad struct {
	on     bool     // PRAGMA writable_schema=ON seen, OFF not yet
	tables []string // virtual tables created from sqlite_schema rows since
}

var (
	// schemaRowInsert is the row of sqlite_schema sqlite3's .dump writes
	// for a virtual table (quoteChar'd strings, rootpage 0).
	schemaRowInsert = regexp.MustCompile(`(?is)^INSERT\s+INTO\s+(?:main\.)?(?:sqlite_schema|sqlite_master)\s*\(\s*type\s*,\s*name\s*,\s*tbl_name\s*,\s*rootpage\s*,\s*sql\s*\)\s*` +
		`VALUES\s*\(\s*'table'\s*,\s*('(?:[^']|'')*')\s*,\s*'(?:[^']|'')*'\s*,\s*0\s*,\s*('(?:[^']|'')*')\s*\)\s*;?\s*$`)
	// shadowCreate is a CREATE TABLE IF NOT EXISTS and its table's name.
	shadowCreate = regexp.MustCompile(`(?is)^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+('(?:[^']|'')*'|"(?:[^"]|"")*"|` +
		"`(?:[^`]|``)*`" + `|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_$]*)\s*\(`)
	// createVirtual starts the SQL of a virtual table.
	createVirtual = regexp.MustCompile(`(?is)^\s*CREATE\s+VIRTUAL\s+TABLE\s`)
)

// rewrite returns the statements to run for st when st belongs to the
// idiom (none for the PRAGMAs), and whether it does.
func (v *vtabLoad) rewrite(st Statement) ([]Statement, bool) {
	if name, value, ok := pragmaParts(st.SQL); ok && strings.EqualFold(name, "writable_schema") {
		switch strings.ToUpper(strings.Trim(value, `'"`)) {
		case "ON", "1", "TRUE", "YES":
			v.on = true
			return nil, true
		case "OFF", "0", "FALSE", "NO":
			*v = vtabLoad{}
			return nil, true
		}
		return nil, false
	}
	if !v.on {
		return nil, false
	}
	if m := schemaRowInsert.FindStringSubmatch(st.SQL); m != nil {
		sql := unquote(m[2])
		if !createVirtual.MatchString(sql) {
			return nil, false
		}
		v.tables = append(v.tables, unquote(m[1]))
		sql += ";"
		return []Statement{{SQL: sql, Line: st.Line, Tail: sql}}, true
	}
	if m := shadowCreate.FindStringSubmatch(st.SQL); m != nil && v.isShadow(unquote(m[1])) {
		del := "DELETE FROM " + sqlval.QuoteIdent(unquote(m[1])) + ";"
		return []Statement{st, {SQL: del, Line: st.Line, Tail: del}}, true
	}
	return nil, false
}

// isShadow reports whether name is that of a shadow table of a virtual
// table created by the idiom (SQLite's rule: the table's name, "_", and
// a suffix).
func (v *vtabLoad) isShadow(name string) bool {
	for _, t := range v.tables {
		if len(name) > len(t)+1 && strings.EqualFold(name[:len(t)], t) && name[len(t)] == '_' {
			return true
		}
	}
	return false
}

// unquote removes an identifier's or string's quotes ('…', "…", `…`,
// […]) and undoes their doubling.
func unquote(s string) string {
	if len(s) < 2 {
		return s
	}
	switch q := s[0]; q {
	case '\'', '"', '`':
		return strings.ReplaceAll(s[1:len(s)-1], string(q)+string(q), string(q))
	case '[':
		return s[1 : len(s)-1]
	}
	return s
}
