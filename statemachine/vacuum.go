package statemachine

import "strings"

// isUnauthorizedWrite reports a statement that is not read-only although
// the authorizer saw no action that changes the database: VACUUM, which
// SQLite never shows the authorizer (its INTO form writes another file).
// A DROP … IF EXISTS of an object that does not exist shows none either;
// it changes nothing and is let through, as SQLite runs it.
func isUnauthorizedWrite(c *conn, stmt uintptr, pol *policy, text string) bool {
	return !c.readOnly(stmt) && !pol.wrote() && firstKeyword(text) != "DROP"
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
