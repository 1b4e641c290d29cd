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

// sessionValues is what the shell answers for last_insert_rowid() and
// changes() (with Shell.lastChanges): the session's, from its writes'
// results. A value the results do not tell is unknown, and asking for it
// is an error rather than a guess.
type sessionValues struct {
	// rowID is the rowid of the latest row a write of the session
	// inserted itself (a write's result carries it).
	rowID int64
	// rowIDUnknown is set after an INSERT that failed while running, or
	// whose outcome is unknown: SQLite keeps the rowid of a row such a
	// statement inserted before it failed, which no result carries.
	rowIDUnknown bool
	// changesUnknown is set after an INSERT, UPDATE or DELETE whose
	// outcome is unknown.
	changesUnknown bool
}

// noteFailure records that st failed with e: an INSERT, UPDATE or
// DELETE that failed while running leaves changes() at 0, as SQLite does,
// and an INSERT leaves last_insert_rowid() unknown. A statement that never
// ran (a parse error, a refusal) changes neither.
func (s *Shell) noteFailure(st Statement, e *SQLError) {
	if e.Phase != PhaseRuntime || !isDML(st.SQL) {
		return
	}
	s.lastChanges, s.sess.changesUnknown = 0, false
	if inserts(st.SQL) {
		s.sess.rowIDUnknown = true
	}
}

// noteOutcomeUnknown records that stmts may or may not have applied.
func (s *Shell) noteOutcomeUnknown(stmts []Statement) {
	for _, st := range stmts {
		if isDML(st.SQL) {
			s.sess.changesUnknown = true
		}
		if inserts(st.SQL) {
			s.sess.rowIDUnknown = true
		}
	}
}

// inserts reports an INSERT or REPLACE statement (possibly behind a WITH
// clause): the statements that set last_insert_rowid().
func inserts(sql string) bool {
	words, _ := leadingWords(sql, 1)
	verb := ""
	if len(words) > 0 {
		verb = words[0]
	}
	if verb == "WITH" {
		verb = mainVerb(sql)
	}
	return verb == "INSERT" || verb == "REPLACE"
}

// answerSessionRead prints, in order with the replies still in flight
// (after them, so that it sees their results), the shell's own answer to
// a read of calls, or the error that says a value is unknown.
func (s *Shell) answerSessionRead(out io.Writer, run *inputRun, group *groupState, st Statement, calls []sessionCall) {
	s.emit(func() {
		r := Result{Rows: [][]Value{make([]Value, len(calls))}}
		for i, c := range calls {
			r.Columns = append(r.Columns, c.column)
			v, unknown := s.lastChanges, s.sess.changesUnknown
			why := "the outcome of the last INSERT, UPDATE or DELETE is unknown"
			if c.fn == "last_insert_rowid" {
				v, unknown = s.sess.rowID, s.sess.rowIDUnknown
				why = "the last INSERT failed or its outcome is unknown, and a failed INSERT leaves the rowid of a row it inserted before failing, which ReSqlite does not report"
			}
			if unknown {
				s.failNow(run, group, s.errorLine("Error", st.Line, c.fn+"() is unknown here: "+why))
				return
			}
			r.Rows[0][i] = Integer(v)
		}
		w := s.writer(out)
		defer w.Flush()
		s.printResult(w, st, &r)
	})
}
