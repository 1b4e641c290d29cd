package repl

import (
	"strings"

	"github.com/resqlite/resqlite/statemachine/sqlval"
)

// stmtKind is what the REPL needs to know about a statement before sending
// it: whether it opens or closes a transaction block, and whether it can be
// served as a read.
type stmtKind uint8

const (
	// kindWrite goes through the replicated log (the safe default for
	// anything not recognised).
	kindWrite stmtKind = iota
	// kindRead is a SELECT, VALUES or EXPLAIN, or a PRAGMA that only asks:
	// read-only, served at the session's consistency level. The server
	// still refuses a "read" that is not read-only.
	kindRead
	// kindBegin is BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION].
	kindBegin
	// kindCommit is COMMIT or END [TRANSACTION].
	kindCommit
	// kindRollback is ROLLBACK [TRANSACTION] (not ROLLBACK TO).
	kindRollback
	// kindSavepoint is SAVEPOINT name: outside a block it starts one.
	kindSavepoint
	// kindRelease is RELEASE [SAVEPOINT] name: releasing the savepoint
	// that started a block commits it.
	kindRelease
	// kindRollbackTo is ROLLBACK [TRANSACTION] TO [SAVEPOINT] name: inside
	// a block it cancels the savepoints opened after name.
	kindRollbackTo
	// kindNoop changes nothing and is not sent: PRAGMA foreign_keys=OFF
	// (see classifyPragma).
	kindNoop
)

// leadingWords returns up to n keywords from the start of sql, upper-cased,
// skipping whitespace and comments, and stopping at the first token that is
// not a bare word. The bool reports whether the statement holds nothing
// after those words but an optional semicolon.
func leadingWords(sql string, n int) ([]string, bool) {
	var words []string
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		i = tok.end
		switch {
		case tok.kind == tokSpace:
			continue
		case tok.kind == tokSemi:
			return words, strings.TrimSpace(stripComments(sql[i:])) == ""
		case isIDChar(sql[tok.start]) && !(sql[tok.start] >= '0' && sql[tok.start] <= '9'):
			if len(words) == n {
				return words, false
			}
			words = append(words, strings.ToUpper(sql[tok.start:tok.end]))
		default:
			return words, false
		}
	}
	return words, true
}

// stripComments removes comments and whitespace tokens, keeping the rest.
func stripComments(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		if tok.kind != tokSpace {
			b.WriteString(sql[tok.start:tok.end])
		}
		i = tok.end
	}
	return b.String()
}

// classify decides a statement's kind from its leading keywords.
func classify(sql string) stmtKind {
	words, whole := leadingWords(sql, 4)
	if len(words) == 0 {
		return kindWrite
	}
	switch words[0] {
	case "BEGIN":
		rest := words[1:]
		if len(rest) > 0 && (rest[0] == "DEFERRED" || rest[0] == "IMMEDIATE" || rest[0] == "EXCLUSIVE") {
			rest = rest[1:]
		}
		if whole && transactionOpt(rest) {
			return kindBegin
		}
	case "COMMIT", "END":
		if whole && transactionOpt(words[1:]) {
			return kindCommit
		}
	case "ROLLBACK":
		if whole && transactionOpt(words[1:]) {
			return kindRollback
		}
		if savepointName(sql) != "" {
			return kindRollbackTo
		}
	case "SAVEPOINT":
		if savepointName(sql) != "" {
			return kindSavepoint
		}
	case "RELEASE":
		if savepointName(sql) != "" {
			return kindRelease
		}
	case "SELECT", "VALUES", "EXPLAIN":
		return kindRead
	case "PRAGMA":
		return classifyPragma(sql)
	case "WITH":
		if mainVerb(sql) == "SELECT" || mainVerb(sql) == "VALUES" {
			return kindRead
		}
	}
	return kindWrite
}

// transactionOpt reports that words are SQLite's trans_opt: nothing, or
// TRANSACTION with an optional name.
func transactionOpt(words []string) bool {
	return len(words) == 0 || words[0] == "TRANSACTION" && len(words) <= 2
}

