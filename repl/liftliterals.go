package repl

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// A write's SQL text may be at most sqlval.MaxStatementBytes, but a
// dump's INSERT of a large value (sqlite3's .dump and ReSqlite's write it
// as a literal: X'…' in hex, '…' for text) can be longer. The shell sends
// such a write with its long literals as parameters (?1, ?2, …), which
// carry the same values and types as the literals and count only in the
// entry's limit, so every dump whose rows fit in one write reloads.

// liftMin is the shortest literal worth a parameter.
const liftMin = 64

// liftLiterals returns st with its long string and blob literals turned
// into positional parameters, when st is a write longer than the
// statement limit that has no parameters of its own; otherwise st.
func liftLiterals(st Statement) Statement {
	if len(st.SQL) <= sqlval.MaxStatementBytes || !liftable(st.SQL) || len(statementVariables(st.SQL)) > 0 {
		return st
	}
	var b strings.Builder
	var params []Param
	last := 0
	scanLiterals(st.SQL, func(start, end int, v Value) {
		if end-start < liftMin {
			return
		}
		params = append(params, Param{Value: v})
		b.WriteString(st.SQL[last:start])
		b.WriteString("?" + strconv.Itoa(len(params)))
		last = end
	})
	if params == nil {
		return st
	}
	b.WriteString(st.SQL[last:])
	sql := b.String()
	return Statement{SQL: sql, Line: st.Line, Tail: sql, lifted: params}
}

// liftable reports a statement whose literals are values: an INSERT,
// REPLACE, UPDATE or DELETE (in a CREATE, a literal may be a name or a
// default, which a parameter cannot be).
func liftable(sql string) bool {
	words, _ := leadingWords(sql, 1)
	if len(words) == 0 {
		return false
	}
	verb := words[0]
	if verb == "WITH" {
		verb = mainVerb(sql)
	}
	switch verb {
	case "INSERT", "REPLACE", "UPDATE", "DELETE":
		return true
	}
	return false
}

// scanLiterals calls fn for every string literal ('…', quotes doubled) and
// blob literal (X'…' of valid hex) of sql, with its byte range and value,
// skipping quoted identifiers and comments.
func scanLiterals(sql string, fn func(start, end int, v Value)) {
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			end, text := stringLiteral(sql, i)
			if end < 0 {
				return
			}
			fn(i, end, Text(text))
			i = end
		case (c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'' && (i == 0 || !isIDChar(sql[i-1])):
			end, text := stringLiteral(sql, i+1)
			if end < 0 {
				return
			}
			if blob, err := hex.DecodeString(text); err == nil {
				fn(i, end, Blob(blob))
			}
			i = end
		case c == '"' || c == '`' || c == '[' || c == '-' || c == '/':
			tok := scanToken(sql, i)
			if tok.kind == tokOther && c != '[' && c != '-' && c != '/' {
				// A doubled quote scans as two tokens: go on past both.
				for tok.end < len(sql) && sql[tok.end] == c {
					tok = scanToken(sql, tok.end)
				}
			}
			i = tok.end
		case isIDChar(c):
			for i < len(sql) && isIDChar(sql[i]) {
				i++
			}
		default:
			i++
		}
	}
}

// stringLiteral reads the '…' literal starting at sql[i], with doubled
// quotes, and returns the index after it and its text (end -1 when it is
// not terminated).
func stringLiteral(sql string, i int) (int, string) {
	var b strings.Builder
	j := i + 1
	for {
		k := strings.IndexByte(sql[j:], '\'')
		if k < 0 {
			return -1, ""
		}
		b.WriteString(sql[j : j+k])
		j += k + 1
		if j < len(sql) && sql[j] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return j, b.String()
	}
}
