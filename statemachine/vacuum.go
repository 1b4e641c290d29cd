package statemachine

import "strings"

// isUnauthorizedWrite reports a statement that is not read-only although
// the authorizer saw no action that changes the database: VACUUM, which
// SQLite never shows the authorizer (its INTO form writes another file).
// A DROP … IF EXISTS of an object that does not exist shows none either;
// it changes nothing and is let through, as SQLite runs it. So is, from
// RulesV3 on, a CREATE … IF NOT EXISTS of an object that exists (under
// RulesV1 and RulesV2 it was refused, and replays so).
func isUnauthorizedWrite(c *conn, stmt uintptr, pol *policy, text string) bool {
	if c.readOnly(stmt) || pol.wrote() {
		return false
	}
	switch firstKeyword(text) {
	case "DROP":
		return false
	case "CREATE":
		return pol.rules < RulesV3
	}
	return true
}

// firstKeyword returns the first word of an SQL statement, upper-cased,
// after whitespace and comments, or "" if it does not start with a word.
func firstKeyword(sql string) string {
	for i := 0; i < len(sql); {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				return ""
			}
			i += end + 1
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return ""
			}
			i += 2 + end + 2
		default:
			j := i
			for j < len(sql) && ('a' <= sql[j]|0x20 && sql[j]|0x20 <= 'z') {
				j++
			}
			return strings.ToUpper(sql[i:j])
		}
	}
	return ""
}

// unauthorizedWriteMessage is the refusal of a statement that
// isUnauthorizedWrite reports: VACUUM, or (under RulesV1, which has no
// PRAGMA table) a PRAGMA that SQLite does not call read-only although it
// sets nothing, such as journal_mode, which only a read may ask.
func unauthorizedWriteMessage(text string) string {
	if firstKeyword(text) == "PRAGMA" {
		return "PRAGMA " + pragmaName(text) + " is not allowed in a write: its answer depends on the node; read it with a query"
	}
	return "VACUUM is not allowed in a write"
}

// pragmaName returns the name (after an optional schema) of the PRAGMA
// statement text, lower-cased, or "" when it has none.
func pragmaName(text string) string {
	i := strings.Index(strings.ToUpper(text), "PRAGMA") + len("PRAGMA")
	rest := strings.TrimSpace(text[i:])
	end := strings.IndexFunc(rest, func(r rune) bool {
		return !(r == '_' || r == '.' || 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9')
	})
	if end >= 0 {
		rest = rest[:end]
	}
	if dot := strings.LastIndexByte(rest, '.'); dot >= 0 {
		rest = rest[dot+1:]
	}
	return strings.ToLower(rest)
}
