package statemachine

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// The dump spells values and schema text as the sqlite3 CLI 3.40's .dump
// does (shell.c: shell_callback's MODE_Insert, output_quoted_escaped_string,
// printSchemaLine), so that a database dumped by both reads the same.

// sqlLiteral renders a value as an SQL literal that reads back as the
// same value and type; with newlines, text keeps its line breaks as they
// are (.dump --newlines).
func sqlLiteral(v Value, newlines bool) string {
	switch v.Type {
	case TypeInteger:
		return strconv.FormatInt(v.Int, 10)
	case TypeReal:
		return realLiteral(v.Real)
	case TypeText:
		if newlines && strings.IndexByte(v.Text, 0) < 0 {
			return quoteString(v.Text)
		}
		return textLiteral(v.Text)
	case TypeBlob:
		return "X'" + hex.EncodeToString(v.Blob) + "'"
	}
	return "NULL"
}

// realLiteral renders a REAL as .dump does: an integral value in the
// int64 range as the integer with ".0", infinities as 1e999 and -1e999,
// anything else with %!.20g's digits (sqlval.FormatReal); each reads back
// as a REAL. SQLite stores no NaN (it becomes NULL).
func realLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NULL"
	case math.IsInf(f, 1):
		return "1e999"
	case math.IsInf(f, -1):
		return "-1e999"
	case f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64:
		return strconv.FormatInt(int64(f), 10) + ".0"
	}
	return sqlval.FormatReal(f, sqlval.JSONRealPrecision)
}

// textLiteral quotes s as a string literal; newlines and carriage returns
// become a marker the text does not contain, put back by replace(…,
// char(10)) and replace(…, char(13)), as .dump writes them. Text holding
// a NUL byte (which the CLI cuts short and no string literal can hold) is
// written CAST(X'…' AS TEXT).
func textLiteral(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "CAST(X'" + hex.EncodeToString([]byte(s)) + "' AS TEXT)"
	}
	if !strings.ContainsAny(s, "'\n\r") {
		return "'" + s + "'"
	}
	var nl, cr string
	var b strings.Builder
	if strings.Contains(s, "\n") {
		b.WriteString("replace(")
		nl = unusedMarker(s, `\n`, `\012`)
	}
	if strings.Contains(s, "\r") {
		b.WriteString("replace(")
		cr = unusedMarker(s, `\r`, `\015`)
	}
	b.WriteString(quoteString(strings.NewReplacer("\n", nl, "\r", cr).Replace(s)))
	if cr != "" {
		b.WriteString(",'" + cr + "',char(13))")
	}
	if nl != "" {
		b.WriteString(",'" + nl + "',char(10))")
	}
	return b.String()
}

// unusedMarker is the CLI's unused_string: a or b if s does not contain
// it, else the first of "(a0)", "(a1)", … that s does not contain.
func unusedMarker(s, a, b string) string {
	if !strings.Contains(s, a) {
		return a
	}
	if !strings.Contains(s, b) {
		return b
	}
	for i := 0; ; i++ {
		if m := "(" + a + strconv.Itoa(i) + ")"; !strings.Contains(s, m) {
			return m
		}
	}
}

// tableSchemaLine is a table's CREATE statement as .dump writes it, with
// its ";\n": a text ending inside a comment gets the comment closed first,
// and CREATE TABLE of a quoted name becomes CREATE TABLE IF NOT EXISTS.
func tableSchemaLine(sql string) string {
	switch openCommentAtEnd(sql) {
	case "--":
		sql += "\n"
	case "/*":
		sql += "*/"
	}
	if strings.HasPrefix(sql, `CREATE TABLE '`) || strings.HasPrefix(sql, `CREATE TABLE "`) {
		sql = "CREATE TABLE IF NOT EXISTS " + sql[len("CREATE TABLE "):]
	}
	return sql + ";\n"
}

// otherSchemaLine is an index's, trigger's or view's statement as .dump
// writes it: the ";" on a line of its own when the text holds "--".
func otherSchemaLine(sql string) string {
	if strings.Contains(sql, "--") {
		return sql + "\n;\n"
	}
	return sql + ";\n"
}

// openCommentAtEnd tells whether sql ends inside a "--" or "/*" comment
// ("" if not), skipping quoted strings and identifiers.
func openCommentAtEnd(sql string) string {
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				return "--"
			}
			i += end
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return "/*"
			}
			i += end + 3
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			end := strings.IndexByte(sql[i+1:], closer)
			if end < 0 {
				return ""
			}
			i += end + 1
		}
	}
	return ""
}
