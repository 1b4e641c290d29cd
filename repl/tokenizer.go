package repl

import "strings"

// sqlToken is a token class of sqlite3_complete's tokenizer (complete.c).
type sqlToken uint8

const (
	tokSemi sqlToken = iota
	tokSpace
	tokOther
	tokExplain
	tokCreate
	tokTemp
	tokTrigger
	tokEnd
)

// completeState is a state of sqlite3_complete's automaton.
type completeState uint8

const (
	stateInvalid completeState = iota
	stateStart
	stateNormal
	stateExplain
	stateCreate
	stateTrigger
	stateSemi
	stateEnd
)

// completeTransitions is sqlite3_complete's transition table, indexed by
// state then token. States 5-7 are inside CREATE TRIGGER … END, where a
// semicolon does not end the statement.
var completeTransitions = [8][8]completeState{
	//                SEMI         SPACE          OTHER         EXPLAIN        CREATE        TEMP          TRIGGER        END
	stateInvalid: {stateStart, stateInvalid, stateNormal, stateExplain, stateCreate, stateNormal, stateNormal, stateNormal},
	stateStart:   {stateStart, stateStart, stateNormal, stateExplain, stateCreate, stateNormal, stateNormal, stateNormal},
	stateNormal:  {stateStart, stateNormal, stateNormal, stateNormal, stateNormal, stateNormal, stateNormal, stateNormal},
	stateExplain: {stateStart, stateExplain, stateExplain, stateNormal, stateCreate, stateNormal, stateNormal, stateNormal},
	stateCreate:  {stateStart, stateCreate, stateNormal, stateNormal, stateNormal, stateCreate, stateTrigger, stateNormal},
	stateTrigger: {stateSemi, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateTrigger},
	stateSemi:    {stateSemi, stateSemi, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateEnd},
	stateEnd:     {stateStart, stateEnd, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateTrigger, stateTrigger},
}

// isIDChar reports whether c can be part of an unquoted identifier or
// keyword, as SQLite's IdChar does: letters, digits, '_', '$' and every
// byte of a multi-byte UTF-8 sequence.
func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '$' || c >= 0x80
}

// scannedToken is one token found by scanToken: its class and its byte
// range in the input.
type scannedToken struct {
	kind       sqlToken
	start, end int
	// unterminated is set for a string, identifier or block comment that
	// runs to the end of the input.
	unterminated bool
	// lineComment is set for a "--" comment that runs to the end of the
	// input without a newline.
	lineComment bool
}

// scanToken reads the token at s[i:] the way sqlite3_complete does. The
// input must be non-empty at i.
func scanToken(s string, i int) scannedToken {
	start := i
	tok := scannedToken{start: start}
	switch c := s[i]; c {
	case ';':
		tok.kind, tok.end = tokSemi, i+1
	case ' ', '\r', '\t', '\n', '\f':
		tok.kind, tok.end = tokSpace, i+1
	case '/':
		if i+1 >= len(s) || s[i+1] != '*' {
			tok.kind, tok.end = tokOther, i+1
			break
		}
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			tok.kind, tok.end, tok.unterminated = tokSpace, len(s), true
			break
		}
		tok.kind, tok.end = tokSpace, i+2+j+2
	case '-':
		if i+1 >= len(s) || s[i+1] != '-' {
			tok.kind, tok.end = tokOther, i+1
			break
		}
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			tok.kind, tok.end, tok.lineComment = tokSpace, len(s), true
			break
		}
		tok.kind, tok.end = tokSpace, i+j+1
	case '[', '`', '"', '\'':
		closer := c
		if c == '[' {
			closer = ']'
		}
		j := strings.IndexByte(s[i+1:], closer)
		if j < 0 {
			tok.kind, tok.end, tok.unterminated = tokOther, len(s), true
			break
		}
		// A doubled quote ('it''s') scans as two adjacent tokens, which
		// leaves the automaton exactly where one token would.
		tok.kind, tok.end = tokOther, i+1+j+1
	default:
		if !isIDChar(c) {
			tok.kind, tok.end = tokOther, i+1
			break
		}
		j := i + 1
		for j < len(s) && isIDChar(s[j]) {
			j++
		}
		tok.kind, tok.end = keywordToken(s[i:j]), j
	}
	return tok
}

// keywordToken classifies an identifier as one of the keywords that
// sqlite3_complete cares about.
func keywordToken(word string) sqlToken {
	switch {
	case strings.EqualFold(word, "create"):
		return tokCreate
	case strings.EqualFold(word, "trigger"):
		return tokTrigger
	case strings.EqualFold(word, "temp"), strings.EqualFold(word, "temporary"):
		return tokTemp
	case strings.EqualFold(word, "end"):
		return tokEnd
	case strings.EqualFold(word, "explain"):
		return tokExplain
	}
	return tokOther
}

// Complete reports whether sql ends with a complete SQL statement, with the
// semantics of sqlite3_complete(): the text ends in a semicolon that is not
// inside a string, quoted identifier, comment or CREATE TRIGGER body.
// Like the C function, it stops at the first NUL byte.
func Complete(sql string) bool {
	if i := strings.IndexByte(sql, 0); i >= 0 {
		sql = sql[:i]
	}
	state := stateInvalid
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		if tok.unterminated {
			return false
		}
		if tok.lineComment {
			return state == stateStart
		}
		state = completeTransitions[state][tok.kind]
		i = tok.end
	}
	return state == stateStart
}
