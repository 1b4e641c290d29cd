package sqlval

import "strings"

// QuoteIdent quotes s as an SQL identifier ("a""b" for a"b), so that any
// table or column name can be put into generated SQL.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteIdentAsNeeded quotes s as QuoteIdent does only where the sqlite3
// CLI's .dump would (its quoteChar): when s is an SQLite keyword, or does
// not begin with an ASCII letter or '_', or holds a character other than
// ASCII letters, digits and '_'.
func QuoteIdentAsNeeded(s string) string {
	if s == "" || !(isASCIIAlpha(s[0]) || s[0] == '_') || IsKeyword(s) {
		return QuoteIdent(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isASCIIAlpha(c) || c >= '0' && c <= '9' || c == '_') {
			return QuoteIdent(s)
		}
	}
	return s
}

func isASCIIAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
