package repl

import "strings"

// Statement is one SQL statement of the input, with where it came from.
type Statement struct {
	// SQL is the statement's text, from its first non-space character
	// through its terminating semicolon (or the end of the input for a
	// final statement without one).
	SQL string
	// Line is the input line number the sqlite3 CLI reports for errors in
	// this statement: the line where the input group holding it began.
	Line int
	// Tail is the input from the statement's start to the end of its
	// group; the CLI quotes it when showing where a parse error is.
	Tail string
	// lifted are the parameters of the literals liftLiterals took out of
	// SQL, or nil.
	lifted []Param
}

// SplitStatements splits one group of input lines into statements the way
// sqlite3_prepare walks them: at every semicolon that ends a statement by
// sqlite3_complete's rules. Segments holding nothing but whitespace,
// comments and semicolons produce no statement. line is the group's first
// line number.
func SplitStatements(group string, line int) []Statement {
	var stmts []Statement
	state := stateInvalid
	segStart := -1
	hasContent := false
	for i := 0; i < len(group); {
		tok := scanToken(group, i)
		if segStart < 0 && !isCSpace(group[i]) && tok.kind != tokSemi {
			segStart = i
		}
		// A lone \v is no whitespace to sqlite3_complete but is to the
		// CLI, which skips isspace() before each statement.
		if tok.kind != tokSpace && tok.kind != tokSemi && !(tok.end-tok.start == 1 && isCSpace(group[tok.start])) {
			hasContent = true
		}
		state = completeTransitions[state][tok.kind]
		i = tok.end
		if tok.kind == tokSemi && state == stateStart {
			if hasContent {
				stmts = append(stmts, Statement{SQL: group[segStart:i], Line: line, Tail: group[segStart:]})
			}
			segStart, hasContent = -1, false
		}
	}
	if hasContent {
		rest := strings.TrimRight(group[segStart:], " \t\r\n\f\v")
		stmts = append(stmts, Statement{SQL: rest, Line: line, Tail: rest})
	}
	return stmts
}

// isCSpace is C's isspace() in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
