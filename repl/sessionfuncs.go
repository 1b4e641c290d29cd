package repl

import (
	"io"
	"strings"
)

// sessionCall is one result column of a read the shell answers itself:
// the function it calls and the column's name.
type sessionCall struct {
	fn, column string
}

// sessionCalls recognizes a read made only of calls to last_insert_rowid()
// and changes(), each optionally aliased ("SELECT last_insert_rowid();",
// "SELECT changes() AS n, last_insert_rowid()"). Those describe the
// session's own writes, which a node's read connection never made (the
// nodes refuse them in queries rather than answer 0), so the shell answers
// them from its writes' results, as sqlite3 answers them for its
// connection. Each unaliased column is named by its text, as SQLite names
// it. total_changes() is not answered: it counts rows that triggers
// changed too, which a write's result does not carry.
func sessionCalls(sql string) ([]sessionCall, bool) {
	toks := positionedTokens(sql)
	if len(toks) < 4 || !strings.EqualFold(toks[0].text, "SELECT") {
		return nil, false
	}
	var calls []sessionCall
	for rest := toks[1:]; ; {
		if len(rest) < 3 || rest[1].text != "(" || rest[2].text != ")" {
			return nil, false
		}
		fn := strings.ToLower(rest[0].text)
		if fn != "last_insert_rowid" && fn != "changes" {
			return nil, false
		}
		call := sessionCall{fn: fn, column: sql[rest[0].start:rest[2].end]}
		rest = rest[3:]
		if len(rest) >= 2 && strings.EqualFold(rest[0].text, "AS") {
			rest = rest[1:]
		}
		if len(rest) > 0 && rest[0].text != "," {
			if !plainIdentifier(rest[0].text) {
				return nil, false
			}
			call.column = rest[0].text
			rest = rest[1:]
		}
		calls = append(calls, call)
		if len(rest) == 0 {
			return calls, true
		}
		if rest[0].text != "," {
			return nil, false
		}
		rest = rest[1:]
	}
}

// plainIdentifier reports an unquoted identifier that is no keyword a
// SELECT could continue with.
func plainIdentifier(s string) bool {
	if s == "" || !isIDChar(s[0]) || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	switch strings.ToUpper(s) {
	case "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW", "UNION", "EXCEPT", "INTERSECT", "AS":
		return false
	}
	return true
}

// answerSessionRead prints, in order with the replies still in flight
// (after them, so that it sees their results), the shell's own answer to
// a read of calls.
func (s *Shell) answerSessionRead(out io.Writer, st Statement, calls []sessionCall) {
	s.emit(func() {
		r := Result{Rows: [][]Value{make([]Value, len(calls))}}
		for i, c := range calls {
			r.Columns = append(r.Columns, c.column)
			v := s.lastChanges
			if c.fn == "last_insert_rowid" {
				v = s.lastRowID
			}
			r.Rows[0][i] = Integer(v)
		}
		w := s.writer(out)
		defer w.Flush()
		s.printResult(w, st, &r)
	})
}
