package guard

import (
	"strings"

	"github.com/resqlite/resqlite/rpc/auth"
	"github.com/resqlite/resqlite/rpc/resqlitepb"
)

// entryPerms returns the permissions the statements of a write need:
// schema for any DDL statement, write for any other.
func entryPerms(stmts []*resqlitepb.Statement) auth.Perm {
	var p auth.Perm
	for _, s := range stmts {
		for _, kw := range firstKeywords(string(s.GetSql())) {
			if isDDL(kw) {
				p |= auth.PermSchema
			} else {
				p |= auth.PermWrite
			}
		}
	}
	if p == 0 {
		p = auth.PermWrite
	}
	return p
}

// isDDL reports whether a statement starting with kw changes the schema.
func isDDL(kw string) bool {
	switch strings.ToUpper(kw) {
	case "CREATE", "DROP", "ALTER":
		return true
	}
	return false
}

// firstKeywords returns the first word of each statement of sql (the
// text split at semicolons outside quotes, identifiers and comments, as
// SQLite tokenizes it).
func firstKeywords(sql string) []string {
	var out []string
	expectWord := true
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ';':
			expectWord = true
			i++
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(sql, i, c)
			expectWord = false
		case c == '[':
			i = skipTo(sql, i+1, "]")
			expectWord = false
		case strings.HasPrefix(sql[i:], "--"):
			i = skipTo(sql, i+2, "\n")
		case strings.HasPrefix(sql[i:], "/*"):
			i = skipTo(sql, i+2, "*/")
		case isSpace(c):
			i++
		default:
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			if j == i {
				j++
			}
			if expectWord {
				out = append(out, sql[i:j])
			}
			expectWord = false
			i = j
		}
	}
	return out
}

// skipQuoted returns the index after the quoted text starting at i
// (a doubled quote stands for one).
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// skipTo returns the index after the first end at or after i.
func skipTo(s string, i int, end string) int {
	if k := strings.Index(s[i:], end); k >= 0 {
		return i + k + len(end)
	}
	return len(s)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
