package repl

import (
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// classifyPragma decides how to send a PRAGMA statement, by the PRAGMA
// table both ends share (sqlval): one that only asks (no value, or a
// value that names what to describe, as in PRAGMA table_info(t)) is a
// read, which any node answers without the log; turning foreign keys off
// is a no-op, since they are always off in ReSqlite (sqlite3's .dump
// begins with it); anything else is a write, judged by the nodes.
func classifyPragma(sql string) stmtKind {
	name, value, ok := pragmaParts(sql)
	switch {
	case !ok:
		return kindWrite
	case sqlval.ForeignKeysOff(name, value):
		return kindNoop
	case sqlval.PragmaAsks(name, value):
		return kindRead
	}
	return kindWrite
}

// pragmaParts splits "PRAGMA [schema.]name [= value | (value)] [;]" into
// the name and the value's text ("" when none). ok is false when the
// statement is not of that form (the nodes then judge it as written).
func pragmaParts(sql string) (name, value string, ok bool) {
	var toks []string
	for _, t := range positionedTokens(sql) {
		toks = append(toks, t.text)
	}
	if len(toks) < 2 || !strings.EqualFold(toks[0], "PRAGMA") || !isIDChar(toks[1][0]) {
		return "", "", false
	}
	name, rest := toks[1], toks[2:]
	if len(rest) >= 2 && rest[0] == "." && isIDChar(rest[1][0]) {
		name, rest = rest[1], rest[2:]
	}
	switch {
	case len(rest) == 0:
		return name, "", true
	case rest[0] == "=" && len(rest) > 1:
		return name, strings.Join(rest[1:], ""), true
	case rest[0] == "(" && len(rest) > 2 && rest[len(rest)-1] == ")":
		return name, strings.Join(rest[1:len(rest)-1], ""), true
	}
	return "", "", false
}