// mainVerb finds the first keyword after a WITH clause's common table
// expressions: the statement the CTEs feed.
func mainVerb(sql string) string {
	depth := 0
	seenWith := false
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		i = tok.end
		if tok.kind != tokOther && tok.kind != tokEnd && tok.kind != tokCreate &&
			tok.kind != tokTemp && tok.kind != tokTrigger && tok.kind != tokExplain {
			continue
		}
		text := sql[tok.start:tok.end]
		switch text {
		case "(":
			depth++
			continue
		case ")":
			depth--
			continue
		}
		if depth != 0 || !isIDChar(text[0]) {
			continue
		}
		word := strings.ToUpper(text)
		if !seenWith {
			seenWith = word == "WITH"
			continue
		}
		switch word {
		case "SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE":
			return word
		}
	}
	return ""
}

// isDML reports an INSERT, UPDATE, DELETE or REPLACE statement (possibly
// behind a WITH clause): the statements whose rows affected the CLI's
// .changes reports and that table mode follows with a rows-affected line.
func isDML(sql string) bool {
	words, _ := leadingWords(sql, 1)
	if len(words) == 0 {
		return false
	}
	switch words[0] {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return true
	case "WITH":
		switch mainVerb(sql) {
		case "INSERT", "UPDATE", "DELETE", "REPLACE":
			return true
		}
	}
	return false
}

// savepointName returns the name in "SAVEPOINT name", "RELEASE
// [SAVEPOINT] name" or "ROLLBACK [TRANSACTION] TO [SAVEPOINT] name",
// unquoted and with ASCII letters lower-cased (SQLite compares savepoint
// names ignoring ASCII case only), or "" when the statement is not
// exactly that.
func savepointName(sql string) string {
	var toks []string
	lastEnd := -1
	for i := 0; i < len(sql); {
		tok := scanToken(sql, i)
		i = tok.end
		if tok.unterminated {
			return ""
		}
		if tok.kind == tokSpace {
			continue
		}
		if tok.kind == tokSemi {
			if strings.TrimSpace(stripComments(sql[i:])) != "" {
				return ""
			}
			break
		}
		text := sql[tok.start:tok.end]
		if n := len(toks); n > 0 && tok.start == lastEnd && strings.IndexByte("\"'`", text[0]) >= 0 && toks[n-1][0] == text[0] {
			// 'it''s' scans as two adjacent tokens: one name.
			toks[n-1] += text
		} else {
			toks = append(toks, text)
		}
		lastEnd = tok.end
	}
	if len(toks) > 0 && strings.EqualFold(toks[0], "ROLLBACK") {
		toks = toks[1:]
		if len(toks) > 0 && strings.EqualFold(toks[0], "TRANSACTION") {
			toks = toks[1:]
		}
		if len(toks) == 0 || !strings.EqualFold(toks[0], "TO") {
			return ""
		}
		toks[0] = "ROLLBACK" // the keyword that takes an optional SAVEPOINT
	}
	if len(toks) == 3 && (strings.EqualFold(toks[0], "RELEASE") || toks[0] == "ROLLBACK") && strings.EqualFold(toks[1], "SAVEPOINT") {
		toks = toks[1:]
	}
	if len(toks) != 2 || !strings.EqualFold(toks[0], "SAVEPOINT") && strings.EqualFold(toks[1], "SAVEPOINT") {
		// "RELEASE SAVEPOINT;" names no savepoint: a syntax error.
		return ""
	}
	name := toks[1]
	switch name[0] {
	case '"', '\'', '`':
		name = strings.ReplaceAll(name[1:len(name)-1], name[:1]+name[:1], name[:1])
	case '[':
		name = name[1 : len(name)-1]
	default:
		if !isIDChar(name[0]) {
			return ""
		}
	}
	return sqlval.LowerASCII(name)
}
